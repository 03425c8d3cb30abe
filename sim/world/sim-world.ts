/**
 * What policies, their adapters and the delivery layer may use of a running world: the clock and
 * agenda, the API meter, and the operations the real AWS APIs offer (in simulator terms). `World`
 * implements it; depending on this interface instead of the class keeps the policy modules and the
 * world free of import cycles.
 */
import type { CapacityGroup, Instance, Resources, Service, TaskShape } from '../../core/cluster';
import type { ApiAction } from './throttle';
import type { GroupRuntime, SimInstance, WaitingTask } from './world-types';

export interface SimWorld {
  /** Epoch ms now / at the end of the run. */
  readonly now: number;
  readonly end: number;
  readonly groups: readonly GroupRuntime[];
  schedule(at: number, label: string, run: () => void | Promise<void>): void;
  /** Resolve after `ms` of simulated time. */
  sleep(ms: number): Promise<void>;
  /** Count `n` requests of `action`; returns the wait (ms) until the account's bucket admits them. */
  countApi(n: number, action: ApiAction): number;
  note(message: string): void;

  // ECS
  ecsInstances(): SimInstance[];
  findInstance(idOrArn: string): SimInstance | undefined;
  toCore(i: SimInstance): Instance;
  coreServices(): Service[];
  setEcsStatus(i: SimInstance, status: 'ACTIVE' | 'DRAINING', who: string): void;
  setAttribute(i: SimInstance, name: string, value: string | undefined): void;
  stopTaskById(taskId: string, who: string): void;
  provisioningShapes(): TaskShape[];
  waitingWork(): WaitingTask[];
  daemonShapes(): TaskShape[];
  standaloneShapes(): ReadonlySet<string>;
  headroomOf(shape: Resources): number;

  // Auto Scaling
  groupByName(name: string): GroupRuntime | undefined;
  coreGroup(g: GroupRuntime, zone?: string): CapacityGroup;
  liveMembers(g: GroupRuntime): SimInstance[];
  members(g: GroupRuntime): SimInstance[];
  setDesired(g: GroupRuntime, desired: number, who: string): void;
  terminateInstance(id: string, decrement: boolean, who: string): 'ok' | 'gone';
  completeLifecycle(id: string): 'ok' | 'gone';
  heartbeat(id: string): 'ok' | 'gone';
}
