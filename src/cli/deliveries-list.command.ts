/**
 * `colt-relay deliveries list [--status dead] [--channel x] [--order id] [--limit n] [--cursor c] [--json]`:
 * deliveries newest first, from the store or through the running relay's admin API (like the
 * other operator commands). `--json` prints exactly what `GET /api/deliveries` answers:
 * `{ "items": [Delivery, …], "nextCursor": string | null }`.
 */
import { didYouMean } from '../lib/suggest.js';
import { InvalidCursorError, listDeliveries, MAX_PAGE_LIMIT, type DeliveriesQuery } from '../store/admin.repo.js';
import { DELIVERY_STATUSES } from '../store/deliveries.repo.js';
import { parseCommandLine } from './args.js';
import { withTarget, type OpsIo } from './ops.command.js';
import { apiErrorMessage } from './ops-target.js';
import { COMMAND_USAGE } from './usage.js';

const OPTIONS = {
  status: { type: 'string' },
  channel: { type: 'string' },
  order: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** One delivery as `GET /api/deliveries` lists it (times as ISO strings). */
export interface ListedDelivery {
  id: string;
  eventId: string;
  orderId: string;
  channel: string;
  channelType: string;
  status: string;
  attempts: number;
  generation: number;
  lastCode: string | null;
  lastError: string | null;
  nextAttemptAt: string;
  updatedAt: string;
}

interface DeliveryPage {
  items: ListedDelivery[];
  nextCursor: string | null;
}

type Parsed = { ok: true; query: DeliveriesQuery; json: boolean } | { ok: false; message: string };

function parseList(args: string[]): Parsed {
  const parsed = parseCommandLine(args, OPTIONS);
  if (!parsed.ok) return parsed;
  const { status, channel, order, limit, cursor, json } = parsed.values;
  if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
    return { ok: false, message: `--status: unknown status "${status}"${didYouMean(status, DELIVERY_STATUSES)}; one of ${DELIVERY_STATUSES.join(', ')}` };
  }
  const count = limit === undefined ? undefined : Number(limit);
  if (count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= MAX_PAGE_LIMIT)) {
    return { ok: false, message: `--limit: "${limit}" is not a whole number from 1 to ${MAX_PAGE_LIMIT}` };
  }
  const query: DeliveriesQuery = {
    ...(status !== undefined && { status }),
    ...(channel !== undefined && { channel }),
    ...(order !== undefined && { orderId: order }),
    ...(count !== undefined && { limit: count }),
    ...(cursor !== undefined && { cursor }),
  };
  return { ok: true, query, json: json === true };
}

/** `deliveries list …`: one page of deliveries, newest first; the next page's `--cursor` on stderr. */
export async function runDeliveriesList(args: string[], io: OpsIo): Promise<number> {
  const parsed = parseList(args);
  if (!parsed.ok) {
    io.stderr(`colt-relay deliveries list: ${parsed.message}\n\n${COMMAND_USAGE['deliveries']}`);
    return 2;
  }
  const print = (page: DeliveryPage) => {
    if (parsed.json) io.stdout(`${JSON.stringify(page, null, 2)}\n`);
    else io.stdout(page.items.length === 0 ? 'no deliveries\n' : page.items.map(describeDelivery).join(''));
    if (page.nextCursor !== null) io.stderr(`more: add --cursor ${page.nextCursor}\n`);
  };
  return withTarget(io, 'deliveries list', {
    direct: async (store) => {
      let page: DeliveryPage;
      try {
        // JSON.parse(JSON.stringify(…)): the rows as the API serialises them (Dates → ISO strings).
        page = JSON.parse(JSON.stringify(await listDeliveries(store.db, parsed.query))) as DeliveryPage;
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        io.stderr('colt-relay deliveries list: --cursor: not a cursor this list printed\n');
        return 2;
      }
      print(page);
      return 0;
    },
    viaApi: async (api) => {
      const query = new URLSearchParams(Object.entries(parsed.query).map(([k, v]) => [k, String(v)]));
      const answer = await api.request('GET', `/api/deliveries${query.size > 0 ? `?${query}` : ''}`);
      if (answer.status !== 200) {
        io.stderr(`${apiErrorMessage(answer)}\n`);
        return answer.status === 400 ? 2 : 1;
      }
      print(answer.body as unknown as DeliveryPage);
      io.stderr(`(through the running relay's admin API at ${api.url})\n`);
      return 0;
    },
  });
}

/** `<id>  dead       oss (webhook)  order IN-1  5 attempts  updated <time>  http_500 …`, one line. */
function describeDelivery(d: ListedDelivery): string {
  const attempts = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  const error = d.lastError ? `  ${d.lastCode ? `${d.lastCode}: ` : ''}${d.lastError.replace(/\s+/g, ' ').slice(0, 200)}` : '';
  return `${d.id}  ${d.status.padEnd(10)}  ${d.channel} (${d.channelType})  order ${d.orderId}  ${attempts}  updated ${d.updatedAt}${error}\n`;
}
