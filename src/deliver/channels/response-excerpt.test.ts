import { describe, expect, it } from 'vitest';
import { readResponseExcerpt } from './response-excerpt.js';

function chunked(chunks: Uint8Array[]): { response: Response; pulled: () => number; cancelled: () => boolean } {
  let index = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(chunks[index++]!);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { response: new Response(stream), pulled: () => index, cancelled: () => cancelled };
}

describe('readResponseExcerpt', () => {
  it('returns a short body whole', async () => {
    expect(await readResponseExcerpt(new Response('{"ok":true}'))).toBe('{"ok":true}');
  });

  it('stops reading at the limit and cancels the rest', async () => {
    const chunk = new Uint8Array(1024).fill(0x61);
    const body = chunked(Array.from({ length: 100 }, () => chunk));
    const text = await readResponseExcerpt(body.response, 4096);
    expect(text).toBe('a'.repeat(4096));
    expect(body.pulled()).toBeLessThan(10);
    expect(body.cancelled()).toBe(true);
  });

  it('drops a multi-byte character cut at the limit', async () => {
    const text = await readResponseExcerpt(new Response('ab€'), 4);
    expect(text).toBe('ab');
  });

  it('handles an empty body', async () => {
    expect(await readResponseExcerpt(new Response(null, { status: 204 }))).toBe('');
  });
});
