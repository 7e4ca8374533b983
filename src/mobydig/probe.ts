// The neighbourhood check from inside a container's network namespace: each name asked of the
// engine's embedded DNS server (Docker's 127.0.0.11), each address it gives pinged, results
// streamed as Ghostwire's verdicts (verdicts.ts). This is the only part of /mobydig that talks to
// the kernel, and it runs in a child process of the server (src/server/mobydig.ts): the server
// thread neither switches namespace nor does the I/O. Sockets are made in the container's
// namespace (socketInNetns) and used from ours; one epoll set waits for all of them.
//
// As Ghostwire's siemens/mobydig: A and AAAA per name; an address is pinged PING_COUNT times at
// PING_INTERVAL, and is verified when at least half the pings are answered (rounded down, as Go's
// integer division does: 1 of 3) within (count + 2) intervals; at most MAX_PINGS addresses at
// once. Unlike it, DNS goes over UDP (a lookup of container names fits one datagram; a truncated
// answer is reported) and is retried once after DNS_TIMEOUT.

import { readFileSync } from "node:fs";
import { closeQuietly, Epoll, EPOLLIN, InetSocket, openFile } from "../ffi/index.ts";
import { parseIp, type Ip } from "../model/ip.ts";
import { decodeAnswer, DnsMessageError, encodeQuery, TYPE_A, TYPE_AAAA } from "./dns-message.ts";
import { echoRequest, parseEchoReply } from "./icmp-echo.ts";
import { VerdictStream, type Verdict } from "./verdicts.ts";

export const DOCKER_DNS = "127.0.0.11";
const DNS_TIMEOUT_MS = 2000;
const DNS_ATTEMPTS = 2;
const PING_COUNT = 3;
const PING_INTERVAL_MS = 1000;
const PING_THRESHOLD_PERCENT = 50;
const MAX_PINGS = 8;
/** epoll is asked at least this often, so the event loop (signals, stdout) keeps turning. */
const MAX_WAIT_MS = 100;

export interface ProbeJob {
  /** A process in the container's network namespace (its init), and its start time (field 22 of stat). */
  pid: number;
  startTime: number;
  /** The names to dig, without trailing dots. */
  names: string[];
  /** The DNS server to ask, from inside the namespace. */
  dnsServer?: string;
}

export class ProbeError extends Error {
  override name = "ProbeError";
}

interface Query {
  name: string;
  type: number;
  sentAt: number;
  attempts: number;
}

interface Lookup {
  pending: number;
  addresses: string[];
  problems: string[];
}

interface Ping {
  address: string;
  ip: Ip;
  bytes: Uint8Array;
  startedAt: number;
  sent: number;
  received: Set<number>;
  seqs: number[];
}

/** The namespace of the job's process, checked to be that process (PIDs are reused). */
function openNamespace(job: ProbeJob, procRoot: string): number {
  let stat: string;
  try {
    stat = readFileSync(`${procRoot}/${job.pid}/stat`, "utf8");
  } catch {
    throw new ProbeError(`process ${job.pid} is gone`);
  }
  const start = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  if (start !== job.startTime) throw new ProbeError(`process ${job.pid} is gone (its PID now belongs to another process)`);
  return openFile(`${procRoot}/${job.pid}/ns/net`);
}

