/**
 * Breadth-first walk over untrusted JSON, so fields nearer the root are seen first.
 * Keys are compared normalised (lower case, no spaces, underscores or hyphens) because
 * Colt publishes no schema and spellings vary (orderId, orderID, order_id).
 */

/** `orderID`, `order_id`, `Order-Id` → `orderid`. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[\s_\-.]/g, '');
}

export interface JsonNode {
  /** The object's own keys, normalised; the first spelling wins. */
  fields: ReadonlyMap<string, unknown>;
  /** 0 for the root. */
  depth: number;
  /** Normalised key under which this object sits (array items take their array's key), or null at the root. */
  parentKey: string | null;
  /** Nearest `country`/`countryCode` value on this object or an ancestor. */
  country: unknown;
  /** Nearest `numberType` value on this object or an ancestor. */
  numberType: unknown;
}

/** Bodies are untrusted: stop this deep and after this many nodes. */
const MAX_DEPTH = 16;
const MAX_NODES = 10_000;

const COUNTRY_KEYS = ['country', 'countrycode', 'countryiso', 'countryisocode'];

function firstOf(fields: ReadonlyMap<string, unknown>, keys: string[]): unknown {
  for (const key of keys) {
    const value = fields.get(key);
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

/** Every object in `root` (not arrays themselves), breadth first. */
export function collectObjects(root: unknown): JsonNode[] {
  const nodes: JsonNode[] = [];
  const queue: { value: unknown; depth: number; parentKey: string | null; country: unknown; numberType: unknown }[] = [
    { value: root, depth: 0, parentKey: null, country: undefined, numberType: undefined },
  ];
  for (let i = 0; i < queue.length && i < MAX_NODES; i++) {
    const { value, depth, parentKey, country, numberType } = queue[i]!;
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) continue;
    if (Array.isArray(value)) {
      for (const item of value) queue.push({ value: item, depth: depth + 1, parentKey, country, numberType });
      continue;
    }
    const fields = new Map<string, unknown>();
    for (const [key, child] of Object.entries(value)) {
      const k = normaliseKey(key);
      if (!fields.has(k)) fields.set(k, child);
    }
    const node: JsonNode = {
      fields,
      depth,
      parentKey,
      country: firstOf(fields, COUNTRY_KEYS) ?? country,
      numberType: firstOf(fields, ['numbertype']) ?? numberType,
    };
    nodes.push(node);
    for (const [k, child] of fields) {
      if (typeof child === 'object' && child !== null) {
        queue.push({ value: child, depth: depth + 1, parentKey: k, country: node.country, numberType: node.numberType });
      }
    }
  }
  return nodes;
}

/** A trimmed non-empty string, or a safe integer as text; null otherwise. */
export function scalarString(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}
