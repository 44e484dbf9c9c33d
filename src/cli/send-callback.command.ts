/** `colt-relay send-callback <url>`: posts a sample (or given) callback, prints the answer. */
import { readFile } from 'node:fs/promises';
import { hmacSha256, toHex } from '../lib/crypto.js';
import { parseCommandLine } from './args.js';
import { COMMAND_USAGE } from './usage.js';

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  token: { type: 'string', short: 't' },
  'token-header': { type: 'string' },
  basic: { type: 'string' },
  'hmac-secret': { type: 'string' },
  'hmac-header': { type: 'string' },
} as const;
const USAGE = COMMAND_USAGE['send-callback']!.trimEnd();

/** A completed activation in Colt's TMF shape, with a fresh event id each time. */
export function sampleCallback(now = new Date()): Record<string, unknown> {
  return {
    eventId: crypto.randomUUID(),
    eventTime: now.toISOString(),
    eventType: 'ProductOrderStateChangeEvent',
    event: {
      productOrder: {
        id: 'IN-ORD-100234',
        state: 'completed',
        orderType: 'Number Activation',
        externalId: 'RESELLER-7781',
        numbers: [{ startFullNumber: '+33382500010', endFullNumber: '+33382500019' }],
      },
    },
  };
}

export async function runSendCallback(args: string[], io = { out: console.log, err: console.error }): Promise<number> {
  const parsed = parseCommandLine(args, OPTIONS, { allowPositionals: true });
  const url = parsed.ok ? parsed.positionals[0] : undefined;
  if (!parsed.ok || !url || parsed.positionals.length > 1) {
    const problem = !parsed.ok ? parsed.message : url ? `unexpected argument "${parsed.positionals[1]}"` : 'missing <url>';
    io.err(`colt-relay send-callback: ${problem}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  const hmacHeader = values['hmac-header'] ?? 'x-signature';
  const target = checkUrl(url);
  if (typeof target === 'string') {
    io.err(`send-callback: ${target}`);
    return 2;
  }
  let body: string;
  try {
    body = values.file ? await readFile(values.file, 'utf8') : JSON.stringify(sampleCallback(), null, 2);
  } catch (error) {
    io.err(`send-callback: cannot read --file ${values.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return 1;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (values.token) {
    if (values['token-header']) headers[values['token-header']] = values.token;
    else headers.authorization = `Bearer ${values.token}`;
  }
  if (values.basic) headers.authorization = `Basic ${btoa(values.basic)}`;
  if (values['hmac-secret']) {
    headers[hmacHeader] = toHex(await hmacSha256(values['hmac-secret'], new TextEncoder().encode(body)));
  }
  let res: Response;
  try {
    res = await fetch(target, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    io.err(`send-callback: cannot POST to ${target.href}: ${networkCause(error)}`);
    return 1;
  }
  const text = await res.text();
  io.out(`${res.status} ${text}`);
  return res.ok ? 0 : 1;
}

/** The URL to post to, or why it is not one (a missing scheme is the usual slip). */
function checkUrl(text: string): URL | string {
  const hint = `e.g. http://localhost:8080/callbacks/colt`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL: give the scheme and host, ${hint}`;
  }
  // `localhost:8080/x` parses with the scheme "localhost:"
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${text}" is not an http(s) URL: give the scheme, ${hint}`;
  return url;
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the relay running on that port?)',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_SOCKET: 'connection closed',
};

/** fetch says "fetch failed"; the reason sits on `.cause`. */
function networkCause(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return 'no answer within 30 s';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code && NETWORK_CAUSES[code]) return `${NETWORK_CAUSES[code]} (${code})`;
  if (cause?.message === 'bad port') return 'fetch refuses this port (a reserved one): use another';
  return cause?.message ?? (error as Error).message;
}
