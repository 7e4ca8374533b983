// A capture cut off after a few seconds ends wherever the network stream was: the last pcapng
// block may be partial. The download keeps the whole blocks only, so every tool reads the file.
// Pure.

const SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** The length of the prefix of `bytes` made of whole pcapng blocks (0 when it does not start with a section header). */
export function wholeBlocks(bytes: Uint8Array): number {
  if (bytes.length < 12) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== SHB) return 0;
  const little = view.getUint32(8, true) === BYTE_ORDER_MAGIC;
  if (!little && view.getUint32(8, false) !== BYTE_ORDER_MAGIC) return 0;
  let at = 0;
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at + 4, little);
    if (length < 12 || length % 4 !== 0 || at + length > bytes.length) break;
    at += length;
  }
  return at;
}
