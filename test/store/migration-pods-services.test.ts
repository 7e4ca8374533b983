// Migration 0004_pods_services on a database as wiresight left it before pods and services: the
// history recorded then (engines, containers, networks and forwardings without the fields the
// CRI runtimes and kube-proxy added) reads back whole, in the store and through GraphQL, and the
// next recording adds pods and services.

import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { execute, parse } from "graphql";
import { join } from "node:path";
import type { Topology } from "../../src/model/topology.ts";
import { buildSchema } from "../../src/schema/index.ts";
import { Store } from "../../src/store/index.ts";
import { withKubernetes } from "../clients/world.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { AlertsDouble } from "../schema-graphql/alerts-double.ts";
import { databaseBefore, tempDir } from "./helpers.ts";
import { later, syntheticTopology } from "./synthetic.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const MARKER = "CREATE TABLE `pods`";

/** The node with containerd, as an older wiresight recorded it: no pods, no services, none of the fields they brought. */
function asOlderWiresightSawIt(t: Topology): Topology {
  const old = structuredClone(t);
  old.pods = [];
  old.services = [];
  const strip = (o: object, ...fields: string[]) => fields.forEach((f) => delete (o as Record<string, unknown>)[f]);
  for (const e of old.engines) strip(e, "containerdNamespaces", "cri");
  for (const c of old.containers) strip(c, "containerdNamespace", "pod");
  for (const n of old.containerNetworks) strip(n, "cni");
  for (const p of old.forwardedPorts) strip(p, "service");
  return old;
}

/** Tables, indexes and applied migrations: what makes two files the same schema. */
function schemaOf(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return {
      objects: db.query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all(),
      migrations: db.query("SELECT hash, created_at FROM __drizzle_migrations ORDER BY id").all(),
    };
  } finally {
    db.close();
  }
}

test("a database from before pods and services migrates forward: its history reads back whole, the next recording adds them", async () => {
  const node = withKubernetes(syntheticTopology());
  const path = join(tmp.dir, "older.db");

  // Recorded with today's store, then taken back to the schema of before (its migration's tables
  // and row gone): the same file an older wiresight would have left, as the comparison shows.
  const writer = Store.open(path);
  writer.record(asOlderWiresightSawIt(node));
  writer.close();
  const { all, at } = databaseBefore(join(tmp.dir, "reference.db"), MARKER);
  const sqlite = new Database(path);
  // ...and of the one migration after it (0005: PID namespaces), so that it is the file of then.
  sqlite.run("DROP TABLE pods");
  sqlite.run("DROP TABLE services");
  sqlite.run("DROP TABLE pid_namespaces");
  sqlite.run("DELETE FROM __drizzle_migrations WHERE created_at >= ?", [all[at]!.folderMillis]);
  sqlite.close();
  expect(all.length - 1 - at).toBe(1);
  expect(schemaOf(path)).toEqual(schemaOf(join(tmp.dir, "reference.db")));

  // Reading only never migrates: it says what to do.
  expect(() => Store.open(path, { readonly: true })).toThrow(/older schema .*run 'wiresight record' once/);

  const store = Store.open(path);
  try {
    const old = store.at({ revision: 1 });
    expect(old.pods).toEqual([]);
    expect(old.services).toEqual([]);
    expect(old.engines[0]).toMatchObject({ kind: "containerd", containerdNamespaces: [], cri: false });
    expect(old.containers[0]).toMatchObject({ name: "web", containerdNamespace: null, pod: null });
    expect(old.forwardedPorts[0]!.service).toBeNull();

    const now = later(node, 60);
    const live = new LiveDouble(store, now);
    expect(store.at({ revision: 2 }).pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(["shop/web"]);
    expect(store.at({ revision: 2 }).services.map((s) => s.key)).toEqual(node.services.map((s) => s.key));

    // GraphQL over the old revision: the fields it lacked answer their empty values, not errors.
    const r = await execute({
      schema: buildSchema(),
      document: parse(`{
        old: engines(at: 1) { nodes { cri containerdNamespaces pods { id } containers { name containerdNamespace pod { id } } } }
        oldPods: pods(at: 1) { totalCount }
        oldForwardings: forwardedPorts(at: 1) { nodes { service { id } serviceName serviceAccess } }
        now: pods { nodes { name containers { name } } }
        changes(from: 1) { nodes { kind op } }
      }`),
      contextValue: { live, store, alerts: new AlertsDouble(), baseUrl: "http://127.0.0.1:5000" },
    });
    expect(r.errors).toBeUndefined();
    const d = r.data as any;
    expect(d.old.nodes).toEqual([{ cri: false, containerdNamespaces: [], pods: [], containers: [{ name: "web", containerdNamespace: null, pod: null }] }]);
    expect(d.oldPods.totalCount).toBe(0);
    expect(d.oldForwardings.nodes).toEqual([{ service: null, serviceName: null, serviceAccess: null }]);
    expect(d.now.nodes).toEqual([{ name: "web", containers: [{ name: "web" }] }]);
    expect(d.changes.nodes).toEqual(expect.arrayContaining([{ kind: "POD", op: "ADDED" }, { kind: "SERVICE", op: "ADDED" }]));
  } finally {
    store.close();
  }
});
