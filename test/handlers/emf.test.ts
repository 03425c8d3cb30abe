/** Embedded Metric Format documents: the contract's names, one dimension, the format's limits. */
import { EMF_MAX_METRICS, EMF_MAX_VALUES, emfLines } from '../../handlers/aws/emf';
import type { MetricDatum } from '../../core/metrics';

const AT = Date.parse('2025-06-01T12:00:00Z');
const datum = (name: string, value: number, unit = 'Count'): MetricDatum => ({ name, value, unit }) as MetricDatum;

describe('emfLines', () => {
  it('one document: timestamp, namespace, the ClusterName dimension, every metric with its unit and value', () => {
    const [line, ...rest] = emfLines('Headroom', 'demo', [datum('SchedulableTasks', 7), datum('CpuReservedPercent', 61.5, 'Percent')], AT);
    expect(rest).toEqual([]);
    expect(JSON.parse(line as string)).toEqual({
      _aws: { Timestamp: AT, CloudWatchMetrics: [{ Namespace: 'Headroom', Dimensions: [['ClusterName']], Metrics: [{ Name: 'SchedulableTasks', Unit: 'Count' }, { Name: 'CpuReservedPercent', Unit: 'Percent' }] }] },
      ClusterName: 'demo',
      SchedulableTasks: 7,
      CpuReservedPercent: 61.5,
    });
  });

  it('a metric published twice in one batch keeps both values (an array)', () => {
    const doc = JSON.parse(emfLines('H', 'c', [datum('DrainSeconds', 5, 'Seconds'), datum('DrainSeconds', 9, 'Seconds')], AT)[0] as string);
    expect(doc.DrainSeconds).toEqual([5, 9]);
    expect(doc._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'DrainSeconds', Unit: 'Seconds' }]);
  });

  it.each([
    ['more than 100 metric names', Array.from({ length: EMF_MAX_METRICS + 1 }, (_, k) => datum(`M${k}`, k)), 2],
    ['more than 100 values of one metric', Array.from({ length: EMF_MAX_VALUES + 1 }, (_, k) => datum('DrainSeconds', k)), 2],
  ])('splits at the format limit: %s', (_rule, datums, docs) => {
    const lines = emfLines('H', 'c', datums, AT);
    expect(lines).toHaveLength(docs);
    const values = lines.flatMap((l) => {
      const d = JSON.parse(l);
      return d._aws.CloudWatchMetrics[0].Metrics.flatMap((m: { Name: string }) => [d[m.Name]].flat());
    });
    expect(values).toHaveLength(datums.length);
  });
});
