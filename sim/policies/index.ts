/**
 * The policies a run compares, built fresh for each world (policies keep per-run state such as
 * cooldown clocks). `headroom` runs the real Lambda handlers on in-memory adapters.
 */
import type { Resources } from '../../core/cluster';
import type { Config } from '../../core/config';
import { baselineConfig } from '../environment';
import type { Policy } from '../policy';
import type { PolicyName, Scenario } from '../scenario';
import type { Submission } from '../workload';
import { ecsCasPolicy } from './ecs-cas';
import { headroomPolicy } from './headroom';
import { peakFleet, staticPeakPolicy } from './static-peak';
import { ugnsPolicy } from './ugns';

export interface PolicyContext {
  readonly scenario: Scenario;
  readonly submissions: readonly Submission[];
  readonly config: Config;
  readonly referenceShape: Resources;
}

export function makePolicy(name: PolicyName, ctx: PolicyContext): Policy {
  switch (name) {
    case 'headroom':
      return headroomPolicy(ctx.scenario, ctx.config);
    case 'ugns':
      return ugnsPolicy(baselineConfig(ctx.scenario), ctx.referenceShape);
    case 'ecs-cas':
      return ecsCasPolicy();
    case 'static-peak':
      return staticPeakPolicy(peakFleet(ctx.scenario, ctx.submissions));
  }
}
