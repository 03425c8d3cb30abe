/** What the recorded window tells: desired-count curves, interruptions and failed launches. */
import { desiredCurve, flatCurve, interruptionCount, interruptionRate, launchFailureWindows } from '../../../cli/record/history';
import type { Activity } from '../../../cli/record/record-reads';

const T0 = Date.UTC(2026, 0, 1);
const at = (minute: number): number => T0 + minute * 60_000;

describe('desired-count curve', () => {
  it.each([
    ['flat samples: the first and the end of the window', [[at(0), 4], [at(5), 4], [at(10), 4]], 60, [[0, 4], [60, 4]]],
    ['a step keeps the sample before it, so interpolation stays a step', [[at(0), 4], [at(5), 4], [at(10), 9], [at(15), 9]], 20, [[0, 4], [5, 4], [10, 9], [20, 9]]],
    ['averages are rounded to whole tasks', [[at(0), 3.6], [at(5), 4.4]], 10, [[0, 4], [10, 4]]],
    ['samples out of order and before the window', [[at(10), 2], [at(-5), 7], [at(0), 1]], 10, [[0, 1], [10, 2]]],
    ['no sample', [], 10, []],
  ])('%s', (_rule, samples, duration, expected) => {
    expect(desiredCurve(samples as Array<[number, number]>, T0, duration)).toEqual(expected);
  });

  it('a service with no history holds its count', () => {
    expect(flatCurve(3, 1440)).toEqual([[0, 3], [1440, 3]]);
  });
});

function activity(minute: number, status: string, description: string, cause: string): Activity {
  return { start: at(minute), status, description, cause };
}

describe('activities', () => {
  const activities = [
    activity(10, 'Successful', 'Terminating EC2 instance: i-1', 'At 2026-01-01T00:10:00Z an instance was taken out of service in response to an EC2 instance rebalance recommendation.'),
    activity(20, 'Successful', 'Terminating EC2 instance: i-2', 'At 2026-01-01T00:20:00Z an instance was taken out of service in response to a Spot Instance interruption notice.'),
    activity(25, 'Successful', 'Terminating EC2 instance: i-5', 'At 2026-01-01T00:25:00Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.'),
    activity(30, 'Successful', 'Terminating EC2 instance: i-3', 'At 2026-01-01T00:30:00Z a user request explicitly set group desired capacity changing the desired capacity from 3 to 2.'),
    activity(40, 'Failed', 'Launching a new EC2 instance.  Status Reason: We currently do not have sufficient m5.large capacity. Launching EC2 instance failed.', 'At 2026-01-01T00:40:00Z an instance was started in response to a difference between desired and actual capacity'),
    activity(45, 'Failed', 'Launching a new EC2 instance.  Status Reason: InsufficientInstanceCapacity', 'At 2026-01-01T00:45:00Z an instance was started in response to a difference between desired and actual capacity'),
    activity(90, 'Failed', 'Launching a new EC2 instance.  Status Reason: InsufficientInstanceCapacity', 'At 2026-01-01T01:30:00Z an instance was started'),
    activity(95, 'Successful', 'Launching a new EC2 instance: i-4', 'At 2026-01-01T01:35:00Z an instance was started'),
  ];

  it('counts terminations for a Spot interruption, a rebalance recommendation or a failed EC2 health check, not a scale-in', () => {
    expect(interruptionCount(activities)).toBe(3);
    expect(interruptionRate(2, 40)).toBe(0.05);
    expect(interruptionRate(2, 0)).toBe(0);
  });

  it('failed launches become windows, merged where they overlap, cut at the end of the window', () => {
    expect(launchFailureWindows(activities, T0, 95)).toEqual([
      { fromMinute: 40, toMinute: 55 },
      { fromMinute: 90, toMinute: 95 },
    ]);
  });
});
