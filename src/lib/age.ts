/** Ages for retention commands: `90d`, `36h`. */

const UNIT_MS = { d: 86_400_000, h: 3_600_000 } as const;

/** The accepted form, for schemas and messages. */
export const AGE_PATTERN = /^(\d{1,6})([dh])$/;

/** `90d`, `36h` → milliseconds; null for anything else. */
export function parseAge(text: string): number | null {
  const match = AGE_PATTERN.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
