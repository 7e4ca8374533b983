// The top-level lists: each a connection ordered by identity key (stable cursors), each reading
// the live topology or, with `at:`, a recorded one, each with the filters users ask for.

import type { Moment } from "../../store/index.ts";
import { builder } from "../builder.ts";
import { keyConnection, type ConnectionArgs } from "../connection.ts";
import { canonicalIp, checkPort, containerNetns, findNamespace, nameMatcher } from "../filters.ts";
import { topologyAt } from "../moment.ts";
import type { SchemaIndex } from "../topology-index.ts";
import { AddressFamilyEnum, ContainerState, InterfaceKindEnum, OperStateEnum, SimpleSocketStateEnum, TransportProtocolEnum } from "../enums.ts";
import { AddressRef, ContainerNetworkRef, ContainerRef, EngineRef, ForwardedPortRef, InterfaceRef, NamespaceRef, ProcessRef, RouteRef, SocketRef } from "./refs.ts";

const FamilyEnum = AddressFamilyEnum;
const ProtocolEnum = TransportProtocolEnum;
const SocketStateEnum = SimpleSocketStateEnum;

const withTotal = { fields: (t: any) => ({ totalCount: t.int({ description: "Items matching the filters, over all pages.", resolve: (c: { totalCount: number }) => c.totalCount }) }) };

/** The namespace keys a `namespace:` / `container:` filter pair allows; null: any. */
function scope(index: SchemaIndex, args: { namespace?: string | null; container?: string | null }): Set<string> | null {
  let keys: Set<string> | null = null;
  if (args.namespace != null) keys = new Set([findNamespace(index, args.namespace).key]);
  if (args.container != null) {
    const ns = containerNetns(index, args.container);
    const c = new Set(ns === null ? [] : [ns]);
    keys = keys ? new Set([...keys].filter((k) => c.has(k))) : c;
  }
  return keys;
}

type Common = ConnectionArgs & { at?: Moment | null };

