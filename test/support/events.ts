/** Shared fixtures for the rules and route tests: events, the documented example (docs/rules.md), stand-in deps. */
import type { ChannelConfig, TemplateConfig } from '../../src/config/channel-config.js';
import { renderTemplate } from '../../src/deliver/templates.js';
import type { NormalisedEvent } from '../../src/event/event.js';

/** A valid Standard Webhooks secret (base64 of 24 bytes). */
export const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** docs/design.md#rules-file, verbatim. */
export const EXAMPLE_RULES_YAML = `channels:
  ops-slack:   { type: slack,   channel: C0123456789 }          # one thread per order
  noc-email:   { type: email,   to: [noc@example.com] }
  oss:         { type: webhook, url: https://oss.example.com/colt, secret: \${OSS_WEBHOOK_SECRET} }
  console:     { type: log }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email]
  - name: everything-to-oss
    notify: [oss]
  - name: uk-freephone-done
    match: { status: completed, orderType: activation, numberType: freephone, number: { prefix: "+44800" } }
    notify: [noc-email]
    stop: true
`;

/** A completed geo activation in France unless overridden. */
export function makeEvent(overrides: Partial<NormalisedEvent> = {}): NormalisedEvent {
  return {
    type: `order.${overrides.status ?? 'completed'}`,
    source: 'callback',
    detailsMissing: null,
    failure: null,
    eventId: 'evt_1',
    orderId: 'IN-ORD-1',
    status: 'completed',
    rawStatus: 'completed',
    orderType: 'activation',
    occurredAt: '2025-01-01T10:00:00.000Z',
    receivedAt: '2025-01-01T10:00:01.000Z',
    numbers: [{ start: '+33382500010', end: '+33382500019', country: 'FR' }],
    numberType: 'geo',
    customerRef: 'CUST-7',
    stale: false,
    order: null,
    payload: {},
    ...overrides,
  };
}

/**
 * Stand-in for the receiver's normaliser: a flat object whose keys are docs/design.md#normalised-event names, with
 * `number` (one E.164 number) as a shorthand for `numbers`.
 */
export function flatNormalise(payload: unknown): NormalisedEvent {
  if (typeof payload !== 'object' || payload === null) throw new Error('callback must be an object');
  const { number, ...fields } = payload as Record<string, unknown>;
  const numbers = typeof number === 'string' ? [{ start: number, end: number, country: null }] : [];
  return makeEvent({ numbers, ...(fields as Partial<NormalisedEvent>), payload });
}

/** A renderer built on renderTemplate: the channel's templates, or a plain default. */
export function simpleRender(
  _name: string,
  config: ChannelConfig,
  event: NormalisedEvent,
): { subject?: string; text: string } {
  const templates: TemplateConfig = config.type === 'webhook' || config.type === 'colt-ticket' ? {} : config;
  const text = renderTemplate(templates.text ?? 'Order {{orderId}} is {{status}}', event, 'none');
  return templates.subject === undefined ? { text } : { subject: renderTemplate(templates.subject, event, 'none'), text };
}
