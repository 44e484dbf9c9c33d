import { RESPONSE_EXCERPT_BYTES } from '../../store/schema.js';

/**
 * Reads at most `maxBytes` of a response body as text and cancels the rest, so a peer
 * answering with a huge body cannot make us buffer it. A UTF-8 sequence cut at the limit
 * is dropped rather than shown as a replacement character.
 */
export async function readResponseExcerpt(response: Response, maxBytes = RESPONSE_EXCERPT_BYTES): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let taken = 0;
  try {
    while (taken < maxBytes) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const slice = value.byteLength > maxBytes - taken ? value.subarray(0, maxBytes - taken) : value;
      taken += slice.byteLength;
      // stream: true keeps an incomplete trailing sequence out of the text.
      text += decoder.decode(slice, { stream: true });
    }
    return text;
  } finally {
    // Cancelling drops the connection instead of draining a body nobody will read.
    reader.cancel().catch(() => undefined);
  }
}
