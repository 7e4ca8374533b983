// The public face of the netlink codec: pure functions from bytes to objects and back.
// Nothing here does I/O; src/ffi owns sockets and src/discovery runs the request loops.

export * from "./constants.ts";
export { NetlinkDecodeError } from "./errors.ts";
export {
  type NetlinkAck,
  type NetlinkMessage,
  decodeDone,
  decodeError,
  encodeMessage,
  parseMessages,
} from "./message.ts";
export {
  type Attribute,
  attributeMap,
  be16,
  be32,
  concat,
  encodeAttribute,
  encodeNested,
  encodeU32Attribute,
  ipAddress,
  mac,
  parseAttributes,
  parseIpAddress,
  s32,
  str,
  u16,
  u32,
  u64,
  u8,
} from "./attributes.ts";
export type * from "./linkinfo/index.ts";
export { GRE_KINDS, IPTUN_KINDS, isGreKind, isIptunKind } from "./linkinfo/index.ts";
export type { VfInfo } from "./vf-info.ts";
export {
  type RtLink,
  buildGetLink,
  buildGetLinkDump,
  decodeLink,
} from "./link.ts";
export { type RtAddr, buildGetAddrDump, decodeAddress } from "./address.ts";
export { type RtNexthop, type RtRoute, type RtVia, buildGetRouteDump, decodeRoute } from "./route.ts";
export { type GenlFamily, type GenlMessage, buildGetFamily, decodeFamily, decodeGenl, encodeGenl } from "./genetlink.ts";
export { type WgAllowedIp, type WgDevice, type WgPeer, buildGetWgDevice, buildGetWgDeviceByName, decodeWgDevice, mergeWgDevice } from "./wireguard.ts";
export { type RtNsid, buildGetNsidForFd, buildNsidDump, decodeNsid } from "./nsid.ts";
export {
  type NatRange,
  type NftChain,
  type NftCmpOp,
  type NftExpression,
  type NftNatResolved,
  type NftRule,
  type NftTable,
  type NftVerdict,
  type PortRange,
  type XtMatch,
  type XtTarget,
  buildNftDump,
  decodeNftChain,
  decodeNftRule,
  decodeNftTable,
  decodeXtMatch,
  decodeXtTarget,
  nftMessageType,
  registerUnit,
} from "./nftables.ts";
export {
  type NftSet,
  type NftSetElement,
  buildNftSetDump,
  buildNftSetElementDump,
  decodeNftSet,
  decodeNftSetElements,
  NFTNL_UDATA_COMMENT,
  userdataString,
} from "./nft-sets.ts";
export {
  type InetDiagSocket,
  INET_DIAG_ALL_STATES,
  INET_DIAG_MSG_LEN,
  INET_DIAG_REQ_LEN,
  INET_DIAG_REQ_V2_LEN,
  INET_DIAG_SOCKID_LEN,
  INET_DIAG_TCP_LISTENING,
  INET_DIAG_UDP_UNCONNECTED,
  buildInetDiagDump,
  buildTcpDiagCompatDump,
  decodeInetDiag,
  tcpStateName,
} from "./inet-diag.ts";
