/**
 * The single error type of the codec. Every malformed input ends here, never in a
 * RangeError from a DataView or an out-of-bounds read: callers (discovery) can then
 * tell "the kernel sent something we cannot read" apart from their own bugs.
 */
export class NetlinkDecodeError extends Error {
  /** Byte offset of the problem, relative to the start of the buffer or netlink message given to the decoder. */
  readonly offset: number | undefined;

  constructor(what: string, offset?: number) {
    super(offset === undefined ? what : `${what} (at offset ${offset})`);
    this.name = "NetlinkDecodeError";
    this.offset = offset;
  }
}
