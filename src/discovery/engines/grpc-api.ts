// gRPC over a unix socket for the engines that speak it (containerd's API, the CRI runtime
// service of containerd and CRI-O), with @grpc/grpc-js and message types loaded by
// @grpc/proto-loader from the .proto files of ./proto (imported as text, so they are inside the
// compiled binary; protobufjs parses them). Every failure becomes an EngineApiError naming the
// socket and the call, with one time limit per call, like the Docker API client (docker-api.ts).

import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import protobuf from "protobufjs";
import { EngineApiError } from "./docker-api.ts";
import containerdContainers from "./proto/containerd-containers.proto" with { type: "text" };
import containerdEvents from "./proto/containerd-events.proto" with { type: "text" };
import containerdNamespaces from "./proto/containerd-namespaces.proto" with { type: "text" };
import containerdTasks from "./proto/containerd-tasks.proto" with { type: "text" };
import containerdVersion from "./proto/containerd-version.proto" with { type: "text" };
import criRuntime from "./proto/cri-runtime-v1.proto" with { type: "text" };

/** The services wiresight calls, by their full gRPC names. */
export type GrpcService =
  | "containerd.services.version.v1.Version"
  | "containerd.services.namespaces.v1.Namespaces"
  | "containerd.services.containers.v1.Containers"
  | "containerd.services.tasks.v1.Tasks"
  | "containerd.services.events.v1.Events"
  | "runtime.v1.RuntimeService";

/** An answer larger than this is not one we want to hold (containers carry their whole OCI spec). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

type ServiceClient = grpc.Client & Record<string, (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb?: (err: grpc.ServiceError | null, res: unknown) => void) => unknown>;
type ServiceConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => ServiceClient;

let constructors: Map<GrpcService, ServiceConstructor> | null = null;
let root: protobuf.Root | null = null;

/** Parses the embedded .proto files once into client constructors. */
function serviceConstructors(): Map<GrpcService, ServiceConstructor> {
  if (constructors) return constructors;
  root = new protobuf.Root();
  for (const text of [containerdVersion, containerdNamespaces, containerdContainers, containerdTasks, containerdEvents, criRuntime]) protobuf.parse(text, root, { keepCase: true });
  // Enums as their names, 64-bit integers as decimal strings, absent fields as their defaults.
  const definition = fromJSON(root.toJSON(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition);
  const out = new Map<GrpcService, ServiceConstructor>();
  const names: GrpcService[] = [
    "containerd.services.version.v1.Version",
    "containerd.services.namespaces.v1.Namespaces",
    "containerd.services.containers.v1.Containers",
    "containerd.services.tasks.v1.Tasks",
    "containerd.services.events.v1.Events",
    "runtime.v1.RuntimeService",
  ];
  for (const name of names) {
    const ctor = name.split(".").reduce<unknown>((o, part) => (o as Record<string, unknown>)[part], loaded);
    if (typeof ctor !== "function") throw new Error(`internal: service ${name} is not in the embedded .proto files`);
    out.set(name, ctor as ServiceConstructor);
  }
  constructors = out;
  return out;
}

/**
 * One connection to a gRPC server on a unix socket, shared by the calls of one discovery pass;
 * close() when done. Calls never throw anything but EngineApiError.
 */
export class GrpcUnixClient {
  readonly #clients = new Map<GrpcService, ServiceClient>();
  readonly #channel: grpc.Channel;

  constructor(readonly socket: string) {
    this.#channel = new grpc.Channel(`unix://${socket}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      // No retries or reconnect loops behind our back: a dead engine is a warning, now.
      "grpc.enable_retries": 0,
      "grpc.initial_reconnect_backoff_ms": 100,
    });
  }

  #client(service: GrpcService): ServiceClient {
    let c = this.#clients.get(service);
    if (!c) {
      const Ctor = serviceConstructors().get(service)!;
      c = new Ctor(`unix://${this.socket}`, grpc.credentials.createInsecure(), { channelOverride: this.#channel });
      this.#clients.set(service, c);
    }
    return c;
  }

  /**
   * One unary call. `headers` become gRPC metadata (containerd takes its namespace as
   * `containerd-namespace`). The time limit covers connecting and the whole answer.
   */
  call<T>(service: GrpcService, method: string, request: object, timeoutMs: number, headers: Record<string, string> = {}): Promise<T> {
    const what = `${this.socket} ${service}/${method}`;
    return new Promise<T>((resolve, reject) => {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(headers)) md.set(k, v);
      const client = this.#client(service);
      const fn = client[method];
      if (typeof fn !== "function") {
        reject(new EngineApiError(`${what}: no such method in the embedded .proto files`));
        return;
      }
      fn.call(client, request, md, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(new EngineApiError(`${what}: ${describe(err, timeoutMs)}`));
        else resolve(res as T);
      });
    });
  }

  /**
   * A server stream (no time limit: it lasts until close() or the server ends it). `onMessage` gets
   * each message; `onEnd` is called once, with why it ended. Returns a function that cancels it.
   */
  stream<T>(service: GrpcService, method: string, request: object, onMessage: (m: T) => void, onEnd: (why: string) => void): () => void {
    const client = this.#client(service);
    const call = client[method]!.call(client, request, new grpc.Metadata(), {}) as grpc.ClientReadableStream<T>;
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      onEnd(why);
    };
    call.on("data", onMessage);
    call.on("error", (err: grpc.ServiceError) => end(`${this.socket} ${service}/${method}: ${describe(err, 0)}`));
    call.on("end", () => end(`${this.socket} ${service}/${method}: the engine ended the stream`));
    return () => {
      ended = true;
      call.cancel();
    };
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
    this.#channel.close();
  }
}

function describe(err: grpc.ServiceError, timeoutMs: number): string {
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return `no answer within ${timeoutMs} ms`;
  const name = grpc.status[err.code] ?? String(err.code);
  return `${name}: ${err.details || err.message}`;
}

/** Whether an EngineApiError says the server does not serve that service or method at all. */
export function isUnimplemented(err: unknown): boolean {
  return err instanceof EngineApiError && /: UNIMPLEMENTED: /.test(err.message);
}

/** Decodes a message of the embedded .proto files (a google.protobuf.Any's value, say). */
export function decodeMessage<T>(type: string, bytes: Uint8Array): T {
  serviceConstructors();
  return root!.lookupType(type).decode(bytes) as unknown as T;
}
