/**
 * Hourly bar charts as inline SVG: no script, no library, they print and scale. One
 * stacked bar per hour; hovering a bar shows its counts (SVG <title>).
 */
import type { HourWindow } from '../../store/dashboard.repo.js';

/** One stacked layer: its counts per hour, colour and legend name. */
export interface ChartLayer {
  name: string;
  color: string;
  values: number[];
}

const W = 720;
const H = 170;
const PAD = { left: 34, right: 8, top: 10, bottom: 22 };
const HOUR_MS = 3_600_000;

/** A round axis maximum at or above the largest bar: 1, 2, 5, 10, 20, 50, … */
function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

function hourLabel(window: HourWindow, i: number): string {
  return `${new Date(window.start.getTime() + i * HOUR_MS).toISOString().slice(11, 16)}`;
}

/** A stacked hourly bar chart with a legend; `unit` names what is counted (tooltips, aria). */
export function HourlyChart(props: { window: HourWindow; layers: ChartLayer[]; unit: string }) {
  const { window, layers, unit } = props;
  const totals = Array.from({ length: window.hours }, (_, i) => layers.reduce((sum, l) => sum + (l.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / window.hours;
  const barW = Math.max(2, slot * 0.72);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const sum = totals.reduce((a, b) => a + b, 0);
  return (
    <div class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${sum} ${unit} in the last ${window.hours} hours`}>
        {[0, 0.5, 1].map((f) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} stroke="#e3e6ea" stroke-width="1" />
            <text x={PAD.left - 6} y={y(max * f) + 4} text-anchor="end" font-size="11" fill="#5d6673">
              {Number.isInteger(max * f) ? String(max * f) : ''}
            </text>
          </g>
        ))}
        {totals.map((total, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          let base = 0;
          const detail = layers.map((l) => `${l.name} ${l.values[i] ?? 0}`).join(', ');
          return (
            <g>
              <title>{`${hourLabel(window, i)}–${hourLabel(window, i + 1)} UTC: ${total} ${unit}${layers.length > 1 ? ` (${detail})` : ''}`}</title>
              <rect x={x} y={PAD.top} width={barW} height={plotH} fill="transparent" />
              {layers.map((l) => {
                const v = l.values[i] ?? 0;
                if (v <= 0) return null;
                const top = y(base + v);
                const height = y(base) - top;
                base += v;
                return <rect x={x} y={top} width={barW} height={Math.max(1, height)} rx="2" fill={l.color} />;
              })}
            </g>
          );
        })}
        {Array.from({ length: window.hours }, (_, i) => i)
          .filter((i) => i % 6 === 0 || i === window.hours - 1)
          .map((i) => (
            <text x={PAD.left + i * slot + slot / 2} y={H - 6} text-anchor="middle" font-size="11" fill="#5d6673">
              {i === window.hours - 1 ? 'now' : hourLabel(window, i)}
            </text>
          ))}
      </svg>
      <div class="legend">
        {layers.map((l) => (
          <span>
            <i style={`background:${l.color}`} />
            {l.name} · {l.values.reduce((a, b) => a + b, 0)}
          </span>
        ))}
        <span>hours in UTC</span>
      </div>
    </div>
  );
}
