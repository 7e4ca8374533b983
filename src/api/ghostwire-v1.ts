// Ghostwire (Edgeshark) compatibility: our Topology rendered as Ghostwire's v1 discovery JSON
// (its `GET /json`) and as its capture-target list (`GET /mobyshark`), field for field as
// Ghostwire's Go code writes them (siemens/ghostwire api/v1) and its web UI reads them, within
// its published OpenAPI spec (a copy: test/api/fixtures/ghostwire-v1.yaml).
//
// src/api/ghostwire/ is the ONE place that knows Ghostwire's shapes: the model does not bend to
// them. Pure — a Topology in, plain objects out; it imports only src/model. docs/ghostwire.md
// says what maps to what and where we differ (and why).

import type { Topology } from "../model/topology.ts";
import { captureTargets, Containees, gwPidNamespaces } from "./ghostwire/containees.ts";
import { gwInterface } from "./ghostwire/interfaces.ts";
import { Lookup, netnsId } from "./ghostwire/lookup.ts";
import type { GhostwireOptions, GwDiscoveryResult, GwEngineMeta, GwMetadata, GwNetns, GwTargetDiscoveryResult } from "./ghostwire/shapes.ts";
import { gwForwardedPorts, gwPorts, gwRoutes } from "./ghostwire/stack.ts";

export type * from "./ghostwire/shapes.ts";
export { LABEL_DEFAULT_BRIDGE, LABEL_INTERNAL_BRIDGE, LABEL_NETWORK_NAME } from "./ghostwire/interfaces.ts";
export { LABEL_PRIVILEGED } from "./ghostwire/containees.ts";

// lxkns' engine types, which Ghostwire's metadata names engines by.
const ENGINE_TYPES: Record<string, string> = { docker: "docker.com", podman: "podman.io", containerd: "containerd.io" };

function metadata(t: Topology, o: GhostwireOptions): GwMetadata {
  const m: GwMetadata = {
    "creation-timestamp": t.discoveredAt,
    creator: `wiresight ${o.creatorVersion}`,
    "creator-id": "wiresight",
    "creator-version": o.creatorVersion,
    "container-engines": t.engines
      .filter((e) => e.status !== "unreachable")
      .map(
        (e): GwEngineMeta => ({
          id: e.engineId ?? "",
          type: ENGINE_TYPES[e.kind] ?? e.kind,
          // The version /info gave, else the one in the Server header ("Docker/20.10.24+dfsg1 (linux)").
          version: e.version ?? /^[^/]+\/(\S+)/.exec(e.server ?? "")?.[1] ?? "",
          pid: e.pid,
        }),
      ),
  };
  if (t.host.hostname !== "") m.hostname = t.host.hostname;
  if (t.host.os?.name) m["osrel-name"] = t.host.os.name;
  if (t.host.os?.version) m["osrel-version"] = t.host.os.version;
  if (t.host.kernelVersion) m["kernel-version"] = t.host.kernelVersion;
  if (t.host.cpusOnline) m.cpus = t.host.cpusOnline.map(([a, b]) => [a, b]);
  return m;
}

export function toGhostwireDiscovery(t: Topology, o: GhostwireOptions): GwDiscoveryResult {
  const lookup = new Lookup(t);
  const containees = new Containees(lookup);
  return {
    metadata: metadata(t, o),
    "network-namespaces": t.namespaces.map((ns): GwNetns => {
      const { containees: entries, groups } = containees.of(ns);
      return {
        id: netnsId(ns),
        netnsid: ns.inode,
        "network-interfaces": ns.interfaces.map((i) => gwInterface(ns, i, lookup)),
        routes: gwRoutes(ns, lookup),
        "transport-ports": gwPorts(ns, lookup),
        "forwarded-ports": gwForwardedPorts(ns, lookup),
        containers: entries.map((c) => c.entry),
        "container-groups": groups,
      };
    }),
    "pid-namespaces": gwPidNamespaces(lookup),
  };
}

/** /mobyshark: the capture targets, sorted by name (Ghostwire's order is its map's, i.e. none). */
export function toMobysharkTargets(t: Topology, o: GhostwireOptions): GwTargetDiscoveryResult {
  const lookup = new Lookup(t);
  const containees = new Containees(lookup);
  const targets = t.namespaces.flatMap((ns) => captureTargets(ns, containees.of(ns).containees));
  targets.sort((a, b) => a.name.localeCompare(b.name) || a.netns - b.netns || a.pid - b.pid);
  return { metadata: metadata(t, o), containers: targets };
}
