/** Reads a request body up to a limit, for declared and chunked (no Content-Length) bodies alike. */

export type BodyRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; tooLarge: true; received: number }
  | { ok: false; tooLarge: false; message: string };

export async function readBodyLimited(request: Request, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return { ok: false, tooLarge: true, received: declared };
  if (Number.isFinite(declared)) {
    // HTTP framing holds a declared body to its Content-Length; arrayBuffer() is the
    // runtime's fast path (no web stream on @hono/node-server).
    try {
      return { ok: true, bytes: new Uint8Array(await request.arrayBuffer()) };
    } catch (error) {
      return { ok: false, tooLarge: false, message: `body could not be read: ${(error as Error).message}` };
    }
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      return { ok: false, tooLarge: false, message: `body could not be read: ${(error as Error).message}` };
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return { ok: false, tooLarge: true, received: size };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

/** application/json, application/*+json and text/json, with any parameters. */
export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || /^application\/[\w.+-]+\+json$/.test(type);
}
