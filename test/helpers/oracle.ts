// iproute2 as an independent oracle: what `ip -j -d` reports for a namespace, and the same facts
// taken from a wiresight namespace, both reduced to comparable sorted string lists.

import { statSync } from "node:fs";
import type { NetworkNamespace, Topology } from "../../src/model/topology.ts";
import { ipJsonIn } from "./lab.ts";

export interface Facts {
  links: string[];
  addresses: string[];
  routes: string[];
}

export function oracleFacts(nsPath: string): Facts {
  const links = ipJsonIn(nsPath, ["-d", "link", "show"]).map(
    (l) =>
      `${l.ifindex} ${l.ifname} kind=${l.linkinfo?.info_kind ?? "-"} mac=${l.address ?? "-"} mtu=${l.mtu} oper=${l.operstate} up=${(l.flags as string[]).includes("UP")}`,
  );
  const addresses = ipJsonIn(nsPath, ["addr", "show"]).flatMap((l) =>
    (l.addr_info ?? []).map((a: any) => `${l.ifindex} ${a.family === "inet6" ? "ipv6" : "ipv4"} ${a.local}/${a.prefixlen} scope=${a.scope}`),
  );
  const routes = ipJsonIn(nsPath, ["route", "show", "table", "all"]).map(
    (r) => `${r.type ?? "unicast"} ${r.dst} via=${r.gateway ?? "-"} dev=${r.dev ?? "-"} table=${r.table ?? "main"} metric=${r.metric ?? 0}`,
  );
  return { links: links.sort(), addresses: addresses.sort(), routes: routes.sort() };
}

export function wiresightFacts(ns: NetworkNamespace): Facts {
  const name = new Map(ns.interfaces.map((i) => [i.key, i.name]));
  const links = ns.interfaces.map(
    (i) => `${i.index} ${i.name} kind=${i.driverKind ?? "-"} mac=${i.mac ?? "-"} mtu=${i.mtu} oper=${i.operState} up=${i.up}`,
  );
  const addresses = ns.interfaces.flatMap((i) => i.addresses.map((a) => `${i.index} ${a.family} ${a.address}/${a.prefixLength} scope=${a.scope}`));
  const routes = ns.routes.map((r) => {
    const host = r.prefixLength === (r.family === "ipv4" ? 32 : 128);
    const dst = r.destination === "default" ? "default" : host ? r.destination : `${r.destination}/${r.prefixLength}`;
    const dev = r.outputInterface ? name.get(r.outputInterface) : "-";
    return `${r.type} ${dst} via=${r.gateway ?? "-"} dev=${dev} table=${r.tableName} metric=${r.priority}`;
  });
  return { links: links.sort(), addresses: addresses.sort(), routes: routes.sort() };
}

/** The discovered namespace behind a path, matched by inode (an oracle independent of us). */
export function namespaceAt(t: Topology, nsPath: string): NetworkNamespace {
  const inode = statSync(nsPath).ino;
  const ns = t.namespaces.find((n) => n.inode === inode);
  if (!ns) throw new Error(`no discovered namespace with inode ${inode} (${nsPath})`);
  return ns;
}
