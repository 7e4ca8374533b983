// linux/inet_diag.h: the INET_DIAG_* request and response attributes; plus the TCP states of
// netinet/tcp.h (idiag_state, and bit numbers of idiag_states) and the IPPROTO_* numbers of
// netinet/in.h that go in sdiag_protocol. Struct sizes are in ../inet-diag.ts.

/**
 * The original (pre-sock_diag) request type for TCP sockets, answered with struct inet_diag_msg
 * like SOCK_DIAG_BY_FAMILY. The kernel serves it with sdiag_family AF_UNSPEC: ONE walk of its
 * host-wide TCP hash returns IPv4 and IPv6 sockets together (inet_diag_dump_compat).
 */
export const TCPDIAG_GETSOCK = 18;

/** idiag_cookie[0] and [1] both set to this: "no cookie" (match any socket). */
export const INET_DIAG_NOCOOKIE = 0xffffffff;

// enum { INET_DIAG_REQ_* }: attributes of a request
export const INET_DIAG_REQ_NONE = 0;
export const INET_DIAG_REQ_BYTECODE = 1;
export const INET_DIAG_REQ_SK_BPF_STORAGES = 2;
export const INET_DIAG_REQ_PROTOCOL = 3;

// enum { INET_DIAG_* }: attributes of a response (and, below 9, bits of idiag_ext = 1 << (n - 1))
export const INET_DIAG_NONE = 0;
export const INET_DIAG_MEMINFO = 1;
export const INET_DIAG_INFO = 2;
export const INET_DIAG_VEGASINFO = 3;
export const INET_DIAG_CONG = 4;
export const INET_DIAG_TOS = 5;
export const INET_DIAG_TCLASS = 6;
export const INET_DIAG_SKMEMINFO = 7;
export const INET_DIAG_SHUTDOWN = 8;
export const INET_DIAG_DCTCPINFO = 9;
export const INET_DIAG_PROTOCOL = 10;
export const INET_DIAG_SKV6ONLY = 11;
export const INET_DIAG_LOCALS = 12;
export const INET_DIAG_PEERS = 13;
export const INET_DIAG_PAD = 14;
export const INET_DIAG_MARK = 15;
export const INET_DIAG_BBRINFO = 16;
export const INET_DIAG_CLASS_ID = 17;
export const INET_DIAG_MD5SIG = 18;
export const INET_DIAG_ULP_INFO = 19;
export const INET_DIAG_SK_BPF_STORAGES = 20;
export const INET_DIAG_CGROUP_ID = 21;
export const INET_DIAG_SOCKOPT = 22;

// netinet/tcp.h enum: sk_state values. The kernel also has TCP_NEW_SYN_RECV (12) and
// TCP_BOUND_INACTIVE (13) in include/net/tcp_states.h, which are not UAPI: see inet-diag.ts.
export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_FIN_WAIT1 = 4;
export const TCP_FIN_WAIT2 = 5;
export const TCP_TIME_WAIT = 6;
export const TCP_CLOSE = 7;
export const TCP_CLOSE_WAIT = 8;
export const TCP_LAST_ACK = 9;
export const TCP_LISTEN = 10;
export const TCP_CLOSING = 11;

// netinet/in.h
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
