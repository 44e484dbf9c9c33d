/**
 * Time-ordered ids (UUIDv7 layout): sortable by creation, unique across processes,
 * and opaque to callers. Uses Web Crypto so it runs on Node and Workers alike.
 */
const POOL_IDS = 256;
let pool = new Uint8Array(0);
let offset = 0;

/** 16 random bytes from a pool refilled 4 KiB at a time: one syscall per 256 ids. */
function randomBytes16(): Uint8Array {
  if (offset + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(16 * POOL_IDS));
    offset = 0;
  }
  const bytes = pool.slice(offset, offset + 16);
  offset += 16;
  return bytes;
}

export function newId(nowMs: number = Date.now()): string {
  const bytes = randomBytes16();
  const ms = BigInt(nowMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
