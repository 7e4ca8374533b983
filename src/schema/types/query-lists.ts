// The top-level lists: each a connection named after its type (`InterfaceConnection`), each
// reading the live topology or, with `at:`, a recorded one, each with its filters as one input
// object (`filter: InterfaceFilter`) and an `orderBy` (identity key by default, which keeps
// interfaces in ifindex order within a namespace).

import type { Container, ContainerEngine, ContainerNetwork } from "../../model/containers.ts";
import type { ForwardedPort } from "../../model/forwarded-ports.ts";
import type { Address, NetworkInterface, NetworkNamespace, Process, Route, Socket } from "../../model/topology.ts";
import type { Moment } from "../../store/index.ts";
import { builder } from "../builder.ts";
import { connection, type ConnectionArgs } from "../connection.ts";
import { connectionType } from "../connection-types.ts";
import type { SchemaContext } from "../context.ts";
import { AddressFamilyEnum, ContainerState, EngineKindEnum, InterfaceKindEnum, OperStateEnum, RouteType, SimpleSocketStateEnum, SocketState, TransportProtocolEnum } from "../enums.ts";
import { canonicalIp, checkPort, containerNetns, findNamespace, findPod, GLOB, nameMatcher } from "../filters.ts";
import { topologyAt } from "../moment.ts";
import { orderBy } from "../ordering.ts";
import type { SchemaIndex } from "../topology-index.ts";
import { AddressRef, ContainerNetworkRef, ContainerRef, EngineRef, ForwardedPortRef, InterfaceRef, NamespaceRef, ProcessRef, RouteRef, SocketRef } from "./refs.ts";

export const NamespaceConnection = connectionType(NamespaceRef, "NetworkNamespace", "network namespaces");
export const InterfaceConnection = connectionType(InterfaceRef, "Interface", "interfaces");
export const AddressConnection = connectionType(AddressRef, "Address", "addresses");
export const RouteConnection = connectionType(RouteRef, "Route", "routes");
export const SocketConnection = connectionType(SocketRef, "Socket", "sockets");
export const ProcessConnection = connectionType(ProcessRef, "Process", "processes");
export const ContainerConnection = connectionType(ContainerRef, "Container", "containers");
export const EngineConnection = connectionType(EngineRef, "ContainerEngine", "container engines");
export const ContainerNetworkConnection = connectionType(ContainerNetworkRef, "ContainerNetwork", "container networks");
export const ForwardedPortConnection = connectionType(ForwardedPortRef, "ForwardedPort", "forwarded ports");

const NAMESPACE = "A namespace key, node id or display name.";
const CONTAINER = "A container name, id (12 hex digits or more), key or node id: its namespace.";
const POD = "A Kubernetes pod (NAMESPACE/NAME, a pod key or node id): its network namespace.";
/** The namespace keys a `namespace` / `container` / `pod` filter allows; null: any. */
function scope(index: SchemaIndex, f: { namespace?: string | null; container?: string | null; pod?: string | null } | null | undefined): Set<string> | null {
  let keys: Set<string> | null = null;
  if (f?.namespace != null) keys = new Set([findNamespace(index, f.namespace).key]);
  if (f?.container != null) {
    const ns = containerNetns(index, f.container);
    const c = new Set(ns === null ? [] : [ns]);
    keys = keys ? new Set([...keys].filter((k) => c.has(k))) : c;
  }
  if (f?.pod != null) {
    const ns = findPod(index, f.pod, "filter.pod").netns;
    const p = new Set(ns === null ? [] : [ns]);
    keys = keys ? new Set([...keys].filter((k) => p.has(k))) : p;
  }
  return keys;
}

const key = (x: { key: string }) => [x.key];

const NamespaceFilter = builder.inputType("NetworkNamespaceFilter", {
  description: "Which namespaces (all given conditions hold).",
  fields: (t) => ({
    name: t.string({ description: `Display name, ${GLOB}.` }),
    container: t.string({ description: CONTAINER }),
    pod: t.string({ description: POD }),
    initial: t.boolean({ description: "Only the initial (host) namespace, or only the others." }),
  }),
});
const NamespaceOrder = orderBy<NetworkNamespace>("NetworkNamespace", "namespaces", {
  KEY: { description: "Identity key (boot id and cookie: the order namespaces were created in).", values: key },
  DISPLAY_NAME: { description: "Display name.", values: (n) => [n.displayName, n.key] },
});

