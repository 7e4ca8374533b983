// `wiresight capture TARGET`: live packets of one network namespace as pcapng, to a file or to
// stdout (for `| tshark -r -` or `| wireshark -k -i -`). Progress and the summary go to stderr so
// stdout stays pure pcapng.

import { once } from "node:events";
import { closeSync, existsSync, openSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import pkg from "../../../package.json" with { type: "json" };
import { Capture, type StopReason } from "../../capture/engine.ts";
import { aliveCheck, describeNamespace, openNamespace, resolveTarget, selectInterfaces, TargetError } from "../../capture/target.ts";
import { discover } from "../../discovery/discover.ts";
import { discoverWithEngines } from "../../discovery/discover-with-engines.ts";
import type { NetworkNamespace, Topology } from "../../model/topology.ts";
import { CAPTURE_SNAPLEN, closeQuietly, isSyscallError } from "../../ffi/index.ts";
import { parseCommandArgs } from "../args.ts";
import { UsageError } from "../usage-error.ts";

export const CAPTURE_HELP = `Usage: wiresight capture TARGET [options]

Capture the packets of one network namespace live and write them as pcapng, e.g.
  wiresight capture web -f icmp | tshark -r -
  wiresight capture 4026532281 -i eth0 -w /tmp/eth0.pcapng --duration 10

TARGET is a namespace as 'wiresight ls' shows it: its inode, a bind-mount path (/run/netns/web,
/proc/PID/ns/net), its 'ip netns' name, or its key (netns:<boot id>:<cookie>); or a Kubernetes
pod as pod:NAMESPACE/NAME, or a container's name (the container engines are asked then).

Options:
  -i, --interface IF    capture on IF (repeatable); default: every interface of the namespace
  -f, --filter EXPR     capture filter in tcpdump syntax (needs libpcap: Debian's libpcap0.8)
  -w, --write FILE      write to FILE; '-' (the default) is stdout, refused on a terminal
      --duration S      stop after S seconds
      --count N         stop after N packets
  -s, --snaplen N       keep at most N bytes of each packet (1..262144; default 262144)
  -B, --buffer-size KIB kernel ring per interface, in KiB, like tcpdump -B (default 8192,
                        less when capturing on many interfaces: 64 MiB in all)
      --no-promisc      do not put the interfaces in promiscuous mode
  -h, --help            show this help

Stops on --duration, --count, Ctrl-C (SIGINT/SIGTERM), when the reader goes away, or when the
target namespace disappears. A summary, with packets dropped because the reader was too slow
or the kernel queue overflowed, is printed on stderr.
`;

/** 1 GiB: a ring is kernel memory that cannot be swapped out. */
const MAX_BUFFER_KIB = 1024 * 1024;

function positiveNumber(option: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${option} takes a positive ${integer ? "integer" : "number"}, not '${value}'`);
  }
  return n;
}

const REASONS: Record<StopReason, string> = {
  count: "packet count reached",
  duration: "duration elapsed",
  stopped: "stopped",
  "consumer closed": "output closed",
  "target vanished": "the target namespace disappeared",
  "interfaces gone": "every captured interface disappeared",
};

export async function captureCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    "capture",
    argv,
    {
      interface: { type: "string", short: "i", multiple: true },
      filter: { type: "string", short: "f" },
      write: { type: "string", short: "w" },
      duration: { type: "string" },
      count: { type: "string" },
      snaplen: { type: "string", short: "s" },
      "buffer-size": { type: "string", short: "B" },
      "no-promisc": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    1,
  );
  if (values.help) {
    process.stdout.write(CAPTURE_HELP);
    return 0;
  }
  const target = positionals[0];
  if (target === undefined) throw new UsageError("'capture' needs a TARGET namespace (see 'wiresight ls')");
  const durationS = positiveNumber("--duration", values.duration, false);
  const count = positiveNumber("--count", values.count, true);
  const snaplen = positiveNumber("--snaplen", values.snaplen, true);
  if (snaplen !== undefined && snaplen > CAPTURE_SNAPLEN) throw new UsageError(`--snaplen takes at most ${CAPTURE_SNAPLEN} bytes, not '${values.snaplen}'`);
  const bufferKiB = positiveNumber("--buffer-size", values["buffer-size"], true);
  if (bufferKiB !== undefined && bufferKiB > MAX_BUFFER_KIB) throw new UsageError(`--buffer-size takes at most ${MAX_BUFFER_KIB} KiB, not '${values["buffer-size"]}'`);
  const path = values.write ?? "-";
  if (path === "-" && process.stdout.isTTY) {
    throw new UsageError("refusing to write binary pcapng to a terminal: pipe it (| tshark -r -) or use -w FILE");
  }

  const { topology, ns } = await findTarget(target);
  const interfaces = selectInterfaces(ns, values.interface ?? []);
  // The output before the capture: a path that cannot be written is an error before anything
  // is captured; a capture that cannot start leaves no empty file behind.
  const fileFd = path === "-" ? null : openOutput(path);
  let nsFd: number;
  try {
    nsFd = openNamespace(ns);
  } catch (e) {
    fileFd?.discard();
    throw e;
  }
  let capture: Capture;
  try {
    capture = Capture.start({
      netnsFd: nsFd,
      interfaces: interfaces.map((i) => ({ index: i.index, name: i.name, arphrd: i.linkType })),
      filter: values.filter,
      promiscuous: !values["no-promisc"],
      snaplen,
      ringBytes: bufferKiB === undefined ? undefined : bufferKiB * 1024,
      count,
      durationMs: durationS === undefined ? undefined : durationS * 1000,
      isAlive: aliveCheck(ns),
      comments: [
        `wiresight capture of ${describeNamespace(ns)}, key ${ns.key}${values.filter ? `, filter: ${values.filter}` : ""}`,
        `host ${topology.host.hostname}, boot id ${topology.host.bootId}`,
      ],
      os: `Linux ${topology.host.kernelRelease}`,
      userAppl: `wiresight ${pkg.version}`,
    });
  } catch (e) {
    fileFd?.discard();
    // setns and packet sockets need privileges; the bare errno would not say which.
    if (isSyscallError(e, "EPERM", "EACCES")) {
      throw new Error(`${(e as Error).message}: capturing needs root (CAP_SYS_ADMIN to enter the namespace, CAP_NET_RAW for packet sockets)`);
    }
    throw e;
  } finally {
    closeQuietly(nsFd); // the sockets hold the namespace from now on
  }

  const out: Output = fileFd === null ? new StdoutOutput(() => capture.stop("consumer closed")) : new FileOutput(fileFd.fd);
  const onSignal = () => capture.stop("stopped");
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.stderr.write(
    `wiresight: capturing on ${interfaces.map((i) => i.name).join(", ")} of ${describeNamespace(ns)}` +
      `${values.filter ? ` (filter: ${values.filter})` : ""}${values["no-promisc"] ? "" : ", promiscuous"}\n`,
  );
  let outputError: Error | undefined;
  try {
    for await (const chunk of capture) {
      // Once written, the chunk's memory holds a later block (fresh memory costs page faults).
      await out.write(chunk, () => capture.recycle(chunk));
    }
  } catch (e) {
    outputError = e as Error;
  } finally {
    try {
      out.close();
    } catch (e) {
      outputError ??= e as Error;
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    capture.stop("consumer closed");
  }
  const reason = await capture.ended;
  const s = capture.stats;
  process.stderr.write(
    `wiresight: ${s.packets} packet(s) captured (${REASONS[reason]}); ` +
      `${s.dropped} dropped because the output was too slow, ${s.kernelDropped} dropped by the kernel\n`,
  );
  if (outputError && !(outputError as NodeJS.ErrnoException).code?.startsWith("EPIPE")) {
    throw new Error(`writing ${path === "-" ? "stdout" : path}: ${outputError.message}`);
  }
  return 0;
}

/**
 * The namespace TARGET names. Namespaces alone are cheap to discover; pods and container names
 * need the engines asked, which only a target that names no namespace pays for.
 */
async function findTarget(target: string): Promise<{ topology: Topology; ns: NetworkNamespace }> {
  const plain = discover();
  try {
    return { topology: plain, ns: resolveTarget(plain, target) };
  } catch (err) {
    if (!(err instanceof TargetError) || /^(\d+|netns:.*|\/.*)$/.test(target)) throw err;
  }
  const topology = await discoverWithEngines();
  return { topology, ns: resolveTarget(topology, target) };
}

/** Where the pcapng goes. write() calls `done` once the chunk's memory may be reused. */
interface Output {
  write(chunk: Uint8Array, done: () => void): Promise<void> | void;
  close(): void;
}

/**
 * A file, written synchronously as tcpdump does: a write to the page cache takes microseconds,
 * while an asynchronous one (a worker thread, then a callback) costs two thread wakeups per chunk.
 */
class FileOutput implements Output {
  constructor(readonly fd: number) {}
  write(chunk: Uint8Array, done: () => void): void {
    for (let off = 0; off < chunk.byteLength; ) off += writeSync(this.fd, chunk, off);
    done();
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** stdout (a pipe to tshark or Wireshark, usually): the stream, waiting for it to drain. */
class StdoutOutput implements Output {
  #error: Error | undefined;
  /** `onError`: the reader went away (EPIPE) or stdout failed, perhaps while no chunk was being written. */
  constructor(onError: () => void) {
    process.stdout.on("error", (e: Error) => {
      this.#error ??= e;
      onError();
    });
  }
  async write(chunk: Uint8Array, done: () => void): Promise<void> {
    if (this.#error) throw this.#error;
    if (!process.stdout.write(chunk, done)) await once(process.stdout, "drain"); // rejects on "error"
  }
  close(): void {
    if (this.#error) throw this.#error;
  }
}

/** The output file, opened (created if missing) now; `discard()` closes it and removes it if it was created here. */
function openOutput(path: string): { fd: number; discard(): void } {
  const existed = existsSync(path);
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`cannot write ${path}: ${err.code === "ENOENT" ? "its directory does not exist" : err.code === "EISDIR" ? "it is a directory" : err.message}`);
  }
  return {
    fd,
    discard() {
      closeSync(fd);
      if (!existed) rmSync(path, { force: true });
    },
  };
}
