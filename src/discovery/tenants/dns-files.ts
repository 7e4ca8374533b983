// Parsers for the files that decide how a tenant resolves names: /etc/hosts, resolv.conf,
// /etc/hostname, /etc/domainname. Pure (text in, values + problems out) so that ugly inputs can be
// unit-tested. They never throw: whatever can be understood is returned, and every line that
// could not be is described in `problems` (the caller turns those into one warning per file).

import { isIP } from "node:net";
import type { HostsEntry, ResolverSettings } from "../../model/tenants.ts";

export interface Parsed<T> {
  value: T;
  problems: string[];
}

/** At most this many problems are listed per file; the rest are counted. */
const MAX_PROBLEMS = 5;

class Problems {
  private readonly list: string[] = [];
  private extra = 0;
  add(message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(message);
    else this.extra++;
  }
  done(): string[] {
    return this.extra > 0 ? [...this.list, `… and ${this.extra} more`] : this.list;
  }
}

/** Lines without their "\r\n"/"\n" ends. */
function lines(text: string): string[] {
  return text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

// Control characters (other than tab) have no place in any of these files.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function shown(s: string): string {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(cut);
}

/** An address as the resolver accepts it: IPv4, or IPv6 with an optional %zone. */
function isAddress(s: string): boolean {
  const pct = s.indexOf("%");
  if (pct < 0) return isIP(s) !== 0;
  return isIP(s.slice(0, pct)) === 6 && pct < s.length - 1 && !CONTROL.test(s);
}

/**
 * /etc/hosts (hosts(5)): "ADDRESS NAME [ALIAS…]", "#" starts a comment anywhere. Names are merged
 * case-insensitively (the resolver compares them so), keeping the first spelling; each name lists
 * its addresses in file order without repeats.
 */
export function parseHosts(text: string): Parsed<HostsEntry[]> {
  const problems = new Problems();
  const byName = new Map<string, HostsEntry>();
  lines(text).forEach((raw, i) => {
    const hash = raw.indexOf("#");
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === "") return;
    const [address, ...names] = line.split(/[ \t]+/);
    if (address === undefined || !isAddress(address)) {
      problems.add(`line ${i + 1}: ${shown(address ?? line)} is not an IP address`);
      return;
    }
    if (names.length === 0) {
      problems.add(`line ${i + 1}: address ${address} has no name`);
      return;
    }
    for (const name of names) {
      if (CONTROL.test(name)) {
        problems.add(`line ${i + 1}: name ${shown(name)} contains control characters`);
        continue;
      }
      const key = name.toLowerCase();
      let entry = byName.get(key);
      if (!entry) {
        entry = { name, addresses: [] };
        byName.set(key, entry);
      }
      if (!entry.addresses.includes(address)) entry.addresses.push(address);
    }
  });
  return { value: [...byName.values()], problems: problems.done() };
}

// Keywords glibc or other resolvers know and we do not report (resolv.conf(5)).
const IGNORED_KEYWORDS = new Set(["sortlist", "lookup", "family"]);

/**
 * resolv.conf (resolv.conf(5), as glibc reads it): lines starting with "#" or ";" are comments;
 * "nameserver ADDR"; "search D…" and "domain D" both set the search list and the last one wins;
 * "options" tokens accumulate. Every nameserver is reported, although glibc uses only the first
 * three (MAXNS).
 */
export function parseResolvConf(text: string): Parsed<ResolverSettings> {
  const problems = new Problems();
  const value: ResolverSettings = { nameservers: [], search: [], options: [] };
  lines(text).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    if (CONTROL.test(line)) {
      problems.add(`line ${i + 1}: contains control characters`);
      return;
    }
    const [keyword, ...args] = line.split(/[ \t]+/);
    switch (keyword) {
      case "nameserver": {
        const address = args[0];
        if (address === undefined) problems.add(`line ${i + 1}: nameserver without an address`);
        else if (!isAddress(address)) problems.add(`line ${i + 1}: nameserver ${shown(address)} is not an IP address`);
        else if (!value.nameservers.includes(address)) value.nameservers.push(address);
        return;
      }
      case "search":
      case "domain": {
        if (args.length === 0) {
          problems.add(`line ${i + 1}: ${keyword} without a domain`);
          return;
        }
        // "domain" takes one name; glibc reads only the first word.
        value.search = keyword === "domain" ? [args[0]!] : args;
        return;
      }
      case "options":
        value.options.push(...args);
        return;
      default:
        if (keyword !== undefined && IGNORED_KEYWORDS.has(keyword)) return;
        problems.add(`line ${i + 1}: unknown keyword ${shown(keyword ?? line)}`);
    }
  });
  return { value, problems: problems.done() };
}

// A hostname label set as the kernel and hostname(1) accept it (HOST_NAME_MAX = 64).
const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_.])?$/;

/**
 * /etc/hostname or /etc/domainname (hostname(5)): the first line that is neither empty nor a
 * "#" comment, trimmed. Anything after the first word, or a name the kernel would refuse (longer
 * than 64 bytes, odd characters), is reported; the first word is still returned.
 */
export function parseNameFile(text: string): Parsed<string | null> {
  const problems = new Problems();
  for (const [i, raw] of lines(text).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [name, ...rest] = line.split(/[ \t]+/);
    if (name === undefined) continue;
    if (rest.length > 0) problems.add(`line ${i + 1}: more than one word (${shown(line)}); using ${shown(name)}`);
    if (!HOSTNAME.test(name)) problems.add(`line ${i + 1}: ${shown(name)} is not a valid host name`);
    return { value: name, problems: problems.done() };
  }
  return { value: null, problems: [] };
}

/** UTF-8 text of a file's bytes; invalid sequences become U+FFFD and are reported. */
export function decodeText(bytes: Uint8Array): Parsed<string> {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const problems: string[] = [];
  if (text.includes("\uFFFD")) problems.push("not valid UTF-8 (undecodable bytes replaced)");
  if (text.includes("\0")) problems.push("contains NUL bytes: not a text file");
  return { value: text, problems };
}