builder.queryFields((t) => {
  const at = t.arg({ type: "Moment", required: false, description: "A past moment (revision or time); the live topology when absent." });
  const namespace = t.arg.string({ required: false, description: "A namespace key, node id or display name." });
  const container = t.arg.string({ required: false, description: "A container name, id, key or node id: its namespace." });
  const read = (ctx: Parameters<typeof topologyAt>[0], args: Common) => topologyAt(ctx, args.at);

  return {
    namespaces: t.connection(
      {
        type: NamespaceRef,
        description: "Network namespaces.",
        args: { at, name: t.arg.string({ required: false, description: "Display name, exact or a glob (* ?)." }), container },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = scope(index, args);
          const name = args.name != null ? nameMatcher(args.name) : null;
          return keyConnection(index.topology.namespaces.filter((n) => (!s || s.has(n.key)) && (!name || name(n.displayName))), args);
        },
      },
      withTotal,
    ),
    interfaces: t.connection(
      {
        type: InterfaceRef,
        description: "Network interfaces of every namespace.",
        args: {
          at,
          namespace,
          container,
          kind: t.arg({ type: [InterfaceKindEnum], required: false }),
          name: t.arg.string({ required: false, description: "Interface name, exact or a glob (* ?)." }),
          operState: t.arg({ type: [OperStateEnum], required: false, description: "Operational states (any of them)." }),
          up: t.arg.boolean({ required: false, description: "The administrative state (the UP flag)." }),
          address: t.arg.string({ required: false, description: "Interfaces holding this IP address." }),
        },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = scope(index, args);
          const name = args.name != null ? nameMatcher(args.name) : null;
          const ip = args.address != null ? canonicalIp(args.address, "address") : null;
          const list = [...index.interfaces.values()].filter(
            (i) =>
              (!s || s.has(i.netns)) &&
              (!args.kind || args.kind.includes(i.kind)) &&
              (!name || name(i.name)) &&
              (!args.operState || (args.operState as string[]).includes(i.operState)) &&
              (args.up == null || i.up === args.up) &&
              (ip === null || i.addresses.some((a) => a.address === ip)),
          );
          return keyConnection(list, args);
        },
      },
      withTotal,
    ),
    addresses: t.connection(
      {
        type: AddressRef,
        description: "Addresses on every interface.",
        args: { at, namespace, container, family: t.arg({ type: FamilyEnum, required: false }), address: t.arg.string({ required: false }) },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = scope(index, args);
          const ip = args.address != null ? canonicalIp(args.address, "address") : null;
          const list = [...index.addresses.values()].filter((a) => {
            const ns = index.interfaces.get(a.interface)?.netns;
            return (!s || (ns !== undefined && s.has(ns))) && (!args.family || a.family === args.family) && (ip === null || a.address === ip);
          });
          return keyConnection(list, args);
        },
      },
      withTotal,
    ),
    routes: t.connection(
      {
        type: RouteRef,
        description: "Routes of every namespace, every table.",
        args: { at, namespace, container, family: t.arg({ type: FamilyEnum, required: false }), table: t.arg.int({ required: false }) },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = scope(index, args);
          const list = [...index.routes.values()].filter((r) => (!s || s.has(r.netns)) && (!args.family || r.family === args.family) && (args.table == null || r.table === args.table));
          return keyConnection(list, args);
        },
      },
      withTotal,
    ),
    sockets: t.connection(
      {
        type: SocketRef,
        description: "TCP and UDP sockets of every namespace.",
        args: {
          at,
          namespace,
          container,
          state: t.arg({ type: SocketStateEnum, required: false }),
          protocol: t.arg({ type: ProtocolEnum, required: false }),
          port: t.arg.int({ required: false, description: "Local port." }),
          address: t.arg.string({ required: false, description: "Local address (a wildcard socket matches only the wildcard)." }),
        },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = scope(index, args);
          const ip = args.address != null ? canonicalIp(args.address, "address") : null;
          const port = args.port != null ? checkPort(args.port) : null;
          const list = [...index.sockets.values()].filter(
            (x) =>
              (!s || s.has(x.netns)) &&
              (!args.state || x.simpleState === args.state) &&
              (!args.protocol || x.protocol === args.protocol) &&
              (port === null || x.localPort === port) &&
              (ip === null || x.localAddress === ip),
          );
          return keyConnection(list, args);
        },
      },
      withTotal,
    ),
    processes: t.connection(
      {
        type: ProcessRef,
        description: "Processes, with the namespace they are attached to.",
        args: { at, namespace, container, name: t.arg.string({ required: false, description: "comm, exact or a glob." }), pid: t.arg.int({ required: false }) },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = scope(index, args);
          const name = args.name != null ? nameMatcher(args.name) : null;
          const list = index.topology.processes.filter((p) => (!s || (p.netns !== null && s.has(p.netns))) && (!name || name(p.comm)) && (args.pid == null || p.pid === args.pid));
          return keyConnection(list, args);
        },
      },
      withTotal,
    ),
    containers: t.connection(
      {
        type: ContainerRef,
        description: "Containers the engines reported.",
        args: { at, namespace, name: t.arg.string({ required: false, description: "Exact or a glob." }), state: t.arg({ type: ContainerState.ref, required: false }) },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = scope(index, args);
          const name = args.name != null ? nameMatcher(args.name) : null;
          const list = index.topology.containers.filter((c) => (!s || (c.netns !== null && s.has(c.netns))) && (!name || name(c.name)) && (args.state == null || ContainerState.of(c.state) === args.state));
          return keyConnection(list, args);
        },
      },
      withTotal,
    ),
    engines: t.connection(
      { type: EngineRef, description: "Container engines found in the process table.", args: { at }, resolve: (_r, args, ctx) => keyConnection(read(ctx, args).topology.engines, args) },
      withTotal,
    ),
    containerNetworks: t.connection(
      { type: ContainerNetworkRef, description: "Container engines' networks.", args: { at }, resolve: (_r, args, ctx) => keyConnection(read(ctx, args).topology.containerNetworks, args) },
      withTotal,
    ),
    forwardedPorts: t.connection(
      {
        type: ForwardedPortRef,
        description: "Ports forwarded by NAT rules or proxies.",
        args: {
          at,
          namespace,
          container: t.arg.string({ required: false, description: "Forwardings whose destination is this container's namespace." }),
          port: t.arg.int({ required: false, description: "A host port the forwarding matches." }),
          address: t.arg.string({ required: false, description: "The destination address." }),
        },
        resolve: (_r, args, ctx) => {
          const index = read(ctx, args);
          const s = args.namespace != null ? findNamespace(index, args.namespace).key : null;
          const dest = args.container != null ? containerNetns(index, args.container) : undefined;
          const ip = args.address != null ? canonicalIp(args.address, "address") : null;
          const port = args.port != null ? checkPort(args.port) : null;
          const list = index.topology.forwardedPorts.filter(
            (p) =>
              (s === null || p.netns === s) &&
              (dest === undefined || (dest !== null && p.destinationNetns === dest)) &&
              (ip === null || p.destinationAddress === ip) &&
              (port === null || p.hostPorts === null || (port >= p.hostPorts.first && port <= p.hostPorts.last)),
          );
          return keyConnection(list, args);
        },
      },
      withTotal,
    ),
  };
});
