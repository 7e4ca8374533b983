// tun/tap users: which processes hold each tun/tap device open.
//
// The fd table says who holds /dev/net/tun open and fdinfo says the device NAME; the namespace
// comes from the kernel: TUNGETDEVNETNS on a duplicate of the holder's fd (src/ffi/tun.ts explains
// why neither the holder's own namespace nor the name alone can be trusted: a tap can be moved
// after creation, and two namespaces can each have a "tap0"). Only when the kernel cannot say
// (kernel < 5.2, no ptrace access) do we fall back to the name, and only when exactly one
// discovered namespace has a tun/tap of that name; otherwise the fd stays unattributed, with a
// warning, rather than guessed.

import { tunAttachment } from "../../ffi/index.ts";
import type { ProcessKey } from "../../model/keys.ts";
import type { NetworkNamespace } from "../../model/topology.ts";
import type { TunFd } from "../procfs/tun-fds.ts";

export function assignTunUsers(
  fds: TunFd[],
  namespaces: NetworkNamespace[],
  keyOfPid: (pid: number) => ProcessKey | undefined,
  warn: (subject: string, message: string) => void,
): void {
  if (fds.length === 0) return;
  const byInode = new Map(namespaces.map((ns) => [ns.inode, ns]));
  for (const f of fds) {
    const user = keyOfPid(f.pid);
    if (user === undefined) continue;
    let name = f.iff;
    let ns: NetworkNamespace | undefined;
    let why = "";
    try {
      const att = tunAttachment(f.pid, f.fd);
      if (att === null) continue; // detached since fdinfo was read
      name = att.name;
      if (att.netnsInode !== null) {
        ns = byInode.get(att.netnsInode);
        if (!ns) {
          warn("procfs", `pid ${f.pid} fd ${f.fd}: tun/tap ${name} lives in net:[${att.netnsInode}], which was not discovered`);
          continue;
        }
      } else {
        why = att.netnsError?.message ?? "no namespace";
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ESRCH" || code === "EBADF") continue; // the process or the fd went away
      why = (err as Error).message;
    }
    const candidates = ns ? [ns] : namespaces.filter((n) => n.interfaces.some((i) => i.kind === "tuntap" && i.name === name));
    if (candidates.length !== 1) {
      const where = candidates.length === 0 ? "no discovered namespace has it" : `${candidates.length} namespaces have one`;
      warn("procfs", `pid ${f.pid} fd ${f.fd}: tun/tap ${name} not attributed: its namespace is unknown (${why}) and ${where}`);
      continue;
    }
    const iface = candidates[0]!.interfaces.find((i) => i.kind === "tuntap" && i.name === name);
    if (!iface) {
      warn(candidates[0]!.key, `pid ${f.pid} fd ${f.fd}: tun/tap ${name} is not among its interfaces (created or renamed meanwhile?)`);
      continue;
    }
    if (!iface.users.includes(user)) iface.users.push(user);
  }
}
