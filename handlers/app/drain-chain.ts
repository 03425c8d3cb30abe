/**
 * The drain chain's marks on the container instance (core/drain-chain.ts), written by the handlers
 * that run drain steps (lifecycle, drain) and by the tick when it revives a drain.
 */
import { randomBytes } from 'node:crypto';
import type { Instance } from '../../core/cluster';
import { DRAIN_CHAIN_ATTRIBUTE, DRAIN_STEP_ATTRIBUTE, chainId, doneToken, stepToken } from '../../core/drain-chain';
import { HeadroomError } from '../../core/errors';
import type { BatchFailures } from './batch';
import type { HandlerContext } from './context';
import type { DrainOutcome } from './drain-step';
import type { DrainCheck } from './ports';

const random = (): string => randomBytes(4).toString('hex');

/** A fresh step token written at `now` (epoch ms): the one source of randomness for step marks. */
export function newStepToken(now: number): string {
  return stepToken(now, random());
}

/** A fresh chain id starting at `startedAt` (epoch ms): the one source of randomness for chain ids. */
export function newChainId(startedAt: number): string {
  return chainId(startedAt, random());
}

/** The drain marks a check carries and its container instance holds (core/drain-chain.ts). */
export interface DrainMarks {
  readonly chain?: string;
  readonly step?: string;
}

/**
 * Write the given marks on the container instance; returns those ECS accepted, the only ones a
 * check may carry: a check carrying a mark the instance does not hold would be judged stale at its
 * first step when the instance holds an older one. ECS refuses a mark past the instance's 10
 * custom attributes (API reference: PutAttributes, `AttributeLimitExceededException`); the adapter
 * reports it as not changed. Used by the lifecycle handler (`startChain`) and the tick's revival.
 */
export async function writeMarks(ctx: HandlerContext, arn: string, marks: DrainMarks): Promise<DrainMarks> {
  const accepted = async (name: string, value: string | undefined): Promise<boolean> => value !== undefined && (await ctx.ports.ecs.setAttribute([arn], name, value)).includes(arn);
  const chain = await accepted(DRAIN_CHAIN_ATTRIBUTE, marks.chain);
  const step = await accepted(DRAIN_STEP_ATTRIBUTE, marks.step);
  return { ...(chain ? { chain: marks.chain } : {}), ...(step ? { step: marks.step } : {}) };
}

/**
 * Put a new chain id on the instance and in its first check: a duplicate lifecycle event starts a
 * newer chain and the older one is dropped at its next check (drain handler), so one chain of checks
 * drives each drain. Without the attribute (instance not registered, attribute limit, dry run) the
 * check carries no chain and is never judged stale by it.
 */
export async function startChain(ctx: HandlerContext, check: DrainCheck, instance: Instance | undefined): Promise<DrainCheck> {
  if (ctx.config.dryRun || instance?.arn === undefined || instance.status === 'INACTIVE') return check;
  return { ...check, ...(await writeMarks(ctx, instance.arn, { chain: newChainId(check.startedAt) })) };
}

/** One drain step of this invocation: its record (SQS), the container instance and the outcome. */
export interface Stepped {
  readonly record?: string;
  readonly arn?: string;
  /** The step mark the instance held when read (none: it was never marked, e.g. at its attribute limit). */
  readonly heldStep?: string;
  readonly outcome: DrainOutcome;
}

/** The step record of `outcome` for the check of `record` on `instance` (as read before the step). */
export function steppedOn(record: string | undefined, instance: Instance | undefined, outcome: DrainOutcome): Stepped {
  const held = instance?.attributes[DRAIN_STEP_ATTRIBUTE];
  return { ...(record !== undefined ? { record } : {}), ...(instance?.arn !== undefined ? { arn: instance.arn } : {}), ...(held !== undefined ? { heldStep: held } : {}), outcome };
}

/**
 * After the invocation's steps: the instances whose check was re-enqueued get `token` (one
 * PutAttributes for all of them), those whose drain ended get the `done` marker. A re-enqueued
 * check whose token could not be written, on an instance that holds an older one, would be judged
 * stale at its next step, so its record fails instead: the redelivered copy still matches the
 * instance's previous token and goes on. On an instance that holds no step mark (ECS refuses one
 * past its 10 custom attributes) the re-enqueued check is never judged by the mark, so its record
 * is done: failing it would start a second chain every step until the record dead-letters.
 */
export async function recordSteps(ctx: HandlerContext, stepped: readonly Stepped[], token: string, failures: BatchFailures): Promise<void> {
  if (ctx.config.dryRun) return;
  const rechecked = stepped.filter((s) => s.arn !== undefined && s.outcome.did.some((d) => d.startsWith('recheck')));
  const ended = stepped.filter((s) => s.arn !== undefined && (s.outcome.phase === 'complete' || s.outcome.phase === 'timeout' || s.outcome.phase === 'gone'));
  if (rechecked.length > 0) {
    try {
      const written = new Set(await ctx.ports.ecs.setAttribute(rechecked.map((s) => s.arn as string), DRAIN_STEP_ATTRIBUTE, token));
      const missed = rechecked.filter((s) => !written.has(s.arn as string));
      const stale = missed.filter((s) => s.heldStep !== undefined);
      const unmarked = missed.filter((s) => s.heldStep === undefined);
      if (stale.length > 0) failures.fail(stale.map((s) => s.record), 'writing the drain step token', new HeadroomError('transient', 'ECS did not write the drain step token'), { instances: stale.map((s) => s.outcome.instanceId) });
      if (unmarked.length > 0) ctx.ports.log.warn('drain step token not written; the instance holds no step mark, so its next check goes on without one', { instances: unmarked.map((s) => s.outcome.instanceId) });
    } catch (error) {
      failures.fail(
        rechecked.map((s) => s.record),
        'writing the drain step token',
        error,
        { instances: rechecked.map((s) => s.outcome.instanceId) },
      );
    }
  }
  if (ended.length > 0) {
    try {
      await ctx.ports.ecs.setAttribute(ended.map((s) => s.arn as string), DRAIN_STEP_ATTRIBUTE, doneToken(ctx.ports.now()));
    } catch (error) {
      // Only an optimisation: without the marker the tick may revive the drain once, which finds the hook gone.
      ctx.ports.log.warn('marking ended drains failed', { instances: ended.map((s) => s.outcome.instanceId), error: String(error) });
    }
  }
}
