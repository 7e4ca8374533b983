// Which DNS names a Docker container can resolve on its networks, as Ghostwire's mobydig derives
// them (siemens/ghostwire mobydig/neighborhood.go, service.go): the user-defined bridge networks
// it is attached to (the default bridge has no embedded DNS), every Docker container on them,
// grouped into compose services; each service and container name, bare and qualified with the
// network name. Plus what Ghostwire leaves out: the containers' network aliases. Pure: reads a
// Topology only.

import type { Container } from "../model/containers.ts";
import type { NetworkInterface, Topology } from "../model/topology.ts";

export const COMPOSE_SERVICE_LABEL = "com.docker.compose.service";

export interface NeighborhoodService {
  /** The compose service name; "" for a container that belongs to no service. */
  name: string;
  containers: Container[];
  /** The network names it is reachable on, among those of the starting container. */
  networks: string[];
}

export interface Neighborhood {
  start: Container;
  services: NeighborhoodService[];
  /** Every name to dig, in order, without duplicates (no trailing dot). */
  names: string[];
}

export class NeighborhoodError extends Error {
  override name = "NeighborhoodError";
}

/** The first running Docker container named `name` (as Ghostwire looks it up). */
export function findDockerContainer(t: Topology, name: string): Container | undefined {
  const docker = new Set(t.engines.filter((e) => e.kind === "docker").map((e) => e.key));
  return t.containers.find((c) => c.name === name && docker.has(c.engine));
}

export function neighborhood(t: Topology, containerName: string): Neighborhood {
  const start = findDockerContainer(t, containerName);
  if (!start) throw new NeighborhoodError(`Docker container "${containerName}" not found`);
  if (start.netns === null) throw new NeighborhoodError(`Docker container "${containerName}": its network namespace is unknown`);
  const interfaces = new Map(t.namespaces.flatMap((ns) => ns.interfaces.map((i) => [i.key, i] as const)));
  const nsByKey = new Map(t.namespaces.map((ns) => [ns.key, ns]));
  const containers = new Map(t.containers.map((c) => [c.key, c]));
  const docker = new Set(t.engines.filter((e) => e.kind === "docker").map((e) => e.key));
  const peerOf = (i: NetworkInterface) => (i.kind === "veth" && i.relations.peer ? interfaces.get(i.relations.peer) : undefined);

  // The user-defined networks of the start container: bridges its veths are plugged into.
  const bridges = new Map<string, NetworkInterface>();
  for (const i of nsByKey.get(start.netns)?.interfaces ?? []) {
    const port = peerOf(i);
    const bridge = port?.relations.bridge ? interfaces.get(port.relations.bridge) : undefined;
    if (bridge?.containerNetwork && !bridge.containerNetwork.default) bridges.set(bridge.key, bridge);
  }

  const raw: NeighborhoodService[] = [];
  for (const bridge of bridges.values()) {
    const network = bridge.containerNetwork!.name;
    for (const portKey of bridge.relations.ports) {
      const end = interfaces.get(portKey);
      const inside = end ? peerOf(end) : undefined;
      if (!inside) continue;
      for (const key of nsByKey.get(inside.netns)?.containers ?? []) {
        const c = containers.get(key);
        if (!c || !docker.has(c.engine)) continue;
        raw.push({ name: c.labels[COMPOSE_SERVICE_LABEL] ?? "", containers: [c], networks: [network] });
      }
    }
  }
  const services = deduplicate(raw);
  // Only the networks the start container is on: services elsewhere are not reachable by name.
  const mine = services.find((s) => s.containers.some((c) => c.key === start.key))?.networks ?? [];
  for (const s of services) s.networks = s.networks.filter((n) => mine.includes(n));
  services.sort((a, b) => cmp(a.name, b.name) || cmp(a.containers[0]!.name, b.containers[0]!.name));
  return { start, services, names: dnsNames(services) };
}

/** One entry per service name (stand-alone containers: per container), containers and networks merged. */
function deduplicate(services: NeighborhoodService[]): NeighborhoodService[] {
  const unique = new Map<string, NeighborhoodService>();
  for (const s of services) {
    const id = s.name !== "" ? s.name : `:${s.containers[0]!.name}`;
    const seen = unique.get(id);
    if (!seen) {
      unique.set(id, { name: s.name, containers: [...s.containers], networks: [...s.networks] });
      continue;
    }
    for (const c of s.containers) if (!seen.containers.some((x) => x.key === c.key)) seen.containers.push(c);
    for (const n of s.networks) if (!seen.networks.includes(n)) seen.networks.push(n);
  }
  for (const s of unique.values()) s.containers.sort((a, b) => cmp(a.name, b.name));
  return [...unique.values()];
}

/**
 * The service name and each container name, bare and as `<name>.<network>`; then each container's
 * aliases on those networks the same way. Duplicates (a service named like its container) once.
 */
function dnsNames(services: NeighborhoodService[]): string[] {
  const names = new Set<string>();
  const qualified = (name: string, networks: string[]) => [name, ...networks.map((n) => `${name}.${n}`)];
  for (const s of services) {
    if (s.name !== "") for (const n of qualified(s.name, s.networks)) names.add(n);
    for (const c of s.containers) for (const n of qualified(c.name, s.networks)) names.add(n);
  }
  for (const s of services)
    for (const c of s.containers)
      for (const a of c.networks)
        if (s.networks.includes(a.name)) for (const alias of a.aliases) for (const n of qualified(alias, [a.name])) names.add(n);
  return [...names];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
