/**
 * The policies a run compares, built fresh for each world (policies keep per-run state such as
 * cooldown clocks). `headroom` runs the real Lambda handlers on in-memory adapters.
 */
import type { Config } from '../../core/config';
import { baselineConfig } from './headroom/environment';
import { seedReferenceShapeOf } from '../scenario/reference-shape';
import type { Policy } from './policy';
import type { PolicyName, Scenario } from '../scenario/scenario';
import type { Submission } from '../scenario/workload';
import { ecsCasPolicy } from './ecs-cas';
import { headroomPolicy } from './headroom/headroom';
import { peakFleet, staticPeakPolicy } from './static-peak';
import { ugnsPolicy } from './ugns';

export interface PolicyContext {
  readonly scenario: Scenario;
  readonly submissions: readonly Submission[];
  /** The headroom policy's configuration (documented defaults + the scenario's env). */
  readonly config: Config;
}

export function makePolicy(name: PolicyName, ctx: PolicyContext): Policy {
  switch (name) {
    case 'headroom':
      return headroomPolicy(ctx.scenario, ctx.config);
    case 'ugns': {
      // ugns runs at the seed design's own settings, its reference shape included: the scenario's
      // env (TASK_CPU, thresholds) and Headroom's defaults tune headroom only.
      const defaults = baselineConfig(ctx.scenario);
      return ugnsPolicy(defaults, seedReferenceShapeOf(ctx.scenario, defaults.taskShape));
    }
    case 'ecs-cas':
      return ecsCasPolicy(ctx.scenario);
    case 'static-peak':
      return staticPeakPolicy(peakFleet(ctx.scenario, ctx.submissions));
  }
}
