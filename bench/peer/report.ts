/** The tables of bench/peer.bench.ts: per mode, medians over rounds, each round, and relay/peer ratios. */
import { CONTENDERS, type ContenderName } from './contenders.js';
import { median, type RunResult } from './summary.js';

const LABEL: Record<ContenderName, string> = {
  relay: 'colt-relay serve',
  peer: 'peer (Hono + postgres.js + graphile-worker)',
};

const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
const cost = (value: number) => value.toFixed(3);

function medianRow(runs: RunResult[], saturation: boolean) {
  const m = (pick: (r: RunResult) => number) => median(runs.map(pick));
  const sum = (pick: (r: RunResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
  return {
    contender: LABEL[runs[0]!.contender],
    ...(saturation && { 'delivered/s': m((r) => r.deliveredPerS).toFixed(0) }),
    'p50 ms': ms(m((r) => r.p50)),
    'p95 ms': ms(m((r) => r.p95)),
    'p99 ms': ms(m((r) => r.p99)),
    'answered p50 ms': ms(m((r) => r.answerP50)),
    'answer→webhook p50 ms': ms(m((r) => r.outboxP50)),
    'lost/doubled/errors': `${sum((r) => r.lost)}/${sum((r) => r.doubled)}/${sum((r) => r.errors + r.unverified)}`,
    'CPU ms/cb': cost(m((r) => r.cpuMs)),
    'PG CPU ms/cb': cost(m((r) => r.pgCpuMs)),
    'commits/cb': cost(m((r) => r.commits)),
  };
}

function roundLine(r: RunResult, saturation: boolean): string {
  const rate = saturation ? `${r.deliveredPerS.toFixed(0)}/s ` : '';
  const lag = saturation ? '' : ` send lag ≤${r.maxLagMs.toFixed(1)}`;
  const unfinished = r.finished ? '' : ' UNFINISHED';
  return (
    `  round ${r.round} ${r.contender.padEnd(5)} ${rate}p50 ${ms(r.p50)} p95 ${ms(r.p95)} p99 ${ms(r.p99)} ms` +
    ` answered ${ms(r.answerP50)} → webhook ${ms(r.outboxP50)}` +
    ` delivered ${r.delivered}/${r.sent} lost ${r.lost} doubled ${r.doubled} errors ${r.errors} unverified ${r.unverified}` +
    ` CPU ${cost(r.cpuMs)} PG ${cost(r.pgCpuMs)} commits ${cost(r.commits)}${lag} load1 ${r.load1.toFixed(2)}${unfinished}`
  );
}

const ratio = (relay: number, peer: number) => (relay / peer).toFixed(2);

/** Prints one mode's table, its rounds and its ratios; `results` holds that mode's runs. */
export function printMode(mode: string, results: RunResult[]): void {
  const saturation = mode === 'saturation';
  const runs = (c: ContenderName) => results.filter((r) => r.contender === c).sort((a, b) => a.round - b.round);
  const [relay, peer] = [runs('relay'), runs('peer')];
  console.log(`\n${mode}`);
  console.table(CONTENDERS.map((c) => medianRow(runs(c), saturation)));
  for (const r of [...results].sort((a, b) => a.round - b.round || a.contender.localeCompare(b.contender))) console.log(roundLine(r, saturation));
  const m = (rs: RunResult[], pick: (r: RunResult) => number) => median(rs.map(pick));
  if (saturation) {
    const perRound = relay.map((r, i) => ratio(r.deliveredPerS, peer[i]!.deliveredPerS)).join(', ');
    console.log(`  relay/peer delivered/s: ${ratio(m(relay, (r) => r.deliveredPerS), m(peer, (r) => r.deliveredPerS))} (per round: ${perRound})`);
  }
  const latency = (['p50', 'p95', 'p99'] as const).map((p) => `${p} ${ratio(m(relay, (r) => r[p]), m(peer, (r) => r[p]))}`).join(', ');
  console.log(`  relay/peer latency (below 1: the relay is faster): ${latency}`);
}
