// Reading what a capture sent, for tests: counting pcapng blocks in a byte stream.

/** Enhanced packet blocks in a pcapng byte stream (the engine sends whole blocks only). */
export function packetBlocks(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let off = 0; off + 8 <= bytes.byteLength; ) {
    const len = view.getUint32(off + 4, true);
    if (len < 12 || off + len > bytes.byteLength) break;
    if (view.getUint32(off, true) === 6) n++;
    off += len;
  }
  return n;
}
