// Capture filters in tcpdump syntax, compiled to classic BPF by the system's libpcap
// (`pcap_open_dead` + `pcap_compile`: no device is opened, libpcap is only the compiler).
// Loaded on first use, so that captures without a filter work where libpcap is not installed.

import { FFIType, dlopen, toArrayBuffer, type Pointer } from "bun:ffi";
import type { SockFilter } from "./packet-socket.ts";

/** Debian's soname for libpcap 1.x (package libpcap0.8), then the generic names. */
const SONAMES = ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"];
const PCAP_NETMASK_UNKNOWN = 0xffffffff;
// pcap_open_dead takes a DLT_* value, not the LINKTYPE_* written in files; they differ for raw IP:
// LINKTYPE_RAW is 101, DLT_RAW is 12 on Linux ("unknown data link type 101" otherwise).
const DLT_FOR_LINKTYPE = new Map([[101, 12]]);

/** libpcap is not installed: only filtered captures need it. */
export class LibpcapMissingError extends Error {
  constructor(detail: string) {
    super(
      `capture filters need libpcap, which could not be loaded (${detail}); install it ` +
        `(Debian/Ubuntu: apt-get install libpcap0.8, Fedora: dnf install libpcap) or capture without -f`,
    );
    this.name = "LibpcapMissingError";
  }
}

/** pcap_compile rejected the expression; `reason` is libpcap's own message. */
export class FilterSyntaxError extends Error {
  readonly expression: string;
  readonly reason: string;
  constructor(expression: string, reason: string) {
    super(`invalid capture filter ${JSON.stringify(expression)}: ${reason}`);
    this.name = "FilterSyntaxError";
    this.expression = expression;
    this.reason = reason;
  }
}

function load() {
  const errors: string[] = [];
  for (const name of SONAMES) {
    try {
      return dlopen(name, {
        // pcap_t *pcap_open_dead(int linktype, int snaplen)
        pcap_open_dead: { args: ["i32", "i32"], returns: "ptr" },
        // int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask)
        pcap_compile: { args: ["ptr", "ptr", "ptr", "i32", "u32"], returns: "i32" },
        // void pcap_freecode(struct bpf_program *fp)
        pcap_freecode: { args: ["ptr"], returns: FFIType.void },
        // char *pcap_geterr(pcap_t *p)
        pcap_geterr: { args: ["ptr"], returns: "cstring" },
        // void pcap_close(pcap_t *p)
        pcap_close: { args: ["ptr"], returns: FFIType.void },
      }).symbols;
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new LibpcapMissingError(errors[0] ?? "not found");
}

let pcap: ReturnType<typeof load> | undefined;

/** Whether libpcap can be loaded here (for messages and tests). */
export function libpcapAvailable(): boolean {
  try {
    pcap ??= load();
    return true;
  } catch {
    return false;
  }
}

/**
 * Compile `expression` for frames of LINKTYPE `linkType` (1 = Ethernet, 101 = raw IP) cut at
 * `snaplen`, optimized, like `tcpdump -d` would. Throws FilterSyntaxError for a bad expression,
 * LibpcapMissingError when libpcap is absent.
 */
export function compileFilter(expression: string, linkType: number, snaplen: number): SockFilter[] {
  pcap ??= load();
  if (expression.includes("\0")) throw new FilterSyntaxError(expression, "contains a NUL byte");
  const handle = pcap.pcap_open_dead(DLT_FOR_LINKTYPE.get(linkType) ?? linkType, snaplen);
  if (handle === null) throw new Error(`pcap_open_dead(${linkType}, ${snaplen}) failed`);
  try {
    // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; } (16 bytes on 64-bit ABIs)
    const prog = new Uint8Array(16);
    const expr = new TextEncoder().encode(`${expression}\0`);
    if (pcap.pcap_compile(handle, prog, expr, 1, PCAP_NETMASK_UNKNOWN) !== 0) {
      throw new FilterSyntaxError(expression, String(pcap.pcap_geterr(handle) ?? "pcap_compile failed"));
    }
    try {
      const v = new DataView(prog.buffer);
      const count = v.getUint32(0, true);
      const insns = Number(v.getBigUint64(8, true)) as Pointer;
      const bytes = new DataView(toArrayBuffer(insns, 0, count * 8));
      const out: SockFilter[] = [];
      for (let i = 0; i < count; i++) {
        out.push({ code: bytes.getUint16(i * 8, true), jt: bytes.getUint8(i * 8 + 2), jf: bytes.getUint8(i * 8 + 3), k: bytes.getUint32(i * 8 + 4, true) });
      }
      return out;
    } finally {
      pcap.pcap_freecode(prog);
    }
  } finally {
    pcap.pcap_close(handle);
  }
}

