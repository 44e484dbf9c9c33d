/**
 * The value types of the environment (docs/configuration.md): booleans, ports, durations,
 * URLs, CIDR lists, the order SLA table. Each turns the text of a variable into its value or
 * an issue naming what was expected.
 */
import { z } from 'zod';
import { ORDER_TYPES, type OrderType } from '../event/event.js';
import { parseCidr, type Cidr } from '../lib/cidr.js';
import { parseTrustProxy, type ProxyTrust } from '../lib/client-address.js';
import { parseDuration } from '../lib/duration.js';

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const cidrList = z
  .string()
  .optional()
  .transform((value, ctx): Cidr[] => {
    const out: Cidr[] = [];
    for (const part of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      try {
        out.push(parseCidr(part));
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not an IP address or CIDR range` });
      }
    }
    return out;
  });

export const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx): ProxyTrust => {
    try {
      return parseTrustProxy(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return false;
    }
  });

/** A duration (`30s`, `15m`, `2h`, `3d`) in milliseconds. */
export const duration = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx): number => {
      const text = value === undefined || value.trim() === '' ? fallback : value;
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: use a number with s, m, h or d (e.g. ${fallback})` });
        return 0;
      }
      return ms;
    });

/** A duration in ms, or null for `off` (the feature is disabled). */
export const durationOrOff = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx): number | null => {
      const text = value === undefined || value.trim() === '' ? fallback : value.trim();
      if (text.toLowerCase() === 'off') return null;
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration or off: use a number with s, m, h or d (e.g. ${fallback}), or off` });
        return null;
      }
      return ms;
    });

/** docs/design.md#reconciliation: how long an order of each type may stay open. */
export const DEFAULT_ORDER_SLA = 'reservation=4h,reservation_cancellation=4h,activation=72h,address_update=72h,unknown=72h';

/** ORDER_SLA: one duration for every type, or `type=duration` pairs over the defaults. */
export const orderSla = z
  .string()
  .optional()
  .transform((value, ctx): Record<OrderType, number> => {
    const sla = Object.fromEntries(
      DEFAULT_ORDER_SLA.split(',').map((pair) => [pair.split('=')[0], parseDuration(pair.split('=')[1]!)]),
    ) as Record<OrderType, number>;
    if (value === undefined || value.trim() === '') return sla;
    const single = parseDuration(value);
    if (single !== null && single > 0) return Object.fromEntries(ORDER_TYPES.map((t) => [t, single])) as Record<OrderType, number>;
    for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [type, text] = part.split('=').map((x) => x.trim());
      const ms = text === undefined ? null : parseDuration(text);
      if (!(ORDER_TYPES as readonly string[]).includes(type ?? '') || ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${part}": expected <order type>=<duration> with a type of ${ORDER_TYPES.join(', ')}, or one duration` });
        continue;
      }
      sla[type as OrderType] = ms;
    }
    return sla;
  });

export const basicAuth = optionalString.refine((v) => v === undefined || /^[^:]+:.+$/.test(v), {
  message: 'must be user:password',
});

/** An optional URL with one of `protocols`. */
export function url(protocols: string[]): z.ZodType<string | undefined>;
/** A URL with one of `protocols`, `fallback` when unset. */
export function url(protocols: string[], fallback: string): z.ZodType<string>;
export function url(protocols: string[], fallback?: string): z.ZodType<string | undefined> {
  const checked = optionalString.refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
    message: `must be a URL starting with ${protocols.join(' or ')}`,
  });
  return fallback === undefined ? checked : checked.transform((v) => v ?? fallback);
}
