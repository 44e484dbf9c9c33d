/** The shipped monitoring files (deploy/), read as Prometheus and Grafana read them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { promqlMetricNames, variableQueryMetricNames } from './promql-names.js';

export const RULES_FILE = fileURLToPath(new URL('../../deploy/prometheus/colt-relay.rules.yaml', import.meta.url));
export const RULES_TEST_FILE = fileURLToPath(new URL('../../deploy/prometheus/colt-relay.rules.test.yaml', import.meta.url));
/** The alerts' runbooks: the `## Runbooks` section of the operations guide, one `###` heading per alert. */
export const RUNBOOKS_FILE = fileURLToPath(new URL('../../docs/operations.md', import.meta.url));
export const DASHBOARD_FILE = fileURLToPath(new URL('../../deploy/grafana/colt-relay.json', import.meta.url));

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every alerting rule of the rules file, over all groups. */
export function readAlertRules(): AlertRule[] {
  const file = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return file.groups.flatMap((group) => group.rules);
}

/** A Grafana panel as far as these tests look at it. */
export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
  panels?: Panel[];
}

export interface TemplateVariable {
  type: string;
  name: string;
  query: string | { query: string };
  definition?: string;
  datasource?: { type: string; uid: string };
}

export interface Dashboard {
  title: string;
  uid?: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: TemplateVariable[] };
  [key: string]: unknown;
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Panels with the panels of collapsed rows, rows themselves left out. */
export function dashboardPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** One PromQL expression and where it lives, for messages. */
export interface ShippedExpression {
  where: string;
  expr: string;
  /** Metric names it reads. */
  names: string[];
}

export function variableQuery(variable: TemplateVariable): string {
  return typeof variable.query === 'string' ? variable.query : variable.query.query;
}

/** The expressions of every alert and of every dashboard panel and query variable. */
export function shippedExpressions(): ShippedExpression[] {
  const rules = readAlertRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr, names: promqlMetricNames(r.expr) }));
  const dashboard = readDashboard();
  const targets = dashboardPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ where: `panel "${panel.title}" ${t.refId}`, expr: t.expr, names: promqlMetricNames(t.expr) })),
  );
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable $${v.name}`, expr: variableQuery(v), names: variableQueryMetricNames(variableQuery(v)) }));
  return [...rules, ...targets, ...variables];
}

/**
 * A dashboard expression with Grafana's variables replaced by what Grafana would send,
 * so that Prometheus' parser can read it.
 */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '30s')
    .replaceAll('$__range', '6h')
    .replace(/\$\{?(\w+)\}?/g, '.*');
}
