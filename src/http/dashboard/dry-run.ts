/**
 * The rules page's dry run: a pasted callback → the event the receiver would make, the
 * rules that fire, the channels reached and what each would send. Nothing is stored or sent.
 */
import { normaliseForRulesTest } from '../../cli/rules-test-deps.js';
import type { RulesConfig } from '../../config/rules/rules.js';
import { renderMessage } from '../../deliver/channels/index.js';
import type { NormalisedEvent } from '../../event/event.js';
import { routeEvent, type RouteResult } from '../../route/router.js';
import { describeDecisions } from '../../route/explain.js';

/** A channel's message as the dry run shows it. */
export interface DryRunMessage {
  channel: string;
  channelType: string;
  rules: string[];
  subject?: string;
  text: string;
  body?: unknown;
  /** Rendering failed (a template problem): why. */
  error?: string;
  /** Grouping, quiet hours and rate limit as they apply now (§8.6), one phrase each. */
  decisions: string[];
}

export type DryRunResult =
  | { ok: false; error: string }
  | { ok: true; event: NormalisedEvent; route: RouteResult; messages: DryRunMessage[] };

/** Largest callback the form accepts; the receiver's own default limit. */
export const DRY_RUN_MAX_CHARS = 262_144;

/** Normalises, routes and renders one pasted callback; every failure is a message, never a throw. */
export function dryRun(rules: RulesConfig, input: string, nowMs: number): DryRunResult {
  if (input.length > DRY_RUN_MAX_CHARS) return { ok: false, error: `the callback is longer than ${DRY_RUN_MAX_CHARS} characters` };
  let payload: unknown;
  try {
    payload = JSON.parse(input);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  let event: NormalisedEvent;
  try {
    event = normaliseForRulesTest(payload);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const route = routeEvent(rules, event);
  const messages = route.deliveries.map((d): DryRunMessage => {
    const config = rules.channels[d.channel]!;
    const base = { channel: d.channel, channelType: d.channelType, rules: d.rules, decisions: describeDecisions(d, config, new Date(nowMs)) };
    try {
      const m = renderMessage(d.channel, config, event, nowMs);
      return { ...base, ...(m.subject !== undefined && { subject: m.subject }), text: m.text, body: m.body };
    } catch (error) {
      return { ...base, text: '', error: (error as Error).message };
    }
  });
  return { ok: true, event, route, messages };
}

/** The sample the form starts with: a failed number activation, flat Colt shape. */
export const SAMPLE_CALLBACK = JSON.stringify(
  {
    orderId: 'IN-ORD-100235',
    orderType: 'Number Activation',
    orderStatus: 'Failed',
    timestamp: '2026-11-26T10:20:00Z',
    code: 'E-4021',
    reason: 'Address validation failed',
  },
  null,
  2,
);
