// DNS settings of a tenant, read where the tenant itself would read them, with two caches that
// keep the cost to what is actually distinct on the host:
//   - files, per (mount namespace, root directory): every process sharing a mount namespace and a
//     root sees the same /etc. The root is part of the key because a chroot inside a mount
//     namespace changes what /etc is.
//   - UTS names, per UTS namespace.
// Files are opened with openat2(RESOLVE_IN_ROOT) under /proc/PID/root (see src/ffi/openat2.ts),
// so a bind mount over /etc/hosts in the tenant's mount namespace is seen, and an absolute
// symlink like /etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf is followed inside the
// tenant's root, never into the host's.

import { fstatSync, readlinkSync } from "node:fs";
import { closeQuietly, openFile, openRootDir, readFileInRoot, utsNamesIn, type UtsNames } from "../../ffi/index.ts";
import type { DnsSettings } from "../../model/tenants.ts";
import { parseNsLink } from "../procfs/namespaces.ts";
import { describeErrno, errnoCode, isVanished } from "../procfs/errors.ts";
import { decodeText, parseHosts, parseNameFile, parseResolvConf, type Parsed } from "./dns-files.ts";

/** Big enough for ad-blocking hosts files (a few MB); beyond it the rest is ignored, with a warning. */
const HOSTS_LIMIT = 8 << 20;
const SMALL_LIMIT = 64 << 10;

type FileFields = Pick<DnsSettings, "hostname" | "domainname" | "hosts" | "resolver">;

export class DnsReader {
  private readonly files = new Map<string, FileFields>();
  private readonly uts = new Map<number, UtsNames | null>();
  /** Number of distinct file sets and UTS namespaces actually read (for stats and tests). */
  fileReads = 0;
  utsReads = 0;

  constructor(
    private readonly procRoot: string,
    /** Receives one message per problem; the caller adds the subject. */
    private readonly warn: (message: string) => void,
  ) {}

  /** null when the process vanished (the tenant is dropped). */
  read(pid: number, comm: string): DnsSettings | null {
    const who = `pid ${pid} (${comm})`;
    const utsNames = this.readUts(pid, who);
    if (utsNames === "gone") return null;
    const files = this.readFiles(pid, who);
    if (files === "gone") return null;
    return {
      utsHostname: utsNames?.nodename ?? null,
      utsDomainname: utsNames?.domainname ?? null,
      ...(files ?? { hostname: null, domainname: null, hosts: null, resolver: null }),
    };
  }

  private readUts(pid: number, who: string): UtsNames | null | "gone" {
    const path = `${this.procRoot}/${pid}/ns/uts`;
    let inode: number | null;
    try {
      inode = parseNsLink(readlinkSync(path), "uts");
    } catch (err) {
      if (isVanished(err)) return "gone";
      this.warn(`${who}: cannot read ${path}: ${errnoCode(err)} (${describeErrno(errnoCode(err))}); UTS hostname unknown`);
      return null;
    }
    if (inode !== null && this.uts.has(inode)) return this.uts.get(inode)!;
    let names: UtsNames | null = null;
    let fd = -1;
    try {
      fd = openFile(path);
      names = utsNamesIn(fd);
      this.utsReads++;
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT" || (err as { code?: string }).code === "ESRCH") return "gone";
      this.warn(`${who}: UTS hostname unknown: ${(err as Error).message}`);
    } finally {
      closeQuietly(fd);
    }
    if (inode !== null) this.uts.set(inode, names);
    return names;
  }

  private readFiles(pid: number, who: string): FileFields | null | "gone" {
    let mnt: number | null;
    let rootFd = -1;
    try {
      mnt = parseNsLink(readlinkSync(`${this.procRoot}/${pid}/ns/mnt`), "mnt");
      rootFd = openRootDir(`${this.procRoot}/${pid}/root`);
    } catch (err) {
      closeQuietly(rootFd);
      const code = (err as { code?: string }).code ?? "EUNKNOWN";
      if (code === "ENOENT" || code === "ESRCH") return "gone";
      this.warn(`${who}: cannot open its root: ${(err as Error).message}; DNS files not read`);
      return null;
    }
    try {
      const st = fstatSync(rootFd);
      const key = `${mnt}:${st.dev}:${st.ino}`;
      const cached = this.files.get(key);
      if (cached) return cached;
      const files = this.readAll(rootFd, who);
      this.fileReads++;
      this.files.set(key, files);
      return files;
    } finally {
      closeQuietly(rootFd);
    }
  }

  private readAll(rootFd: number, who: string): FileFields {
    const read = <T>(path: string, limit: number, parse: (text: string) => Parsed<T>): T | null => {
      let file;
      try {
        file = readFileInRoot(rootFd, path, limit);
      } catch (err) {
        this.warn(`${who}: ${path}: ${(err as Error).message}`);
        return null;
      }
      if (file === null) return null;
      const text = decodeText(file.bytes);
      const parsed = parse(text.value);
      const problems = [...text.problems, ...parsed.problems];
      if (file.truncated) problems.unshift(`larger than ${limit} bytes: only the beginning was read`);
      if (problems.length > 0) this.warn(`${who}: ${path}: ${problems.join("; ")}`);
      return parsed.value;
    };
    return {
      hostname: read("/etc/hostname", SMALL_LIMIT, parseNameFile),
      domainname: read("/etc/domainname", SMALL_LIMIT, parseNameFile),
      hosts: read("/etc/hosts", HOSTS_LIMIT, parseHosts),
      resolver: read("/etc/resolv.conf", SMALL_LIMIT, parseResolvConf),
    };
  }
}
