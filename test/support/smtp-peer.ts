import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** A message as the peer received it, with the MIME parts tests look at decoded. */
export interface SmtpPeerMessage {
  envelope: { from: string; to: string[] };
  raw: string;
  /** Lower-cased header names, unfolded, encoded words decoded; first occurrence wins. */
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  /** text/plain part, line endings as LF. */
  text?: string;
  /** text/html part, line endings as LF. */
  html?: string;
}

/** Where a scripted reply is given: after MAIL FROM, RCPT TO or the end of DATA. */
export type SmtpStage = 'mail' | 'rcpt' | 'data';

export interface SmtpPeer {
  readonly host: string;
  readonly port: number;
  /** `smtp://127.0.0.1:<port>`: pass as SMTP_URL. */
  readonly url: string;
  readonly messages: SmtpPeerMessage[];
  /** Replies `code message` to the next `times` messages at `stage` (default: end of DATA). */
  respondWith(code: number, message: string, options?: { times?: number; stage?: SmtpStage }): void;
  close(): Promise<void>;
}

function decodeWords(value: string): string {
  // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  // Work on bytes: =XX escapes are octets of a UTF-8 sequence, not characters.
  const input = Buffer.from(text.replace(/=\r?\n/g, ''), 'utf8');
  const out: number[] = [];
  const isHex = (b: number | undefined) => b !== undefined && /[0-9A-Fa-f]/.test(String.fromCharCode(b));
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x3d && isHex(input[i + 1]) && isHex(input[i + 2])) {
      out.push(parseInt(String.fromCharCode(input[i + 1]!, input[i + 2]!), 16));
      i += 2;
    } else {
      out.push(input[i]!);
    }
  }
  return Buffer.from(out).toString('utf8');
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    headers[key] ??= decodeWords(line.slice(colon + 1).trim());
  }
  return headers;
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { headers: parseHeaders(raw), body: '' };
  return { headers: parseHeaders(raw.slice(0, match.index)), body: raw.slice(match.index + match[0].length) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/** Walks multipart bodies and collects the first text/plain and text/html parts. */
function collectParts(entity: { headers: Record<string, string>; body: string }, out: { text?: string; html?: string }): void {
  const type = entity.headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = entity.body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      collectParts(splitEntity(part.replace(/^\r?\n/, '')), out);
    }
    return;
  }
  // SMTP carries CRLF; tests compare with the LF text the sender passed in.
  const decoded = decodeBody(entity.body.replace(/\r?\n$/, ''), entity.headers['content-transfer-encoding']).replace(/\r\n/g, '\n');
  if (/^text\/html/i.test(type)) out.html ??= decoded;
  else if (/^text\/plain/i.test(type)) out.text ??= decoded;
}

function parseMessage(raw: string, session: SMTPServerSession): SmtpPeerMessage {
  const entity = splitEntity(raw);
  const parts: { text?: string; html?: string } = {};
  collectParts(entity, parts);
  const from = session.envelope.mailFrom;
  return {
    envelope: { from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
    raw,
    headers: entity.headers,
    subject: entity.headers.subject ?? '',
    messageId: entity.headers['message-id'] ?? '',
    ...parts,
  };
}

/**
 * An in-process SMTP server (smtp-server) on 127.0.0.1. STARTTLS and AUTH are off: the
 * package's built-in certificate has expired (docs/design.md#platform-notes).
 */
export async function startSmtpPeer(): Promise<SmtpPeer> {
  const messages: SmtpPeerMessage[] = [];
  const scripted: Array<{ code: number; message: string; times: number; stage: SmtpStage }> = [];

  function scriptedError(stage: SmtpStage): Error | null {
    const entry = scripted.find((s) => s.stage === stage);
    if (!entry) return null;
    if (--entry.times <= 0) scripted.splice(scripted.indexOf(entry), 1);
    return Object.assign(new Error(entry.message), { responseCode: entry.code });
  }

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    // A reverse DNS lookup per connection only slows tests down.
    disableReverseLookup: true,
    // close() waits for clients to hang up, 30 s by default: a pooled client a test left
    // open would hold the file up that long. Connections left after 1 s are closed.
    closeTimeout: 1_000,
    onMailFrom: (_address, _session, callback) => callback(scriptedError('mail')),
    onRcptTo: (_address, _session, callback) => callback(scriptedError('rcpt')),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const failure = scriptedError('data');
        if (failure) return callback(failure);
        messages.push(parseMessage(Buffer.concat(chunks).toString('utf8'), session));
        callback(null, 'Message queued as peer-1');
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    respondWith: (code, message, options = {}) => {
      scripted.push({ code, message, times: options.times ?? 1, stage: options.stage ?? 'data' });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
