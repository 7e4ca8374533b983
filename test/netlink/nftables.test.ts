// nf_tables codec against the kernel: the fixture holds real dump replies captured by
// fixtures/make-nft-fixture.sh (rules written by iptables-nft the way Docker and CNI write them,
// and native nft dnat rules) together with `nft -j list ruleset` and `iptables-nft-save` for the
// same state — independent oracles. Hand-built messages cover what the capture cannot show
// (xt udp, DNAT revisions 0 and 1, 4-byte register numbering, malformed input).

import { describe, expect, test } from "bun:test";
import {
  NetlinkDecodeError,
  buildNftDump,
  decodeNftChain,
  decodeNftRule,
  decodeNftTable,
  parseMessages,
  registerUnit,
  type NftRule,
} from "../../src/netlink/index.ts";
import fixture from "./fixtures/nftables-6.18.json";
import { attr, be16, be32, cstr, hex, ip4, le16, le32, msg, nest, single } from "./bytes.ts";

const FAMILIES: Record<number, string> = { 1: "inet", 2: "ip", 10: "ip6" };
const HOOKS = ["prerouting", "input", "forward", "output", "postrouting"];
const one = (h: string) => parseMessages(hex(h))[0]!;
const nftObjects = (kind: string): any[] => (fixture.nft as any).nftables.filter((o: any) => kind in o).map((o: any) => o[kind]);

const tables = fixture.messages.tables.map((h) => decodeNftTable(one(h)));
const chains = fixture.messages.chains.map((h) => decodeNftChain(one(h)));
const rules = fixture.messages.rules.map((h) => decodeNftRule(one(h)));

