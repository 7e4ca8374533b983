// Ifindexes repeat across namespaces (each numbers its links from 1), so on a host of many
// similar namespaces the structure alone cannot tell which namespace an NSID means. Two hubs with
// identical shapes make every hub port collide with its twin; every peer must still be right,
// and resolution must stay far below one query per pair of namespaces.

import { afterAll, describe, expect, test } from "bun:test";
import { discover } from "../../src/discovery/discover.ts";
import { indexTopology } from "../../src/model/index-topology.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { namespaceAt } from "../helpers/oracle.ts";

const root = requireRoot();
const lab = new Lab();
afterAll(() => lab.cleanup());

const HUBS = 2;
const LEAVES = 4;

describe.if(root)("NSID resolution with colliding ifindexes", () => {
  test("every veth peer is found in the right namespace", () => {
    const hubs: string[] = [];
    const leaves: string[][] = [];
    for (let h = 0; h < HUBS; h++) {
      hubs.push(lab.netns(`h${h}`));
      leaves.push([]);
      for (let l = 0; l < LEAVES; l++) leaves[h]!.push(lab.netns(`${h}${l}`));
    }
    // Same order in both hubs: port p<l> gets the same ifindex in each, and so does every eth0.
    const batch = hubs.flatMap((hub, h) => leaves[h]!.map((leaf, l) => `link add p${l} netns ${hub} type veth peer name eth0 netns ${leaf}`));
    sh("ip", ["-batch", "-"], { input: batch.join("\n") + "\n" });

    const t = discover();
    const idx = indexTopology(t);
    let nsids = 0;
    for (let h = 0; h < HUBS; h++) {
      const hub = namespaceAt(t, `/run/netns/${hubs[h]}`);
      nsids += hub.nsids.length;
      for (let l = 0; l < LEAVES; l++) {
        const leaf = namespaceAt(t, `/run/netns/${leaves[h]![l]}`);
        nsids += leaf.nsids.length;
        const port = hub.interfaces.find((i) => i.name === `p${l}`)!;
        const eth0 = leaf.interfaces.find((i) => i.name === "eth0")!;
        expect(idx.interfaces.get(port.relations.peer!)?.netns).toBe(leaf.key);
        expect(port.relations.peer).toBe(eth0.key);
        expect(eth0.relations.peer).toBe(port.key);
      }
    }
    // The collision really is there: both hubs hold p0 at the same index.
    const p0 = hubs.map((h) => namespaceAt(t, `/run/netns/${h}`).interfaces.find((i) => i.name === "p0")!.index);
    expect(new Set(p0).size).toBe(1);
    expect(nsids).toBe(HUBS * LEAVES * 2);
    // At most one query per referenced NSID on the whole host (other namespaces may exist
    // beside the lab): a pairwise scan would need one per pair of namespaces.
    const hostNsids = t.namespaces.reduce((n, x) => n + x.nsids.length, 0);
    expect(t.stats.nsidQueries).toBeLessThanOrEqual(hostNsids);
  });
});
