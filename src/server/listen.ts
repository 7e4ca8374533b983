// Where the server listens, from "host:port" as a user types it. Loopback unless told otherwise:
// the graph shows every namespace, socket and process of the host, so it is not for the network
// by default.

export const DEFAULT_LISTEN = "127.0.0.1:5000";

export interface ListenAddress {
  /** A hostname or IP literal as Bun.serve takes it (IPv6 without brackets). */
  hostname: string;
  /** 0 lets the kernel choose (tests). */
  port: number;
}

/** The listen address was not "host:port". */
export class ListenError extends Error {
  override name = "ListenError";
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * "127.0.0.1:5000", "[::1]:5000", "localhost:0", "0.0.0.0:5000" or a bare port "5000" (loopback).
 * ":5000" is refused: every address should be asked for explicitly.
 */
export function parseListen(text: string): ListenAddress {
  const t = text.trim();
  if (t === "") throw new ListenError("listen address is empty: give HOST:PORT, e.g. 127.0.0.1:5000");
  let host: string;
  let portText: string;
  if (/^\d+$/.test(t)) {
    host = "127.0.0.1";
    portText = t;
  } else if (t.startsWith("[")) {
    const m = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]:(\d*)$/.exec(t);
    if (!m) throw new ListenError(`listen address '${text}': an IPv6 address goes in brackets followed by :PORT, e.g. [::1]:5000`);
    host = m[1]!;
    portText = m[2]!;
    if (!host.includes(":")) throw new ListenError(`listen address '${text}': '${host}' in brackets is not an IPv6 address`);
  } else {
    const colon = t.lastIndexOf(":");
    if (colon < 0) throw new ListenError(`listen address '${text}' has no port: give HOST:PORT, e.g. 127.0.0.1:5000`);
    host = t.slice(0, colon);
    portText = t.slice(colon + 1);
    if (host.includes(":")) throw new ListenError(`listen address '${text}': put an IPv6 address in brackets, e.g. [::1]:5000`);
    if (host === "") throw new ListenError(`listen address '${text}' has no host: 127.0.0.1${t} for loopback, 0.0.0.0${t} for every address`);
    if (!IPV4.test(host) && (/^[\d.]+$/.test(host) || !HOSTNAME.test(host))) {
      throw new ListenError(`listen address '${text}': '${host}' is neither an IPv4 address nor a host name`);
    }
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new ListenError(`listen address '${text}': the port must be a number from 0 to 65535, not '${portText}'`);
  }
  return { hostname: host, port: Number(portText) };
}

/** "host:port" for URLs (brackets around IPv6); a wildcard address becomes loopback, where a local client reaches it. */
export function urlHost(hostname: string, port: number): string {
  const h = hostname === "0.0.0.0" ? "127.0.0.1" : hostname === "::" ? "::1" : hostname;
  return h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
}
