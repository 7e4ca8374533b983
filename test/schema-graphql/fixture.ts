// The schema tests' world: a small real lab (two namespaces: a bridge with a veth port in one,
// the veth's peer with an address and a listening TCP socket in the other), discovered for real,
// recorded into a temporary Store behind a LiveDouble, and a way to run GraphQL against it.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execute, parse, subscribe, validate, type ExecutionResult } from "graphql";
import { discover } from "../../src/discovery/discover.ts";
import type { Topology } from "../../src/model/topology.ts";
import { buildSchema, type SchemaContext } from "../../src/schema/index.ts";
import { Store } from "../../src/store/index.ts";
import { Lab, sh } from "../helpers/lab.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { AlertsDouble } from "./alerts-double.ts";

export interface Fixture {
  lab: Lab;
  store: Store;
  live: LiveDouble;
  alerts: AlertsDouble;
  ctx: SchemaContext;
  /** Namespace names (ip netns) and keys (discovery's). */
  ns: { a: string; b: string };
  keys: { a: string; b: string };
  first: Topology;
  /** An address of the lab's own subnet (random per run, so that a lab still being torn down never answers for this one): ip(1), ip(2)… */
  ip(host: number): string;
  run(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<any>>;
  /** A new discovery recorded (and published unless told otherwise). */
  rediscover(options?: { publish?: boolean }): ReturnType<LiveDouble["record"]>;
  cleanup(): void;
}

export const schema = buildSchema();

export function netnsKeyOf(t: Topology, name: string): string {
  const inode = Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${name}`]).trim());
  const ns = t.namespaces.find((n) => n.inode === inode);
  if (!ns) throw new Error(`namespace ${name} (inode ${inode}) not discovered`);
  return ns.key;
}

export async function makeFixture(): Promise<Fixture> {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), "wiresight-gql-"));
  let store: Store | null = null;
  try {
    const net = `10.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 256)}`;
    const ip = (host: number) => `${net}.${host}`;
    const a = lab.netns("a");
    const b = lab.netns("b");
    lab.ip(a, "link", "add", "br0", "type", "bridge");
    lab.ip(a, "link", "add", "va0", "type", "veth", "peer", "name", "vb0", "netns", b);
    lab.ip(a, "link", "set", "va0", "master", "br0");
    lab.ip(a, "addr", "add", `${ip(1)}/24`, "dev", "br0");
    lab.ip(b, "addr", "add", `${ip(2)}/24`, "dev", "vb0");
    for (const [ns, dev] of [[a, "br0"], [a, "va0"], [b, "vb0"]] as const) lab.ip(ns, "link", "set", dev, "up");
    const server = lab.spawn("ip", ["netns", "exec", b, "python3", "-c", `import socket,time\ns=socket.socket(); s.bind(('${ip(2)}', 8080)); s.listen()\nprint('ready', flush=True)\ntime.sleep(600)`]);
    await lab.waitFor(server, "ready");

    store = Store.open(join(dir, "history.db"));
    const first = discover();
    const live = new LiveDouble(store, first, () => discover());
    const alerts = new AlertsDouble();
    const ctx: SchemaContext = { live, store, alerts, baseUrl: "http://127.0.0.1:5000" };
    const s = store;
    return {
      lab,
      store,
      live,
      alerts,
      ctx,
      ns: { a, b },
      keys: { a: netnsKeyOf(first, a), b: netnsKeyOf(first, b) },
      first,
      ip,
      run: async (query, variables) => {
        const document = parse(query);
        const errors = validate(schema, document);
        if (errors.length) return { errors };
        return (await execute({ schema, document, contextValue: ctx, variableValues: variables })) as ExecutionResult<any>;
      },
      rediscover: (options) => live.record(discover(), options),
      cleanup: () => {
        s.close();
        lab.cleanup();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    store?.close();
    lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Runs a subscription and returns its iterator (or the errors it was refused with). */
export async function subscribeTo(f: Fixture, query: string, variables?: Record<string, unknown>): Promise<AsyncIterableIterator<ExecutionResult<any>> | ExecutionResult<any>> {
  return (await subscribe({ schema, document: parse(query), contextValue: f.ctx, variableValues: variables })) as any;
}

/** The result's data, or a thrown error listing its GraphQL errors. */
export function data<T = any>(r: ExecutionResult<T>): T {
  if (r.errors?.length) throw new Error(`GraphQL errors: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.data as T;
}

/** The messages of the errors a result carries (none: []). */
export function errorsOf(r: ExecutionResult<unknown>): string[] {
  return (r.errors ?? []).map((e) => e.message);
}
