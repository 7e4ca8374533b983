// Recordings made before a field existed give it back as "not known", so every rebuilt Topology
// has every field (docs/dump.md): a database whose rows lack the processes' PID namespace,
// scheduling and affinity, the sockets' remote service, the interfaces' SR-IOV relations and the
// host's kernel, OS and CPU fields (as an older wiresight wrote them) is rebuilt with nulls and
// empty lists for them.

import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { Store } from "../../src/store/index.ts";
import { tempDir } from "./helpers.ts";
import { syntheticTopology } from "./synthetic.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test("fields an older recording lacks come back null or empty", () => {
  const t = syntheticTopology();
  t.processes[0]!.scheduling = { policy: "SCHED_NORMAL", rtPriority: 0, nice: 0 };
  const store = Store.open(tmp.db);
  store.record(t);
  store.close();

  const db = new Database(tmp.db);
  const strip = (table: string, fields: string[]) => {
    for (const row of db.query(`SELECT id, attrs FROM ${table}`).all() as { id: number; attrs: string }[]) {
      const attrs = JSON.parse(row.attrs);
      for (const f of fields) {
        const path = f.split(".");
        let o = attrs;
        for (const p of path.slice(0, -1)) o = o?.[p];
        if (o) delete o[path.at(-1)!];
      }
      db.query(`UPDATE ${table} SET attrs = ? WHERE id = ?`).run(JSON.stringify(attrs), row.id);
    }
  };
  strip("processes", ["pidns", "scheduling", "cpuAffinity"]);
  strip("sockets", ["remoteService"]);
  strip("interfaces", ["relations.pf", "relations.vfs"]);
  const host = JSON.parse((db.query("SELECT host FROM snapshots").get() as { host: string }).host);
  delete host.kernelVersion;
  delete host.os;
  delete host.cpusOnline;
  db.query("UPDATE snapshots SET host = ?").run(JSON.stringify(host));
  db.close();

  const back = Store.open(tmp.db);
  const at = back.at({ revision: 1 });
  back.close();
  expect(at.processes.map((p) => [p.pidns, p.scheduling, p.cpuAffinity])).toEqual(t.processes.map(() => [null, null, null]));
  expect(at.namespaces.flatMap((ns) => ns.sockets.map((s) => s.remoteService))).toEqual([null]);
  expect(at.namespaces.flatMap((ns) => ns.interfaces.map((i) => [i.relations.pf, i.relations.vfs]))).toEqual(at.namespaces.flatMap((ns) => ns.interfaces.map(() => [null, []])));
  expect([at.host.kernelVersion, at.host.os, at.host.cpusOnline]).toEqual([null, null, null]);
  expect(at.pidNamespaces).toEqual([]);
});
