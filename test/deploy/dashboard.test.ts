/**
 * deploy/grafana/colt-relay.json imports into any Grafana: the Prometheus data source is
 * the `${datasource}` variable (no data source uid of one installation), panels are laid
 * out without overlap, every query parses in Prometheus (promtool) and the panels cover
 * what an operator looks at.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { dashboardPanels, readDashboard, shippedExpressions, withGrafanaVariables, type Dashboard } from './deploy-files.js';
import { runPromtool } from './prometheus-tools.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Every object under `value` that has a `uid` and sits under a `datasource` key. */
function datasourceRefs(value: unknown, key = ''): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => datasourceRefs(v, key));
  if (value === null || typeof value !== 'object') return [];
  const own = key === 'datasource' ? [value] : [];
  return [...own, ...Object.entries(value).flatMap(([k, v]) => datasourceRefs(v, k))];
}

describe('Grafana dashboard', () => {
  let dashboard: Dashboard;
  let dir: string;
  beforeAll(async () => {
    dashboard = readDashboard();
    dir = await mkdtemp(join(tmpdir(), 'colt-relay-dashboard-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes its Prometheus data source from a ${datasource} variable, never a fixed uid', () => {
    expect(dashboard.title).toBe('colt-relay');
    expect(typeof dashboard.schemaVersion).toBe('number');
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const refs = datasourceRefs(dashboard.panels).concat(datasourceRefs(dashboard.templating.list));
    expect(refs.length).toBeGreaterThan(dashboardPanels(dashboard).length);
    for (const ref of refs) expect(ref).toEqual(DATASOURCE);
    // The one other reference is Grafana's own annotations, which every installation has.
    const annotations = datasourceRefs(dashboard['annotations']);
    for (const ref of annotations) expect(ref).toEqual({ type: 'grafana', uid: '-- Grafana --' });
  });

  it('lays its panels out on the 24-column grid without overlap, with unique ids and queries', () => {
    const cells = new Map<string, string>();
    const ids = new Set<number>();
    for (const panel of dashboard.panels.concat(dashboard.panels.flatMap((p) => p.panels ?? []))) {
      expect(ids.has(panel.id), `panel id ${panel.id}`).toBe(false);
      ids.add(panel.id);
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row++) {
        for (let col = x; col < x + w; col++) {
          const taken = cells.get(`${row},${col}`);
          expect(taken, `"${panel.title}" overlaps "${taken}"`).toBeUndefined();
          cells.set(`${row},${col}`, panel.title);
        }
      }
    }
    for (const panel of dashboardPanels(dashboard)) {
      expect(['timeseries', 'stat', 'state-timeline'], panel.title).toContain(panel.type);
      const targets = panel.targets ?? [];
      expect(targets.length, panel.title).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size, panel.title).toBe(targets.length);
      for (const target of targets) expect(target.expr.trim(), panel.title).not.toBe('');
    }
  });

  it('has only queries that Prometheus parses (promtool check rules on them as recording rules)', async () => {
    const expressions = shippedExpressions().filter((e) => !e.where.startsWith('alert '));
    expect(expressions.length).toBeGreaterThan(20);
    const rules = expressions
      .filter((e) => !e.where.startsWith('variable '))
      .map((e, i) => ({ record: `colt_relay_dashboard:query_${i}`, expr: withGrafanaVariables(e.expr) }));
    const file = join(dir, 'dashboard-queries.rules.yaml');
    await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = await runPromtool(['check', 'rules', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('shows callbacks, latencies, deliveries, queue and held work, orders, Colt, dead letters and disabled channels', () => {
    const exprs = dashboardPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const read = (fragment: string) => exprs.filter((e) => e.includes(fragment));
    for (const family of [
      'colt_relay_callbacks_total',
      'colt_relay_deliveries_total',
      'colt_relay_delivery_attempts_total',
      'colt_relay_queue_depth',
      'colt_relay_held_deliveries',
      'colt_relay_oldest_due_delivery_age_seconds',
      'colt_relay_open_orders',
      'colt_relay_overdue_orders',
      'colt_relay_colt_api_calls_total',
      'colt_relay_colt_token_refreshes_total',
      'colt_relay_channel_disabled',
    ]) {
      expect(read(family).length, family).toBeGreaterThan(0);
    }
    for (const histogram of ['colt_relay_ingest_duration_seconds_bucket', 'colt_relay_delivery_attempt_duration_seconds_bucket']) {
      const quantiles = read(histogram).map((e) => /histogram_quantile\((0\.\d+)/.exec(e)?.[1]);
      expect(quantiles, histogram).toEqual(expect.arrayContaining(['0.5', '0.99']));
    }
    expect(read('status="dead"').length).toBeGreaterThan(0);
  });
});
