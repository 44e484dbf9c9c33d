/** Durations in configuration: `90s`, `15m`, `2h`, `3d` (docs/design.md#reconciliation). */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration like `2h` or `1.5m`; null when it is not one (a bare number has no unit). */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/i.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase() as keyof typeof UNIT_MS];
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** `7200000` → `2h`, `90000` → `1.5m`: the largest unit that reads well. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms >= UNIT_MS[unit]) return `${Number((ms / UNIT_MS[unit]).toFixed(1))}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

/**
 * A point in time given as an ISO 8601 date or time (`2026-11-26T10:00:00Z`) or as a
 * duration back from now (`2h`); null when it is neither.
 */
export function parseSince(text: string, nowMs: number): Date | null {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  const ago = parseDuration(trimmed);
  return ago === null ? null : new Date(nowMs - ago);
}
