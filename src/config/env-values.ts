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

/**
 * A W3C Baggage-style list, `key=value,key2=value2`, values percent-decoded: the format of
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. Unset or empty: `{}`.
 */
export const keyValueList = (example: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const part of (value ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
        const eq = part.indexOf('=');
        const key = eq > 0 ? part.slice(0, eq).trim() : '';
        let decoded: string | null = null;
        try {
          decoded = eq > 0 ? decodeURIComponent(part.slice(eq + 1).trim()) : null;
        } catch {
          decoded = null;
        }
        if (!key || decoded === null) {
          // The pair is not quoted: it may be a credential (OTEL_EXPORTER_OTLP_HEADERS).
          ctx.addIssue({ code: 'custom', message: `expected comma-separated key=value pairs (values percent-encoded), e.g. ${example}` });
          return out;
        }
        out[key] = decoded;
      }
      return out;
    });

/** OTLP protocols the relay exports with; `grpc` is refused with the reason. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** OTEL_EXPORTER_OTLP_PROTOCOL and its per-signal twin. */
export const otlpProtocol = z
  .string()
  .optional()
  .transform((value, ctx): OtlpProtocol | undefined => {
    const text = value?.trim();
    if (!text) return undefined;
    if ((OTLP_PROTOCOLS as readonly string[]).includes(text)) return text as OtlpProtocol;
    const why = text === 'grpc' ? 'gRPC export is not built in' : `"${text}" is not an OTLP protocol`;
    ctx.addIssue({ code: 'custom', message: `${why}: use http/protobuf (the default, port 4318 on a collector) or http/json` });
    return undefined;
  });

/** OTEL_TRACES_SAMPLER values the relay knows (the SDK's built-in samplers). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/** OTEL_TRACES_SAMPLER_ARG: a ratio in [0, 1]. */
export const samplerRatio = z
  .string()
  .optional()
  .transform((value, ctx): number | undefined => {
    const text = value?.trim();
    if (!text) return undefined;
    const ratio = Number(text);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a sampling ratio: use a number from 0 to 1 (e.g. 0.25)` });
      return undefined;
    }
    return ratio;
  });
