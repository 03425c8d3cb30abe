/**
 * CloudWatch adapter: the `Metrics` port. Calls used: PutMetricData (every datum of an invocation in
 * one call; split only past 1,000 datums, the API limit) and GetMetricData (the `SchedulableTasks`
 * history for the scale-in stabilisation window; one call per 100,800 points, i.e. one).
 */
import { CloudWatchClient, PutMetricDataCommand, paginateGetMetricData, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { MetricDatum, MetricName } from '../../core/metrics';
import type { HeadroomSample } from '../../core/scale-in';
import type { Metrics } from '../ports';
import { chunks, classify } from './util';

export class CloudWatchMetrics implements Metrics {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly namespace: string,
    private readonly cluster: string,
  ) {}

  async publish(datums: readonly MetricDatum[], at: number): Promise<void> {
    if (datums.length === 0) return;
    const timestamp = new Date(at);
    const dimensions = [{ Name: 'ClusterName', Value: this.cluster }];
    try {
      for (const batch of chunks(datums, 1000)) {
        await this.client.send(
          new PutMetricDataCommand({
            Namespace: this.namespace,
            MetricData: batch.map((d) => ({ MetricName: d.name, Value: d.value, Unit: d.unit as StandardUnit, Timestamp: timestamp, Dimensions: dimensions })),
          }),
        );
      }
    } catch (error) {
      classify(error, 'publishing metrics');
    }
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
