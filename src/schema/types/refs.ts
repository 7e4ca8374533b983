// Type references declared before they are implemented, so that the type files can point at
// each other (an interface's namespace, a namespace's interfaces) in any order.

import type { Container, ContainerEngine, ContainerNetwork, Pod } from "../../model/containers.ts";
import type { KubeService } from "../../model/kube-services.ts";
import type { ForwardedPort } from "../../model/forwarded-ports.ts";
import type { Tenant } from "../../model/tenants.ts";
import type { Address, NetworkInterface, NetworkNamespace, PidNamespace, Process, Route, Socket, Topology } from "../../model/topology.ts";
import { builder } from "../builder.ts";

export const NamespaceRef = builder.objectRef<NetworkNamespace>("NetworkNamespace");
export const InterfaceRef = builder.interfaceRef<NetworkInterface>("Interface");
export const AddressRef = builder.objectRef<Address>("Address");
export const RouteRef = builder.objectRef<Route>("Route");
export const SocketRef = builder.objectRef<Socket>("Socket");
export const ProcessRef = builder.objectRef<Process>("Process");
export const PidNamespaceRef = builder.objectRef<PidNamespace>("PidNamespace");
export const TenantRef = builder.objectRef<Tenant>("Tenant");
export const ContainerRef = builder.objectRef<Container>("Container");
export const EngineRef = builder.objectRef<ContainerEngine>("ContainerEngine");
export const ContainerNetworkRef = builder.objectRef<ContainerNetwork>("ContainerNetwork");
export const ForwardedPortRef = builder.objectRef<ForwardedPort>("ForwardedPort");
export const TopologyRef = builder.objectRef<Topology>("Topology");
export const PodRef = builder.objectRef<Pod>("Pod");
export const ServiceRef = builder.objectRef<KubeService>("Service");
