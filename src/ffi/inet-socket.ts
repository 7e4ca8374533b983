// Datagram and raw IP sockets made inside another network namespace, for probing from there: UDP
// to ask a DNS server, raw ICMP/ICMPv6 to ping. Created by socketInNetns (no JS runs while
// switched), non-blocking; sendto/recvfrom take and give addresses as raw bytes (4 or 16), so
// callers parse and print addresses their own way.

import { AF_INET, AF_INET6, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW } from "./constants.ts";
import { SyscallError } from "./errno.ts";
import { closeQuietly } from "./fd.ts";
import { errno, libc } from "./libc.ts";
import { socketInNetns } from "./netns.ts";

const IPPROTO_ICMP = 1;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const EAGAIN = 11;
const EINTR = 4;
const SOCKADDR_IN_SIZE = 16; // u16 family, be16 port, 4 bytes address, 8 zero
const SOCKADDR_IN6_SIZE = 28; // u16 family, be16 port, u32 flowinfo, 16 bytes address, u32 scope id

export type InetSocketKind = "udp" | "icmp";

export class InetSocket {
  readonly #addr: Uint8Array;
  readonly #addrLen = new Uint32Array(1);
  #fd: number;

  private constructor(
    fd: number,
    readonly v6: boolean,
  ) {
    this.#fd = fd;
    this.#addr = new Uint8Array(v6 ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE);
  }

  /** A UDP or raw ICMP(v6) socket of the network namespace `netnsFd` (raw ICMP needs CAP_NET_RAW there). */
  static openIn(netnsFd: number, v6: boolean, kind: InetSocketKind): InetSocket {
    const family = v6 ? AF_INET6 : AF_INET;
    const type = (kind === "udp" ? SOCK_DGRAM : SOCK_RAW) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    const protocol = kind === "udp" ? IPPROTO_UDP : v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    return new InetSocket(socketInNetns(netnsFd, family, type, protocol), v6);
  }

  get fd(): number {
    if (this.#fd < 0) throw new Error("InetSocket is closed");
    return this.#fd;
  }

  /** sendto(); false when the send buffer is full (EAGAIN). `address` is 4 or 16 bytes. */
  sendTo(data: Uint8Array, address: Uint8Array, port: number): boolean {
    this.#encode(address, port);
    for (;;) {
      const n = Number(libc.sendto(this.fd, data, data.length, 0, this.#addr, this.#addr.length));
      if (n >= 0) return true;
      const e = errno();
      if (e === EAGAIN) return false;
      if (e !== EINTR) throw new SyscallError("sendto", e, `${data.length} bytes`);
    }
  }

  /** One datagram into `buf`, with the sender's address; null when none is waiting. */
  receive(buf: Uint8Array): { length: number; from: Uint8Array } | null {
    for (;;) {
      this.#addrLen[0] = this.#addr.length;
      const n = Number(libc.recvfrom(this.fd, buf, buf.length, 0, this.#addr, this.#addrLen));
      if (n >= 0) return { length: n, from: this.v6 ? this.#addr.slice(8, 24) : this.#addr.slice(4, 8) };
      const e = errno();
      if (e === EAGAIN) return null;
      if (e !== EINTR) throw new SyscallError("recvfrom", e);
    }
  }

  close(): void {
    closeQuietly(this.#fd);
    this.#fd = -1;
  }

  #encode(address: Uint8Array, port: number): void {
    if (address.length !== (this.v6 ? 16 : 4)) throw new TypeError(`a ${this.v6 ? "16" : "4"}-byte address is needed, got ${address.length}`);
    const a = this.#addr;
    a.fill(0);
    const v = new DataView(a.buffer);
    v.setUint16(0, this.v6 ? AF_INET6 : AF_INET, true); // sa_family_t: host order
    v.setUint16(2, port); // network order
    a.set(address, this.v6 ? 8 : 4);
  }
}