const InterfaceFilter = builder.inputType("InterfaceFilter", {
  description: "Which interfaces (all given conditions hold).",
  fields: (t) => ({
    namespace: t.string({ description: NAMESPACE }),
    container: t.string({ description: CONTAINER }),
    pod: t.string({ description: POD }),
    kinds: t.field({ type: [InterfaceKindEnum], description: "Any of these kinds." }),
    name: t.string({ description: `Interface name, ${GLOB}.` }),
    operStates: t.field({ type: [OperStateEnum], description: "Any of these operational states." }),
    up: t.boolean({ description: "The administrative state (the UP flag)." }),
    promiscuous: t.boolean({ description: "Whether the PROMISC flag is set." }),
    address: t.string({ description: "Holding this IP address." }),
  }),
});
const InterfaceOrder = orderBy<NetworkInterface>("Interface", "interfaces", {
  KEY: { description: "Identity key: namespace, then ifindex.", values: key },
  NAME: { description: "Interface name, then identity.", values: (i) => [i.name, i.key] },
});

const AddressFilter = builder.inputType("AddressFilter", {
  description: "Which addresses (all given conditions hold).",
  fields: (t) => ({
    namespace: t.string({ description: NAMESPACE }),
    container: t.string({ description: CONTAINER }),
    pod: t.string({ description: POD }),
    family: t.field({ type: AddressFamilyEnum, description: "Only this IP version." }),
    address: t.string({ description: "This IP address (in any notation; compared canonically)." }),
  }),
});

const RouteFilter = builder.inputType("RouteFilter", {
  description: "Which routes (all given conditions hold).",
  fields: (t) => ({
    namespace: t.string({ description: NAMESPACE }),
    container: t.string({ description: CONTAINER }),
    pod: t.string({ description: POD }),
    family: t.field({ type: AddressFamilyEnum, description: "Only this IP version." }),
    table: t.int({ description: "Only this routing table (254 main, 255 local)." }),
    types: t.field({ type: [RouteType.ref], description: "Any of these route types." }),
  }),
});

const SocketFilter = builder.inputType("SocketFilter", {
  description: "Which sockets (all given conditions hold).",
  fields: (t) => ({
    namespace: t.string({ description: NAMESPACE }),
    container: t.string({ description: CONTAINER }),
    pod: t.string({ description: POD }),
    simpleStates: t.field({ type: [SimpleSocketStateEnum], description: "Any of these simple states (LISTENING, CONNECTED, OTHER)." }),
    states: t.field({ type: [SocketState.ref], description: "Any of these kernel states." }),
    protocols: t.field({ type: [TransportProtocolEnum], description: "Any of these protocols." }),
    family: t.field({ type: AddressFamilyEnum, description: "Only this IP version." }),
    port: t.int({ description: "Local port." }),
    address: t.string({ description: "Local address (a wildcard socket matches only the wildcard)." }),
  }),
});
const SocketOrder = orderBy<Socket>("Socket", "sockets", {
  KEY: { description: "Identity key: namespace, then socket cookie.", values: key },
  LOCAL_PORT: { description: "Local port, then identity.", values: (s) => [s.localPort, s.key] },
});

const ProcessFilter = builder.inputType("ProcessFilter", {
  description: "Which processes (all given conditions hold).",
  fields: (t) => ({
    namespace: t.string({ description: NAMESPACE }),
    container: t.string({ description: CONTAINER }),
    pod: t.string({ description: POD }),
    name: t.string({ description: `Command name (comm), ${GLOB}.` }),
    pid: t.int({ description: "This PID." }),
  }),
});
const ProcessOrder = orderBy<Process>("Process", "processes", {
  KEY: { description: "Identity key (boot, PID, start time).", values: key },
  PID: { description: "PID, then identity.", values: (p) => [p.pid, p.key] },
});

const ContainerFilter = builder.inputType("ContainerFilter", {
  description: "Which containers (all given conditions hold).",
  fields: (t) => ({
    namespace: t.string({ description: NAMESPACE }),
    name: t.string({ description: `Container name, ${GLOB}.` }),
    states: t.field({ type: [ContainerState.ref], description: "Any of these states." }),
    engineKinds: t.field({ type: [EngineKindEnum], description: "Run by any of these kinds of engine." }),
  }),
});
const ContainerOrder = orderBy<Container>("Container", "containers", {
  KEY: { description: "Identity key (engine kind and container id).", values: key },
  NAME: { description: "Container name, then identity.", values: (c) => [c.name, c.key] },
});

const EngineFilter = builder.inputType("ContainerEngineFilter", {
  description: "Which container engines.",
  fields: (t) => ({ kinds: t.field({ type: [EngineKindEnum], description: "Any of these kinds." }) }),
});

