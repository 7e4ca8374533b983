// Generic socket helpers: socket options and the netns cookie. A socket stays bound to the network
// namespace it was created in, so a socket opened inside withNetns() can be used after it returns.

import { AF_INET, SIOCGSKNS, SOCK_CLOEXEC, SOCK_DGRAM, SOL_SOCKET, SO_NETNS_COOKIE } from "./constants.ts";
import { lastError, libc } from "./libc.ts";
import { socketInNetns } from "./netns.ts";

// Scratch buffers: all calls are synchronous on one thread, so one set is enough.
const intVal = new Int32Array(1);
const lenVal = new Uint32Array(1);
const u64Val = new BigUint64Array(1);

/** setsockopt(fd, level, name, &int, sizeof int). */
export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  intVal[0] = value;
  if (libc.setsockopt(fd, level, name, intVal, 4) !== 0) {
    throw lastError("setsockopt", `level ${level} name ${name}`);
  }
}

/** getsockopt(fd, level, name) for an int-valued option. */
export function getsockoptInt(fd: number, level: number, name: number): number {
  intVal[0] = 0;
  lenVal[0] = 4;
  if (libc.getsockopt(fd, level, name, intVal, lenVal) !== 0) {
    throw lastError("getsockopt", `level ${level} name ${name}`);
  }
  return intVal[0]!;
}

/**
 * The cookie of the network namespace `fd` belongs to (SO_NETNS_COOKIE, Linux >= 5.14): a 64-bit
 * id that, unlike the nsfs inode, is never reused within a boot — the netns identity key.
 */
export function netnsCookie(fd: number): bigint {
  u64Val[0] = 0n;
  lenVal[0] = 8;
  if (libc.getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, u64Val, lenVal) !== 0) {
    throw lastError("getsockopt", "SO_NETNS_COOKIE");
  }
  if (lenVal[0] !== 8) throw new Error(`getsockopt(SO_NETNS_COOKIE) returned ${lenVal[0]} bytes, expected 8`);
  return u64Val[0]!;
}

/**
 * A new fd of the network namespace socket `fd` was created in (ioctl SIOCGSKNS), close-on-exec,
 * for the caller to close. It refers to the namespace itself, not to any bind mount of it, so
 * holding it never keeps a `/run/netns/X` mount busy; a socket we keep anyway (an event socket)
 * is thereby a handle from which to re-enter its namespace whenever needed.
 */
export function socketNetnsFd(fd: number): number {
  const nsFd = libc.ioctl(fd, SIOCGSKNS, null);
  if (nsFd < 0) throw lastError("ioctl", `SIOCGSKNS on fd ${fd}`);
  return nsFd;
}

/**
 * socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0): a handle for interface ioctls (ethtool, ...),
 * which resolve interface names in the namespace the socket was created in — the calling
 * thread's, or the one of `netnsFd` when given (created there via socketInNetns, no withNetns needed).
 */
export function openDatagramSocket(family: number = AF_INET, netnsFd?: number): number {
  const type = SOCK_DGRAM | SOCK_CLOEXEC;
  if (netnsFd !== undefined) return socketInNetns(netnsFd, family, type, 0);
  const fd = libc.socket(family, type, 0);
  if (fd < 0) throw lastError("socket", `family ${family} SOCK_DGRAM`);
  return fd;
}
