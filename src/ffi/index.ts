// Public API of src/ffi: the only layer that talks to libc. libc.ts itself stays internal.

export * from "./constants.ts";
export { SyscallError, errnoName, errnoMessage, errnoNumber, isSyscallError } from "./errno.ts";
export { openFile, closeFd, closeQuietly } from "./fd.ts";
export {
  withNetns,
  socketInNetns,
  socketsInNetns,
  NetnsRestoreError,
  originalNetnsFd,
  closeOriginalNetnsFd,
  threadNetnsInode,
  allThreadsNetns,
  gettid,
  setThreadNice,
} from "./netns.ts";
export { netnsCookie, socketNetnsFd, openDatagramSocket, setsockoptInt, getsockoptInt } from "./socket.ts";
export { NetlinkSocket, NetlinkTruncatedError, type NetlinkSocketOptions } from "./netlink-socket.ts";
export { ethtoolDriverInfo, type EthtoolDriverInfo } from "./ethtool.ts";
export { openRootDir, openInRoot, readFileInRoot, type InRootFile } from "./openat2.ts";
export { utsNamesIn, threadUtsLink, closeOriginalUtsFd, UtsRestoreError, type UtsNames } from "./uts.ts";
export { tunAttachment, type TunAttachment } from "./tun.ts";
export {
  PacketSocket,
  CAPTURE_SNAPLEN,
  DEFAULT_RING_BYTES,
  RING_BLOCK_SIZE,
  RING_RETIRE_MS,
  acceptAllFilter,
  type PacketSocketOptions,
  type SockFilter,
} from "./packet-socket.ts";
export { namespaceParentInode } from "./nsfs.ts";
export { InetSocket, type InetSocketKind } from "./inet-socket.ts";
export { compileFilter, libpcapAvailable, LibpcapMissingError, FilterSyntaxError } from "./libpcap.ts";
export { Epoll, type EpollReady } from "./epoll.ts";
