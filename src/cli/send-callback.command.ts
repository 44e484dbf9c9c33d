/** `colt-relay send-callback <url>`: posts a sample (or given) callback, prints the answer. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { hmacSha256, toHex } from '../lib/crypto.js';

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
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      token: { type: 'string', short: 't' },
      'token-header': { type: 'string' },
      basic: { type: 'string' },
      'hmac-secret': { type: 'string' },
      'hmac-header': { type: 'string', default: 'x-signature' },
    },
  });
  const url = positionals[0];
  if (!url) {
    io.err('usage: colt-relay send-callback <url> [--file F] [--token T] [--token-header H] [--basic user:pass] [--hmac-secret S]');
    return 2;
  }
  const body = values.file ? await readFile(values.file, 'utf8') : JSON.stringify(sampleCallback(), null, 2);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (values.token) {
    if (values['token-header']) headers[values['token-header']] = values.token;
    else headers.authorization = `Bearer ${values.token}`;
  }
  if (values.basic) headers.authorization = `Basic ${btoa(values.basic)}`;
  if (values['hmac-secret']) {
    headers[values['hmac-header']!] = toHex(await hmacSha256(values['hmac-secret'], new TextEncoder().encode(body)));
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  io.out(`${res.status} ${text}`);
  return res.ok ? 0 : 1;
}
