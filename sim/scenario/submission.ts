/** One standalone task the workload submits with `RunTask` (a job or a replayed trace task). */
export interface Submission {
  /** Simulated seconds from the start of the run. */
  readonly atSecond: number;
  readonly name: string;
  readonly source: 'job' | 'trace';
  readonly cpu: number;
  readonly memory: number;
  readonly durationSeconds: number;
  /** Position in submission order (0, 1, …): which capacity provider a strategy gives the task. */
  readonly ordinal: number;
}
