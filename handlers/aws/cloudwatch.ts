/**
 * CloudWatch adapter: the `Metrics` port. Publishing writes Embedded Metric Format lines to
 * standard output (handlers/aws/emf.ts: every datum of an invocation in one line, no API call);
 * the only call is GetMetricData (the `SchedulableTasks` history for the scale-in stabilisation
 * window; one call per 100,800 points, i.e. one). EMF metrics land in CloudWatch like
 * PutMetricData ones, so the history read is unchanged.
 */
import { CloudWatchClient, paginateGetMetricData } from '@aws-sdk/client-cloudwatch';
import type { MetricDatum, MetricName } from '../../core/metrics';
import type { HeadroomSample } from '../../core/scale-in';
import type { Metrics } from '../app/ports';
import { emfLines } from './emf';
import { classify } from './util';

/** Standard output, bypassing `console` (whose Lambda prefix would hide the JSON from EMF). */
export const stdoutLine = (line: string): void => void process.stdout.write(`${line}\n`);

export class CloudWatchMetrics implements Metrics {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly namespace: string,
    private readonly cluster: string,
    private readonly writeLine: (line: string) => void = stdoutLine,
  ) {}

  async publish(datums: readonly MetricDatum[], at: number): Promise<void> {
    if (datums.length === 0) return;
    for (const line of emfLines(this.namespace, this.cluster, datums, at)) this.writeLine(line);
  }

  async history(name: MetricName, from: number, to: number): Promise<HeadroomSample[]> {
    const samples: HeadroomSample[] = [];
    try {
      const paginator = paginateGetMetricData(
        { client: this.client },
        {
          StartTime: new Date(from),
          EndTime: new Date(to),
          MetricDataQueries: [
            {
              Id: 'h',
              ReturnData: true,
              // Minimum per minute: the stabilisation window must hold at its lowest point.
              MetricStat: { Metric: { Namespace: this.namespace, MetricName: name, Dimensions: [{ Name: 'ClusterName', Value: this.cluster }] }, Period: 60, Stat: 'Minimum' },
            },
          ],
        },
      );
      for await (const page of paginator) {
        for (const r of page.MetricDataResults ?? []) {
          const ts = r.Timestamps ?? [];
          const vs = r.Values ?? [];
          for (let k = 0; k < Math.min(ts.length, vs.length); k++) samples.push({ at: (ts[k] as Date).getTime(), value: vs[k] as number });
        }
      }
    } catch (error) {
      classify(error, `reading ${name} history`);
    }
    return samples;
  }
}
