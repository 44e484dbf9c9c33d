/**
 * Why Colt says an order failed, in one line, picked from the callback body. Colt publishes
 * no schema, so this looks for the usual error fields (code, reason, message, …) nearest
 * the root; the full body is always on the page below it.
 */
import { collectObjects, scalarString } from '../lib/json-walk.js';

/** Normalised keys (json-walk lower-cases and drops `_`, `-`), most telling first. */
const CODE_KEYS = ['errorcode', 'reasoncode', 'failurecode', 'code'];
const TEXT_KEYS = ['failurereason', 'statusreason', 'reason', 'errormessage', 'error', 'message', 'description', 'detail'];
/** Error fields deeper than this are some nested record's, not the order's. */
const MAX_DEPTH = 3;
const MAX_CHARS = 400;

/** `E-4021 · Address validation failed · Emergency address …`, or null when the body says nothing usable. */
export function coltFailureReason(rawBody: string | undefined): string | null {
  if (rawBody === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return null;
  }
  const parts: string[] = [];
  const add = (value: unknown) => {
    const text = scalarString(value);
    if (text && !parts.includes(text)) parts.push(text);
  };
  for (const node of collectObjects(parsed)) {
    if (node.depth > MAX_DEPTH) break;
    for (const key of CODE_KEYS) add(node.fields.get(key));
    for (const key of TEXT_KEYS) add(node.fields.get(key));
    if (parts.length > 0) break;
  }
  if (parts.length === 0) return null;
  const line = parts.slice(0, 3).join(' · ');
  return line.length > MAX_CHARS ? `${line.slice(0, MAX_CHARS - 1)}…` : line;
}
