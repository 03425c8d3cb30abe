/**
 * Standalone (RunTask) work in a simulated ECS cluster: what is submitted, what waits for a place,
 * and the PROVISIONING queue capacity providers give it. The ECS layer on top (`ecs-world.ts`)
 * starts and stops the tasks; its scheduler (`ecs-scheduler.ts`) places what waits here.
 *
 * Behaviour modelled: with capacity providers a task that does not fit waits in PROVISIONING (ECS
 * Developer Guide, "Amazon ECS standalone tasks", task workflow; the AWS Containers blog "Deep
 * Dive on Amazon ECS Cluster Auto Scaling" adds that this needs managed scaling on, which the
 * modelled setups have: `ecs-cas` with its scaling acting, Headroom's with the group's
 * AlarmNotification process suspended, see `cluster.headroomSetup`) and is placed when room
 * appears; without them `RunTask` fails (`RESOURCE:CPU`/`RESOURCE:MEMORY`) and the submitter
 * retries every `cluster.runTaskRetrySeconds`. A standalone task lost with its instance is
 * submitted again (`ecs-world.ts`).
 */
import { WorldBase, type WorldOptions } from './world-base';
import type { Submission } from '../scenario/workload';

export interface Waiting {
  readonly submission: Submission;
  /** First attempt: pending time counts from here. */
  readonly since: number;
  /** The submitter's next RunTask attempt (RunTask failed: no room, or the PROVISIONING quota). */
  nextAttempt: number;
  /** Queued by ECS in PROVISIONING (with capacity providers, within the quota). */
  provisioning?: boolean;
}

/**
 * Service quota "Tasks in the PROVISIONING state per cluster": the most tasks that can wait for
 * capacity in one cluster (ECS Best Practices Guide / Developer Guide, "Amazon ECS service quotas
 * and API throttling limits": with capacity providers "consider the Tasks in the PROVISIONING
 * state per cluster quota"). The value is the one the Service Quotas listing shows today, 500, not
 * adjustable (the General Reference page "Amazon ECS endpoints and quotas" lists it; it was 100 in
 * 2020 and 300 later, per aws/containers-roadmap#1780). RunTask beyond it fails ("Tasks
 * provisioning capacity limit exceeded", the failure a public tracker handles with retries:
 * DIAGNijmegen/rse-grand-challenge#2013), so the submitter retries as without capacity providers.
 */
export const PROVISIONING_TASKS_PER_CLUSTER = 500;

export class StandaloneQueueWorld extends WorldBase {
  protected waiting: Waiting[] = [];
  /** Standalone tasks queue in PROVISIONING (capacity providers), else RunTask fails and is retried. */
  readonly queueing: boolean;

  constructor(options: WorldOptions) {
    super(options);
    this.queueing = options.policy.settings.capacityProviders ?? options.scenario.cluster.capacityProviders;
  }

  /** ECS emits `ECS Task State Change` (PROVISIONING) for a queued task (the world routes it to the policy). */
  protected taskProvisioning(): void {}

  /**
   * RunTask of a submission (queued or refused-and-retried when it does not fit). With capacity
   * providers every new task starts in PROVISIONING (ECS Developer Guide, "Amazon ECS standalone
   * tasks", task workflow) and RunTask causes a task state change event (ECS Developer Guide,
   * "Amazon ECS task state change events").
   */
  protected submit(submission: Submission): void {
    this.submittedShapes.add(`${submission.cpu}/${submission.memory}`);
    const w: Waiting = { submission, since: this.clock, nextAttempt: this.clock };
    this.waiting.push(w);
    this.dirty = true;
    this.enqueue(w);
  }

  /** Tasks ECS holds in PROVISIONING now. */
  protected provisioningCount = 0;

  /**
   * RunTask with capacity providers: the task waits in PROVISIONING (and ECS sends its event)
   * unless the cluster is at the PROVISIONING quota, when RunTask fails and the submitter retries
   * after `cluster.runTaskRetrySeconds`. Without capacity providers nothing is queued here (the
   * scheduler refuses what does not fit).
   */
  protected enqueue(w: Waiting): void {
    if (!this.queueing || w.provisioning === true) return;
    if (this.provisioningCount >= PROVISIONING_TASKS_PER_CLUSTER) {
      w.nextAttempt = this.clock + this.scenario.cluster.runTaskRetrySeconds * 1000;
      this.wakeAt(w.nextAttempt);
      return;
    }
    w.provisioning = true;
    this.provisioningCount++;
    this.taskProvisioning();
  }

  /** A waiting task leaves the queue (placed): the PROVISIONING count follows. */
  protected dequeued(w: Waiting): void {
    if (w.provisioning === true) this.provisioningCount--;
  }

  /** Distinct `cpu/memory` shapes of standalone tasks submitted so far (their task definitions). */
  standaloneShapes(): ReadonlySet<string> {
    return this.submittedShapes;
  }
  private readonly submittedShapes = new Set<string>();
}