const ContainerNetworkFilter = builder.inputType("ContainerNetworkFilter", {
  description: "Which container networks (all given conditions hold).",
  fields: (t) => ({
    name: t.string({ description: `Network name, ${GLOB}.` }),
    engineKinds: t.field({ type: [EngineKindEnum], description: "Of any of these kinds of engine." }),
  }),
});
const ContainerNetworkOrder = orderBy<ContainerNetwork>("ContainerNetwork", "container networks", {
  KEY: { description: "Identity key (engine kind and network id).", values: key },
  NAME: { description: "Network name, then identity.", values: (n) => [n.name, n.key] },
});

const ForwardedPortFilter = builder.inputType("ForwardedPortFilter", {
  description: "Which forwarded ports (all given conditions hold).",
  fields: (t) => ({
    namespace: t.string({ description: `${NAMESPACE} Where the forwarding's rules or proxy are.` }),
    container: t.string({ description: "Forwardings whose destination is this container's namespace (name, id, key or node id)." }),
    port: t.int({ description: "A host port the forwarding matches." }),
    address: t.string({ description: "The destination address." }),
  }),
});

const KeyOnly = <T extends { key: string }>(name: string, what: string) => orderBy<T>(name, what, { KEY: { description: "Identity key.", values: key } });
const AddressOrder = orderBy<Address>("Address", "addresses", {
  KEY: { description: "Identity key: interface, then address.", values: key },
  ADDRESS: { description: "The address as text (naturally: 10.0.0.9 before 10.0.0.10), then identity.", values: (a) => [a.address, a.key] },
});
const RouteOrder = KeyOnly<Route>("Route", "routes");
const EngineOrder = KeyOnly<ContainerEngine>("ContainerEngine", "container engines");
const ForwardedPortOrder = KeyOnly<ForwardedPort>("ForwardedPort", "forwarded ports");

type ListArgs = ConnectionArgs & { at?: Moment | null };