describe("captured kernel replies against nft -j", () => {
  test("tables", () => {
    const ours = tables.map((t) => ({ family: FAMILIES[t.family], name: t.name, handle: t.handle }));
    expect(ours).toEqual(nftObjects("table").map((t) => ({ family: t.family, name: t.name, handle: t.handle })));
  });

  test("chains: hook, priority, type, policy", () => {
    const ours = chains.map((c) => ({
      family: FAMILIES[c.family],
      table: c.table,
      name: c.name,
      handle: c.handle,
      ...(c.hook ? { type: c.type, hook: HOOKS[c.hook.hooknum], prio: c.hook.priority, policy: c.policy === 1 ? "accept" : "drop" } : {}),
    }));
    const oracle = nftObjects("chain").map((c) => ({
      family: c.family,
      table: c.table,
      name: c.name,
      handle: c.handle,
      ...(c.hook ? { type: c.type, hook: c.hook, prio: c.prio, policy: c.policy } : {}),
    }));
    expect(ours).toEqual(oracle);
  });

  test("rules: identity, and native dnat with its registers resolved", () => {
    const oracle = nftObjects("rule");
    expect(rules.map((r) => [FAMILIES[r.family], r.table, r.chain, r.handle])).toEqual(oracle.map((r) => [r.family, r.table, r.chain, r.handle]));
    let checked = 0;
    for (const [i, r] of rules.entries()) {
      const dnat = oracle[i].expr.find((e: any) => "dnat" in e)?.dnat;
      if (!dnat) continue;
      const nat = r.expressions.find((e) => e.type === "nat");
      if (nat?.type !== "nat") throw new Error(`rule ${r.handle}: no nat expression decoded`);
      const addr = typeof dnat.addr === "string" ? [dnat.addr, dnat.addr] : dnat.addr.range;
      const port = dnat.port === undefined ? [undefined, undefined] : typeof dnat.port === "number" ? [dnat.port, dnat.port] : dnat.port.range;
      expect([nat.resolved.addressMin, nat.resolved.addressMax, nat.resolved.portMin, nat.resolved.portMax]).toEqual([...addr, ...port]);
      checked++;
    }
    expect(checked).toBe(5);
  });

  test("rules: xt DNAT targets and matches against iptables-nft-save", () => {
    // Each `-A CHAIN ... -j DNAT --to-destination X` line, in the order the rules of that chain were dumped
    const saved = fixture.iptablesSave.filter((l) => l.includes("-j DNAT"));
    const xt = rules.filter((r) => r.expressions.some((e) => e.type === "target" && e.target.name === "DNAT"));
    const describe = (r: NftRule) => {
      const t = r.expressions.find((e) => e.type === "target")!;
      if (t.type !== "target" || !("ranges" in t.target)) throw new Error("no DNAT ranges");
      const g = t.target.ranges[0]!;
      const addr = g.addressMin!.includes(":") ? `[${g.addressMin}]` : g.addressMin;
      const ports = g.portMin === undefined ? "" : g.portMin === g.portMax ? `:${g.portMin}` : `:${g.portMin}-${g.portMax}`;
      return `${r.chain} ${addr}${ports}`;
    };
    const fromSave = saved.map((l) => `${l.split(" ")[1]} ${/--to-destination (\S+)/.exec(l)![1]}`);
    expect(xt.map(describe).sort()).toEqual(fromSave.sort());

    const tcp = rules.flatMap((r) => r.expressions).find((e) => e.type === "match" && e.match.name === "tcp");
    expect(tcp).toEqual({
      type: "match",
      match: { name: "tcp", revision: 0, sourcePorts: { first: 0, last: 65535 }, destinationPorts: { first: 6000, last: 6000 }, invertSourcePorts: false, invertDestinationPorts: false },
    });
    expect(fixture.iptablesSave.some((l) => l.includes("--dport 6000 --tcp-option 8"))).toBe(true);
    const comment = rules.flatMap((r) => r.expressions).find((e) => e.type === "match" && e.match.name === "comment");
    expect(comment).toEqual({ type: "match", match: { name: "comment", revision: 0, comment: "dns for c3" } });
    const addrtype = rules.flatMap((r) => r.expressions).find((e) => e.type === "match" && e.match.name === "addrtype");
    expect(addrtype?.type === "match" && addrtype.match).toMatchObject({ revision: 1, sourceTypes: [], destinationTypes: ["LOCAL"], invertDestination: false });
  });

  test("jump verdicts name their chain", () => {
    const jumps = rules.flatMap((r) => r.expressions).filter((e) => e.type === "immediate" && e.verdict?.kind === "jump");
    expect(jumps.map((e) => e.type === "immediate" && e.verdict?.chain)).toEqual(["DOCKER", "DOCKER"]);
  });
});

