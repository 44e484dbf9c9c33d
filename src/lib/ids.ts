/**
 * Time-ordered ids (UUIDv7 layout): sortable by creation, unique across processes,
 * and opaque to callers. Uses Web Crypto so it runs on Node and Workers alike.
 */
const POOL_IDS = 256;
let pool = new Uint8Array(0);
let offset = 0;

/** Two lowercase hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Offset of 16 fresh random bytes in `pool`, refilled 4 KiB at a time: one syscall per 256 ids. */
function takeRandom16(): number {
  if (offset + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(16 * POOL_IDS));
    offset = 0;
  }
  offset += 16;
  return offset - 16;
}

/** Built from lookups, without BigInt or per-byte strings: the receiver makes one per callback. */
export function newId(nowMs: number = Date.now()): string {
  const at = takeRandom16();
  const r = (i: number) => HEX[pool[at + i]!]!;
  // The 48-bit millisecond timestamp, big-endian (exact: well below 2^53).
  const high = Math.floor(nowMs / 0x1000000);
  const low = nowMs % 0x1000000;
  const time =
    HEX[Math.floor(high / 0x10000) & 0xff]! + HEX[Math.floor(high / 0x100) & 0xff]! + HEX[high & 0xff]! +
    HEX[Math.floor(low / 0x10000) & 0xff]! + HEX[Math.floor(low / 0x100) & 0xff]! + HEX[low & 0xff]!;
  const version = HEX[(pool[at + 6]! & 0x0f) | 0x70]!;
  const variant = HEX[(pool[at + 8]! & 0x3f) | 0x80]!;
  return `${time.slice(0, 8)}-${time.slice(8)}-${version}${r(7)}-${variant}${r(9)}-${r(10)}${r(11)}${r(12)}${r(13)}${r(14)}${r(15)}`;
}
