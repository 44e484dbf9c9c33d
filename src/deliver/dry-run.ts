/**
 * What a callback would cause, without storing or sending anything: the event the receiver
 * would make, the rules that fire, the channels reached, what each would be held by (a
 * disabled channel, a pause, quiet hours, a silence, a rate limit: `held`, from the relay's
 * state when the caller has it, see dry-run-holds.ts) and the message each would send. One
 * module for `colt-relay rules test`, `POST /api/rules/dry-run` and the dashboard's rules page.
 */
import type { RulesConfig } from '../config/rules/rules.js';
import type { NormalisedEvent } from '../event/event.js';
import { isObject, normaliseCallback } from '../receive/normalise.js';
import { describeDecisions } from '../route/explain.js';
import { holdsFor, type Hold, type HoldState } from '../route/holds.js';
import { quietUntil } from '../route/quiet-hours.js';
import { routeEvent, type RouteDelivery, type RouteResult } from '../route/router.js';
import { channelPolicy, type ChannelConfig } from '../config/channel-config.js';
import type { RenderedMessage } from './channel.js';
import { renderMessage } from './channels/index.js';

/** One channel reached, as it would be treated at the preview's time. */
export interface DeliveryPreview extends RouteDelivery {
  /** End of the channel's quiet hours when the preview's time falls inside them. */
  heldUntil: Date | null;
  /** Grouping, quiet hours and rate limit as they apply, one phrase each. */
  decisions: string[];
  /** What would hold it back at that time, and why; empty when it would go out at once. */
  held: Hold[];
  /** The message the channel would send; null when rendering failed (`renderError` says why). */
  message: RenderedMessage | null;
  renderError: string | null;
}

export interface RoutePreview {
  event: NormalisedEvent;
  route: RouteResult;
  deliveries: DeliveryPreview[];
}

export interface PreviewOptions {
  /** The time the messages are rendered at. */
  nowMs: number;
  /** When the deliveries would be due (quiet hours are decided for it). @default nowMs */
  at?: Date;
  /** Renders a channel's message. @default renderMessage, what the channels send */
  render?: (channelName: string, config: ChannelConfig, event: NormalisedEvent, nowMs: number) => RenderedMessage;
  /** The relay's channel state and silences (loadHoldState); absent: only quiet hours can hold. */
  holds?: HoldState;
}

/** A callback body → the event the receiver would make of it; throws, saying why, when it is not one. */
export function eventFromCallback(payload: unknown): NormalisedEvent {
  if (!isObject(payload)) throw new Error('the event file must hold a JSON object (a callback body)');
  const result = normaliseCallback(payload, { eventId: 'rules-test', receivedAt: new Date() });
  if (!result.ok || !result.event) {
    const issues = result.ok ? [] : result.issues;
    throw new Error(`not a callback: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
  return result.event;
}

/** Routes the event with `rules` and renders what each channel reached would send. */
export function previewEvent(rules: RulesConfig, event: NormalisedEvent, options: PreviewOptions): RoutePreview {
  const at = options.at ?? new Date(options.nowMs);
  const render = options.render ?? renderMessage;
  const route = routeEvent(rules, event);
  const deliveries = route.deliveries.map((d): DeliveryPreview => {
    const config = rules.channels[d.channel]!;
    const quiet = channelPolicy(config).quietHours;
    const preview = {
      ...d,
      heldUntil: quiet ? quietUntil(quiet, at) : null,
      decisions: describeDecisions(d, config, at),
      held: holdsFor(d.channel, config, event, at, options.holds),
    };
    try {
      return { ...preview, message: render(d.channel, config, event, options.nowMs), renderError: null };
    } catch (error) {
      return { ...preview, message: null, renderError: (error as Error).message };
    }
  });
  return { event, route, deliveries };
}

/** Largest pasted callback the dashboard accepts: the receiver's own default limit. */
export const DRY_RUN_MAX_CHARS = 262_144;

export type CallbackPreview = { ok: false; error: string } | ({ ok: true } & RoutePreview);

/** A pasted callback (JSON text) → its preview; every failure is a message, never a throw. */
export function previewCallback(rules: RulesConfig, input: string, nowMs: number, holds?: HoldState): CallbackPreview {
  if (input.length > DRY_RUN_MAX_CHARS) return { ok: false, error: `the callback is longer than ${DRY_RUN_MAX_CHARS} characters` };
  let payload: unknown;
  try {
    payload = JSON.parse(input);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  try {
    return { ok: true, ...previewEvent(rules, eventFromCallback(payload), { nowMs, ...(holds && { holds }) }) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** The sample a dry-run form starts with: a failed number activation, flat Colt shape. */
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