function ipBytes(ip: Ip): Uint8Array {
  const n = ip.family === "ipv4" ? 4 : 16;
  const out = new Uint8Array(n);
  let v = ip.value;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Digs and checks `job.names`; every verdict goes to `emit` as it happens. Resolves when every
 * name is answered and every address checked; throws ProbeError when the namespace cannot be
 * entered or the DNS server cannot be asked at all.
 */
export async function probe(job: ProbeJob, emit: (v: Verdict) => void, procRoot = "/proc"): Promise<void> {
  const stream = new VerdictStream(emit);
  const server = parseIp(job.dnsServer ?? DOCKER_DNS);
  const nsFd = openNamespace(job, procRoot);
  const sockets: InetSocket[] = [];
  const epoll = Epoll.create(16);
  const icmp: { v4?: InetSocket | Error; v6?: InetSocket | Error } = {};
  let dns: InetSocket;
  try {
    dns = InetSocket.openIn(nsFd, server.family === "ipv6", "udp");
    sockets.push(dns);
    epoll.add(dns.fd, EPOLLIN, 0);
    const icmpFor = (v6: boolean): InetSocket | Error => {
      const slot = v6 ? "v6" : "v4";
      if (icmp[slot] === undefined) {
        try {
          const s = InetSocket.openIn(nsFd, v6, "icmp");
          sockets.push(s);
          epoll.add(s.fd, EPOLLIN, v6 ? 2 : 1);
          icmp[slot] = s;
        } catch (err) {
          icmp[slot] = err as Error;
        }
      }
      return icmp[slot]!;
    };

    const ident = (process.pid ^ Math.floor(Math.random() * 0xffff)) & 0xffff;
    const queries = new Map<number, Query>();
    const lookups = new Map<string, Lookup>();
    const pingQueue: string[] = [];
    const pings = new Map<string, Ping>();
    const bySeq = new Map<number, Ping>();
    let nextId = Math.floor(Math.random() * 0xffff);
    let nextSeq = 1;
    const serverBytes = ipBytes(server);

    const send = (q: Query, id: number) => {
      q.sentAt = performance.now();
      q.attempts++;
      if (!dns.sendTo(encodeQuery(id, q.name, q.type), serverBytes, 53)) q.sentAt -= DNS_TIMEOUT_MS; // buffer full: retry soon
    };
    for (const name of job.names) {
      stream.submitted(name);
      lookups.set(name, { pending: 2, addresses: [], problems: [] });
      for (const type of [TYPE_A, TYPE_AAAA]) {
        const id = nextId++ & 0xffff;
        const q = { name, type, sentAt: 0, attempts: 0 };
        queries.set(id, q);
        send(q, id);
      }
    }

    const finishQuery = (q: Query, addresses: string[], problem: string | null) => {
      const l = lookups.get(q.name)!;
      l.addresses.push(...addresses);
      if (problem) l.problems.push(problem);
      if (--l.pending > 0) return;
      if (l.addresses.length === 0) {
        stream.unresolved(q.name, [...new Set(l.problems)].join("; ") || "no A or AAAA record");
        return;
      }
      for (const a of l.addresses) if (stream.resolved(q.name, a)) pingQueue.push(a);
    };

    const startPing = (address: string) => {
      const ip = parseIp(address);
      const sock = icmpFor(ip.family === "ipv6");
      stream.checked(address, "verifying");
      if (sock instanceof Error) return stream.checked(address, "invalid", `cannot ping from the container's namespace: ${sock.message}`);
      if (ip.family === "ipv6" && ip.value >> 118n === 0x3fan) return stream.checked(address, "invalid", "a link-local address needs an interface to ping it on");
      const p: Ping = { address, ip, bytes: ipBytes(ip), startedAt: performance.now(), sent: 0, received: new Set(), seqs: [] };
      pings.set(address, p);
    };

    const buf = new Uint8Array(65536);
    for (;;) {
      const now = performance.now();
      // DNS: retries and timeouts.
      for (const [id, q] of queries) {
        if (now - q.sentAt < DNS_TIMEOUT_MS) continue;
        if (q.attempts < DNS_ATTEMPTS) send(q, id);
        else {
          queries.delete(id);
          finishQuery(q, [], `no answer from ${job.dnsServer ?? DOCKER_DNS} within ${(DNS_TIMEOUT_MS * DNS_ATTEMPTS) / 1000} s`);
        }
      }
      // Pings: start queued ones, send due requests, settle finished ones.
      while (pingQueue.length > 0 && pings.size < MAX_PINGS) startPing(pingQueue.shift()!);
      for (const p of pings.values()) {
        const sock = icmp[p.ip.family === "ipv6" ? "v6" : "v4"] as InetSocket;
        while (p.sent < PING_COUNT && now - p.startedAt >= p.sent * PING_INTERVAL_MS) {
          const seq = nextSeq++ & 0xffff;
          p.seqs.push(seq);
          bySeq.set(seq, p);
          sock.sendTo(echoRequest(p.ip.family === "ipv6", ident, seq), p.bytes, 0);
          p.sent++;
        }
        const over = now - p.startedAt >= PING_INTERVAL_MS * (PING_COUNT + 2);
        if (p.received.size < PING_COUNT && !over) continue;
        pings.delete(p.address);
        for (const s of p.seqs) bySeq.delete(s);
        const ok = p.received.size >= Math.floor((PING_COUNT * PING_THRESHOLD_PERCENT) / 100);
        stream.checked(p.address, ok ? "verified" : "invalid", ok ? undefined : "no replies or too many losses");
      }
      if (queries.size === 0 && pingQueue.length === 0 && pings.size === 0) return;

      for (const ready of epoll.wait(Math.min(MAX_WAIT_MS, nextDeadline(queries, pings, now)))) {
        if (ready.id === 0) {
          for (let r = dns.receive(buf); r; r = dns.receive(buf)) {
            if (!sameBytes(r.from, serverBytes) || r.length < 2) continue;
            const id = (buf[0]! << 8) | buf[1]!;
            const q = queries.get(id);
            if (!q) continue;
            let answer;
            try {
              answer = decodeAnswer(buf.subarray(0, r.length), q.type);
            } catch (err) {
              if (err instanceof DnsMessageError) continue; // not an answer we can read: wait for a good one or time out
              throw err;
            }
            queries.delete(id);
            const problem = answer.rcode !== "NOERROR" ? answer.rcode : answer.truncated ? "answer truncated" : null;
            finishQuery(q, answer.addresses, problem);
          }
        } else {
          const v6 = ready.id === 2;
          const sock = icmp[v6 ? "v6" : "v4"] as InetSocket;
          for (let r = sock.receive(buf); r; r = sock.receive(buf)) {
            const reply = parseEchoReply(v6, buf.subarray(0, r.length));
            if (!reply || reply.id !== ident) continue;
            const p = bySeq.get(reply.seq);
            if (p && sameBytes(r.from, p.bytes)) p.received.add(reply.seq);
          }
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    for (const s of sockets) s.close();
    epoll.close();
    closeQuietly(nsFd);
  }
}

function nextDeadline(queries: Map<number, Query>, pings: Map<string, Ping>, now: number): number {
  let next = Infinity;
  for (const q of queries.values()) next = Math.min(next, q.sentAt + DNS_TIMEOUT_MS - now);
  for (const p of pings.values()) {
    if (p.sent < PING_COUNT) next = Math.min(next, p.startedAt + p.sent * PING_INTERVAL_MS - now);
    next = Math.min(next, p.startedAt + PING_INTERVAL_MS * (PING_COUNT + 2) - now);
  }
  return Math.max(0, Math.ceil(next));
}