describe("hand-built messages", () => {
  // nfgenmsg: family, version 0, res_id 0
  const nfgen = (family: number) => [family, 0, 0, 0];
  const expr = (name: string, ...data: number[][]) => nest(1, attr(1, cstr(name)), nest(2, ...data));
  const rule = (family: number, ...exprs: number[][]) =>
    single(msg({ type: 0x0a06, flags: 2 }, nfgen(family), attr(1, cstr("nat")), attr(2, cstr("X")), attr(3, [0, 0, 0, 0, 0, 0, 0, 42]), nest(4, ...exprs)));

  test("GETRULE dump request", () => {
    // nlmsg_len 20, type NFNL_SUBSYS_NFTABLES<<8 | NFT_MSG_GETRULE, REQUEST|DUMP, seq 7; nfgenmsg AF_UNSPEC
    expect(buildNftDump(7, "rules")).toEqual(hex("14000000 070a 0103 07000000 00000000 00000000"));
    expect(buildNftDump(8, "tables", 2)).toEqual(hex("14000000 010a 0103 08000000 00000000 02000000"));
  });

  test("xt udp match, DNAT rev 0 (nf_nat_ipv4_multi_range_compat) and rev 1 (nf_nat_range)", () => {
    const udp = [...le16(0), ...le16(0xffff), ...le16(53), ...le16(54), 0x02, 0, 0, 0]; // struct xt_udp, INV_DSTPT
    const rev0 = [...le32(1), ...le32(3), ...ip4("10.1.1.1"), ...ip4("10.1.1.2"), ...be16(80), ...be16(81)];
    const rev1 = [...le32(1), ...ip4("10.2.2.2"), ...Array(12).fill(0), ...ip4("10.2.2.2"), ...Array(12).fill(0), 0, 0, 0, 0];
    const r = decodeNftRule(
      rule(
        2,
        expr("match", attr(1, cstr("udp")), attr(2, be32(0)), attr(3, udp)),
        expr("target", attr(1, cstr("DNAT")), attr(2, be32(0)), attr(3, rev0)),
        expr("target", attr(1, cstr("DNAT")), attr(2, be32(1)), attr(3, rev1)),
      ),
    );
    expect(r.handle).toBe(42);
    expect(r.expressions).toEqual([
      { type: "match", match: { name: "udp", revision: 0, sourcePorts: { first: 0, last: 65535 }, destinationPorts: { first: 53, last: 54 }, invertSourcePorts: false, invertDestinationPorts: true } },
      { type: "target", target: { name: "DNAT", revision: 0, ranges: [{ flags: 3, addressMin: "10.1.1.1", addressMax: "10.1.1.2", portMin: 80, portMax: 81 }] } },
      { type: "target", target: { name: "DNAT", revision: 1, ranges: [{ flags: 1, addressMin: "10.2.2.2", addressMax: "10.2.2.2" }] } },
    ]);
  });

  test("nat resolves 4-byte registers (NFT_REG32_*) and leaves map lookups unresolved", () => {
    expect([registerUnit(1), registerUnit(4), registerUnit(8), registerUnit(23), registerUnit(5), registerUnit(24)]).toEqual([4, 16, 4, 19, null, null]);
    const imm = (reg: number, data: number[]) => expr("immediate", attr(1, be32(reg)), nest(2, attr(1, data)));
    const nat = (a: number, p: number) => expr("nat", attr(1, be32(1)), attr(2, be32(2)), attr(3, be32(a)), attr(5, be32(p)), attr(7, be32(3)));
    const r = decodeNftRule(
      rule(
        2,
        imm(9, ip4("10.9.9.9")), // NFT_REG32_01 = second unit of NFT_REG_1
        imm(10, be16(8080)),
        nat(9, 10),
        expr("lookup", attr(1, cstr("__map0")), attr(2, be32(1)), attr(3, be32(1))), // overwrites reg 1 from a map
        nat(9, 10),
      ),
    );
    const nats = r.expressions.filter((e) => e.type === "nat");
    expect(nats.map((e) => e.type === "nat" && e.resolved)).toEqual([
      { addressMin: "10.9.9.9", addressMax: "10.9.9.9", portMin: 8080, portMax: 8080 },
      {},
    ]);
  });

  test("malformed rules are NetlinkDecodeErrors", () => {
    const bad = [
      rule(2, expr("cmp", attr(1, be32(1)), attr(2, be32(9)), nest(3, attr(1, [1])))), // op 9
      rule(2, expr("payload", attr(1, be32(1)))), // no base/offset/len
      rule(2, expr("target", attr(1, cstr("DNAT")), attr(2, be32(2)), attr(3, [1, 0, 0, 0]))), // short nf_nat_range2
      rule(2, expr("target", attr(1, cstr("DNAT")), attr(2, be32(0)), attr(3, le32(1000)))), // 1000 ranges
      single(msg({ type: 0x0a06 }, [2, 0])), // short nfgenmsg
      single(msg({ type: 0x0a06 }, nfgen(2), attr(1, cstr("nat")))), // no chain
    ];
    for (const m of bad) expect(() => decodeNftRule(m)).toThrow(NetlinkDecodeError);
    expect(() => decodeNftTable(rule(2))).toThrow(NetlinkDecodeError); // wrong message type
  });
});
