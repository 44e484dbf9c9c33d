/** The metric-name reader behind the allow-list test (live-relay.test.ts) finds names, and only names. */
import { describe, expect, it } from 'vitest';
import { promqlMetricNames, variableQueryMetricNames } from './promql-names.js';

describe('promqlMetricNames', () => {
  it.each([
    ['up{job="colt-relay"} == 0 or absent(up{job="colt-relay"})', ['up']],
    [
      'histogram_quantile(0.99, sum by (le, channel_type) (rate(colt_relay_delivery_attempt_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))',
      ['colt_relay_delivery_attempt_duration_seconds_bucket'],
    ],
    [
      '(max(a_total{status="dead"}) - min_over_time(max(a_total{status="dead"})[15m:])) > 0 or on () round(sum(increase(b_total[15m]))) > 0',
      ['a_total', 'b_total'],
    ],
    ['sum(rate(x_total{reason=~"a|b"}[5m])) by (reason) / ignoring (reason) group_left sum(y) > bool 1e3', ['x_total', 'y']],
    ['max by (channel) (colt_relay_channel_disabled) == 1 unless c offset 5m', ['colt_relay_channel_disabled', 'c']],
    ['sum without (instance) (m{label="sum(by)"}) # a comment naming not_a_metric', ['m']],
    ['level:recorded:rate5m * 2', ['level:recorded:rate5m']],
    ['vector(1) + time()', []],
  ])('%s', (expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });
});

describe('variableQueryMetricNames', () => {
  it('reads the selector of label_values(selector, label), nothing of label_values(label)', () => {
    expect(variableQueryMetricNames('label_values(colt_relay_queue_depth{job=~"$job"}, instance)')).toEqual(['colt_relay_queue_depth']);
    expect(variableQueryMetricNames('label_values(job)')).toEqual([]);
    expect(variableQueryMetricNames('query_result(topk(3, q_total))')).toEqual(['q_total']);
  });
});