builder.queryFields((t) => {
  const at = t.arg({ type: "Moment", required: false, description: "A past moment (revision or time); the live topology when absent." });
  const read = (ctx: SchemaContext, args: ListArgs) => topologyAt(ctx, args.at);
  const opt = { required: false } as const;

  return {
    namespaces: t.field({
      type: NamespaceConnection,
      description: "Network namespaces.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: NamespaceFilter, ...opt, description: "Which namespaces." }), orderBy: t.arg({ type: NamespaceOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = scope(index, f);
        const name = f?.name != null ? nameMatcher(f.name) : null;
        const list = index.topology.namespaces.filter((n) => (!s || s.has(n.key)) && (!name || name(n.displayName)) && (f?.initial == null || n.initial === f.initial));
        return connection(list, args, NamespaceOrder.ordering(args.orderBy));
      },
    }),
    interfaces: t.field({
      type: InterfaceConnection,
      description: "Network interfaces of every namespace.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: InterfaceFilter, ...opt, description: "Which interfaces." }), orderBy: t.arg({ type: InterfaceOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = scope(index, f);
        const name = f?.name != null ? nameMatcher(f.name) : null;
        const ip = f?.address != null ? canonicalIp(f.address, "filter.address") : null;
        const list = [...index.interfaces.values()].filter(
          (i) =>
            (!s || s.has(i.netns)) &&
            (!f?.kinds || f.kinds.includes(i.kind)) &&
            (!name || name(i.name)) &&
            (!f?.operStates || (f.operStates as string[]).includes(i.operState)) &&
            (f?.up == null || i.up === f.up) &&
            (f?.promiscuous == null || i.promiscuous === f.promiscuous) &&
            (ip === null || i.addresses.some((a) => a.address === ip)),
        );
        return connection(list, args, InterfaceOrder.ordering(args.orderBy));
      },
    }),
    addresses: t.field({
      type: AddressConnection,
      description: "Addresses on every interface.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: AddressFilter, ...opt, description: "Which addresses." }), orderBy: t.arg({ type: AddressOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = scope(index, f);
        const ip = f?.address != null ? canonicalIp(f.address, "filter.address") : null;
        const list = [...index.addresses.values()].filter((a) => {
          const ns = index.interfaces.get(a.interface)?.netns;
          return (!s || (ns !== undefined && s.has(ns))) && (!f?.family || a.family === f.family) && (ip === null || a.address === ip);
        });
        return connection(list, args, AddressOrder.ordering(args.orderBy));
      },
    }),
    routes: t.field({
      type: RouteConnection,
      description: "Routes of every namespace, every table.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: RouteFilter, ...opt, description: "Which routes." }), orderBy: t.arg({ type: RouteOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = scope(index, f);
        const list = [...index.routes.values()].filter(
          (r) => (!s || s.has(r.netns)) && (!f?.family || r.family === f.family) && (f?.table == null || r.table === f.table) && (!f?.types || (f.types as string[]).includes(RouteType.of(r.type))),
        );
        return connection(list, args, RouteOrder.ordering(args.orderBy));
      },
    }),
    sockets: t.field({
      type: SocketConnection,
      description: "TCP and UDP sockets of every namespace.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: SocketFilter, ...opt, description: "Which sockets." }), orderBy: t.arg({ type: SocketOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = scope(index, f);
        const ip = f?.address != null ? canonicalIp(f.address, "filter.address") : null;
        const port = f?.port != null ? checkPort(f.port, "filter.port") : null;
        const list = [...index.sockets.values()].filter(
          (x) =>
            (!s || s.has(x.netns)) &&
            (!f?.simpleStates || f.simpleStates.includes(x.simpleState)) &&
            (!f?.states || (f.states as string[]).includes(SocketState.of(x.state))) &&
            (!f?.protocols || f.protocols.includes(x.protocol)) &&
            (!f?.family || x.family === f.family) &&
            (port === null || x.localPort === port) &&
            (ip === null || x.localAddress === ip),
        );
        return connection(list, args, SocketOrder.ordering(args.orderBy));
      },
    }),
    processes: t.field({
      type: ProcessConnection,
      description: "Processes, with the namespace they are attached to.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: ProcessFilter, ...opt, description: "Which processes." }), orderBy: t.arg({ type: ProcessOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = scope(index, f);
        const name = f?.name != null ? nameMatcher(f.name) : null;
        const list = index.topology.processes.filter((p) => (!s || (p.netns !== null && s.has(p.netns))) && (!name || name(p.comm)) && (f?.pid == null || p.pid === f.pid));
        return connection(list, args, ProcessOrder.ordering(args.orderBy));
      },
    }),
    containers: t.field({
      type: ContainerConnection,
      description: "Containers the engines reported.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: ContainerFilter, ...opt, description: "Which containers." }), orderBy: t.arg({ type: ContainerOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = scope(index, f);
        const name = f?.name != null ? nameMatcher(f.name) : null;
        const list = index.topology.containers.filter(
          (c) =>
            (!s || (c.netns !== null && s.has(c.netns))) &&
            (!name || name(c.name)) &&
            (!f?.states || (f.states as string[]).includes(ContainerState.of(c.state))) &&
            (!f?.engineKinds || f.engineKinds.some((k) => c.key.startsWith(`container:${k}:`))),
        );
        return connection(list, args, ContainerOrder.ordering(args.orderBy));
      },
    }),
    engines: t.field({
      type: EngineConnection,
      description: "Container engines found in the process table.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: EngineFilter, ...opt, description: "Which engines." }), orderBy: t.arg({ type: EngineOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const list = read(ctx, args).topology.engines.filter((e) => !args.filter?.kinds || args.filter.kinds.includes(e.kind));
        return connection(list, args, EngineOrder.ordering(args.orderBy));
      },
    }),
    containerNetworks: t.field({
      type: ContainerNetworkConnection,
      description: "Container engines' networks.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: ContainerNetworkFilter, ...opt, description: "Which networks." }), orderBy: t.arg({ type: ContainerNetworkOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const f = args.filter;
        const name = f?.name != null ? nameMatcher(f.name) : null;
        const list = read(ctx, args).topology.containerNetworks.filter((n) => (!name || name(n.name)) && (!f?.engineKinds || f.engineKinds.some((k) => n.key.startsWith(`container-network:${k}:`))));
        return connection(list, args, ContainerNetworkOrder.ordering(args.orderBy));
      },
    }),
    forwardedPorts: t.field({
      type: ForwardedPortConnection,
      description: "Ports forwarded by NAT rules or proxies.",
      args: { ...t.arg.connectionArgs(), at, filter: t.arg({ type: ForwardedPortFilter, ...opt, description: "Which forwardings." }), orderBy: t.arg({ type: ForwardedPortOrder.input, ...opt, description: "Sort order." }) },
      resolve: (_r, args, ctx) => {
        const index = read(ctx, args);
        const f = args.filter;
        const s = f?.namespace != null ? findNamespace(index, f.namespace).key : null;
        const dest = f?.container != null ? containerNetns(index, f.container) : undefined;
        const ip = f?.address != null ? canonicalIp(f.address, "filter.address") : null;
        const port = f?.port != null ? checkPort(f.port, "filter.port") : null;
        const list = index.topology.forwardedPorts.filter(
          (p) =>
            (s === null || p.netns === s) &&
            (dest === undefined || (dest !== null && p.destinationNetns === dest)) &&
            (ip === null || p.destinationAddress === ip) &&
            (port === null || p.hostPorts === null || (port >= p.hostPorts.first && port <= p.hostPorts.last)),
        );
        return connection(list, args, ForwardedPortOrder.ordering(args.orderBy));
      },
    }),
  };
});
