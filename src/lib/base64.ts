/** base64 and base64url over bytes, with atob/btoa: the same on Node and Workers. */

/** Standard base64, padded. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Standard base64 to bytes; null when `text` is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** base64url without padding: URL-, cookie- and form-safe. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * base64url (unpadded) to bytes; null when it is not base64url or not in canonical form
 * (the unused bits of the last character must not give one value many spellings).
 */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bytes = fromBase64(text.replace(/-/g, '+').replace(/_/g, '/'));
  return bytes && toBase64Url(bytes) === text ? bytes : null;
}
