// Capture targets (issue 7): every namespace, container and pod, with its interfaces and the
// URL the server streams its packets from as pcapng. The target is the node id, which the
// server's /capture resolves (src/model/node-id.ts).

import type { Container, Pod } from "../../model/containers.ts";
import { encodeNodeId } from "../../model/node-id.ts";
import type { NetworkInterface, NetworkNamespace } from "../../model/topology.ts";
import { builder } from "../builder.ts";
import { CaptureTargetKindEnum } from "../enums.ts";
import type { SchemaIndex } from "../topology-index.ts";
import { ContainerRef, InterfaceRef, NamespaceRef, PodRef } from "./refs.ts";

export interface CaptureTarget {
  target: string;
  kind: "namespace" | "container" | "pod";
  name: string;
  namespace: NetworkNamespace;
  container: Container | null;
  pod: Pod | null;
  interfaces: NetworkInterface[];
  url: string;
}

export function captureTargets(index: SchemaIndex, baseUrl: string): CaptureTarget[] {
  const base = baseUrl.replace(/\/+$/, "");
  const url = (id: string) => `${base}/capture?target=${encodeURIComponent(id)}`;
  const out: CaptureTarget[] = [];
  for (const ns of index.topology.namespaces) {
    const target = encodeNodeId("NetworkNamespace", ns.key);
    out.push({ target, kind: "namespace", name: ns.displayName, namespace: ns, container: null, pod: null, interfaces: ns.interfaces, url: url(target) });
  }
  for (const c of index.topology.containers) {
    const ns = c.netns ? index.namespaces.get(c.netns) : undefined;
    if (!ns) continue; // no namespace seen: nothing to capture from
    const target = encodeNodeId("Container", c.key);
    out.push({ target, kind: "container", name: c.name, namespace: ns, container: c, pod: null, interfaces: ns.interfaces, url: url(target) });
  }
  for (const p of index.topology.pods) {
    const ns = p.netns ? index.namespaces.get(p.netns) : undefined;
    if (!ns) continue;
    const target = encodeNodeId("Pod", p.key);
    out.push({ target, kind: "pod", name: `${p.namespace}/${p.name}`, namespace: ns, container: null, pod: p, interfaces: ns.interfaces, url: url(target) });
  }
  return out;
}

export const CaptureTargetRef = builder.objectRef<CaptureTarget>("CaptureTarget").implement({
  description: "Something to capture packets from: GET `url` streams pcapng (add `&nif=NAME` per interface, `&filter=` a tcpdump filter).",
  fields: (t) => ({
    target: t.exposeID("target", { description: "The node id /capture accepts as target." }),
    kind: t.field({ description: "A namespace, a container or a pod.", type: CaptureTargetKindEnum, resolve: (c) => c.kind }),
    name: t.exposeString("name", { description: "The namespace's display name, the container's name, or the pod's NAMESPACE/NAME." }),
    namespace: t.field({ description: "The network namespace.", type: NamespaceRef, resolve: (c) => c.namespace }),
    container: t.field({ description: "The container; null for a namespace or a pod.", type: ContainerRef, nullable: true, resolve: (c) => c.container }),
    pod: t.field({ description: "The Kubernetes pod; null for a namespace or a container.", type: PodRef, nullable: true, resolve: (c) => c.pod }),
    interfaces: t.field({ description: "The interfaces it can capture on.", type: [InterfaceRef], resolve: (c) => c.interfaces }),
    url: t.exposeString("url", { description: "GET it for live pcapng." }),
  }),
});
