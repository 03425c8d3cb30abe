/** Reading a run's event log for the report: markers and per-group desired capacity. */
import { eventsOf, stepAt } from '../../sim/report/report-events';

const LOG = [
  '10.00 asg: headroom sets desired of spot 3 → 5',
  '12.50 ecs: headroom sets i-7 DRAINING',
  '14.00 asg: headroom terminates i-7 (desired −1)',
  '15.00 asg: headroom terminates i-8',
  '20.00 asg: headroom sets desired of spot 4 → 2',
  '21.00 something the report does not know',
  'not even a minute',
];

describe('eventsOf', () => {
  it('turns desired changes, terminations with decrement and DRAINING into markers', () => {
    const { markers } = eventsOf(LOG, { spot: 3 });
    expect(markers).toEqual([
      { minute: 10, kind: 'scale-out', count: 2 },
      { minute: 12.5, kind: 'drain', count: 1 },
      { minute: 14, kind: 'scale-in', count: 1 },
      { minute: 20, kind: 'scale-in', count: 2 },
    ]);
  });

  it.each([
    ['one group: a decrement lowers its desired at once', { spot: 3 }, [3, 5, 4, 2]],
    ['several groups: the next change of the group corrects it', { spot: 3, ondemand: 1 }, [3, 5, 5, 2]],
  ])('%s', (_rule, initial, expected) => {
    const { desired } = eventsOf(LOG, initial);
    expect(stepAt(desired.spot ?? [], [0, 11, 16, 25], 3)).toEqual(expected);
  });
});
