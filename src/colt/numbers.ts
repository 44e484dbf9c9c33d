/**
 * Colt's split number format ↔ E.164 (docs/colt.md#numbers).
 * Example, France: areaCode=3, areaCodeExtn=8250, rangeStart=0010 → +33382500010.
 */

/** Countries where Colt sells IN numbers, with their calling codes. */
export const CALLING_CODES = {
  AT: '43',
  BE: '32',
  DK: '45',
  FR: '33',
  DE: '49',
  IE: '353',
  IT: '39',
  NL: '31',
  PT: '351',
  ES: '34',
  SE: '46',
  CH: '41',
  GB: '44',
} as const;
export type ColtCountry = keyof typeof CALLING_CODES;

export function isColtCountry(value: string): value is ColtCountry {
  return Object.hasOwn(CALLING_CODES, value);
}

/** ISO 3166-1 alpha-3 codes of the Colt countries. */
const ALPHA3: Record<string, ColtCountry> = {
  AUT: 'AT', BEL: 'BE', DNK: 'DK', FRA: 'FR', DEU: 'DE', IRL: 'IE', ITA: 'IT',
  NLD: 'NL', PRT: 'PT', ESP: 'ES', SWE: 'SE', CHE: 'CH', GBR: 'GB',
};

/** English names (and the usual alternatives), compared without spaces or case. */
const NAMES: Record<string, ColtCountry> = {
  austria: 'AT', belgium: 'BE', denmark: 'DK', france: 'FR', germany: 'DE', ireland: 'IE',
  republicofireland: 'IE', italy: 'IT', netherlands: 'NL', thenetherlands: 'NL', holland: 'NL',
  portugal: 'PT', spain: 'ES', sweden: 'SE', switzerland: 'CH', unitedkingdom: 'GB',
  greatbritain: 'GB', uk: 'GB',
};

const BY_CALLING_CODE = new Map<string, ColtCountry>(
  (Object.entries(CALLING_CODES) as [ColtCountry, string][]).map(([country, code]) => [code, country]),
);

/**
 * A Colt country from ISO alpha-2 (`FR`, `UK` for GB), alpha-3 (`FRA`), an English name
 * (`France`) or a calling code (`33`, `+33`, `0033`); null for anything Colt does not serve.
 */
export function toColtCountry(value: unknown): ColtCountry | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (typeof value !== 'string') return null;
  const upper = value.trim().toUpperCase();
  if (isColtCountry(upper)) return upper;
  const alpha3 = ALPHA3[upper];
  if (alpha3) return alpha3;
  const calling = /^(?:\+|00)?(\d{1,3})$/.exec(upper.replace(/\s/g, ''));
  if (calling) return BY_CALLING_CODE.get(calling[1]!) ?? null;
  return NAMES[upper.toLowerCase().replace(/[\s_\-.]/g, '')] ?? null;
}

export interface SplitNumber {
  country: ColtCountry;
  areaCode: string;
  /** Colt's extension of the area code; may be absent (Germany usually). */
  areaCodeExtn?: string;
  rangeStart: string;
  rangeEnd?: string;
  /** The number type as labelled; kept for callers, no longer needed by the rules below. */
  numberType?: string;
}

const digitsOnly = (s: string) => s.replace(/\D/g, '');
/** The national trunk prefix: one leading 0 (`030` → `30`, `0800` → `800`). */
const withoutTrunkZero = (area: string) => area.replace(/^0/, '');

/**
 * The national part before rangeStart/rangeEnd (docs/colt.md#numbers). The general rule: the
 * area code without its trunk 0, then the extension. Italy is the exception: Italian
 * geographic area codes start with 0 and keep it in E.164, and non-geographic ones never
 * start with 0, so an Italian area code keeps whatever it starts with, whatever the
 * number-type label says. Germany is published twice, as "CC + areaCode + range, no
 * extension" and under the general rule; both agree once the trunk 0 is stripped, and they
 * differ only when Colt sends an `areaCodeExtn` for a German number. It is used then, as
 * the general rule says; should Colt's German ranges already contain it, the digits would
 * appear twice, which the docs tell operators to look out for.
 */
function nationalPrefix(n: SplitNumber): string {
  const area = digitsOnly(n.areaCode);
  const extn = digitsOnly(n.areaCodeExtn ?? '');
  if (n.country === 'IT') return area + extn;
  return withoutTrunkZero(area) + extn;
}

/** E.164 start and end of a split-format range. */
export function splitToE164(n: SplitNumber): { start: string; end: string; country: ColtCountry } {
  const prefix = `+${CALLING_CODES[n.country]}${nationalPrefix(n)}`;
  const start = prefix + digitsOnly(n.rangeStart);
  const end = prefix + digitsOnly(n.rangeEnd ?? n.rangeStart);
  return { start, end, country: n.country };
}

/** The Colt country of an E.164 number, by calling code (longest match), or null. */
export function countryOfE164(e164: string): ColtCountry | null {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  let best: ColtCountry | null = null;
  for (const [country, code] of Object.entries(CALLING_CODES) as [ColtCountry, string][]) {
    if (digits.startsWith(code) && (best === null || code.length > CALLING_CODES[best].length)) best = country;
  }
  return best;
}

/** Normalises "+44 20 7946 0000", "0044…" or "44…" to "+44…"; null when not a plausible number. */
export function toE164(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (typeof value !== 'string') return null;
  let s = value.trim().replace(/[\s().-]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (!s.startsWith('+')) s = `+${s}`;
  return /^\+[1-9]\d{4,14}$/.test(s) ? s : null;
}
