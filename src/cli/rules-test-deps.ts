/** The receiver's normaliser, as `rules test` needs it: a callback file → a §4.2 event. */
import type { NormalisedEvent } from '../event/event.js';
import { isObject, normaliseCallback } from '../receive/normalise.js';

export function normaliseForRulesTest(payload: unknown): NormalisedEvent {
  if (!isObject(payload)) throw new Error('the event file must hold a JSON object (a callback body)');
  const result = normaliseCallback(payload, { eventId: 'rules-test', receivedAt: new Date() });
  if (!result.ok || !result.event) {
    const issues = result.ok ? [] : result.issues;
    throw new Error(`not a callback: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
  return result.event;
}
