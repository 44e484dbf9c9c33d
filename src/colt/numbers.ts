/**
 * Colt's split number format ↔ E.164 (colt-api.md "Numbers: split format ↔ E.164").
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

/** Accepts `GB`, `UK`, `gb`; returns null for anything Colt does not serve. */
export function toColtCountry(value: unknown): ColtCountry | null {
  if (typeof value !== 'string') return null;
  const upper = value.trim().toUpperCase();
  const code = upper === 'UK' ? 'GB' : upper;
  return isColtCountry(code) ? code : null;
}

export interface SplitNumber {
  country: ColtCountry;
  areaCode: string;
  /** Absent for Germany, which has no extension. */
  areaCodeExtn?: string;
  rangeStart: string;
  rangeEnd?: string;
  /** Italy's Geo numbers keep the area code's leading 0. */
  numberType?: string;
}

const digitsOnly = (s: string) => s.replace(/\D/g, '');

/** The national part before rangeStart/rangeEnd, per the country's rule. */
function nationalPrefix(n: SplitNumber): string {
  const area = digitsOnly(n.areaCode);
  const extn = digitsOnly(n.areaCodeExtn ?? '');
  if (n.country === 'DE') return area;
  if (n.country === 'IT' && isGeo(n.numberType)) return area + extn;
  return area.replace(/^0+/, '') + extn;
}

function isGeo(numberType: string | undefined): boolean {
  return numberType !== undefined && /^(in[\s_-]*)?geo(graphic)?$/i.test(numberType.trim());
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
