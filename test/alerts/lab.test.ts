// The alert engine on real discovered topologies: a lab namespace with a veth pair, a TCP server on
// 0.0.0.0 and a UDP socket bound on ::, an interface brought down and set promiscuous, a
// namespace with nobody in it. Each step is discovered, recorded in a temp store and published
// through the LiveTopology test double, exactly as the watcher would; the clock is the test's.
// Only alerts about the lab's own namespaces are looked at (the host lives its own life).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChildProcess } from "node:child_process";
import { AlertEngine, type Alert } from "../../src/alerts/index.ts";
import { discover } from "../../src/discovery/discover.ts";
import { Store } from "../../src/store/index.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { netnsKeyOf, tempDir } from "../store/helpers.ts";

const root = requireRoot();
const lab = new Lab();
const tmp = tempDir();
const clock = { now: Date.UTC(2026, 0, 1) };
const seen: Alert[] = [];
let store: Store;
let live: LiveDouble;
let engine: AlertEngine;
let ns = "";
let empty = "";
let nsKey = "";
let emptyKey = "";
const TCP_PORT = 18080 + Math.floor(Math.random() * 1000);
const UDP_PORT = TCP_PORT + 1000;

const look = () => discover({ listeningOnly: true });
/** One watcher step: discover, record, publish. */
function step(): void {
  clock.now += 1000;
  live.record(look());
}
/** The lab's alerts of one rule (subjects in the lab's namespaces). */
function labAlerts(ruleId: string, state?: Alert["state"][]): Alert[] {
  return engine.alerts({ ruleId, state }).filter((a) => a.subject.startsWith(nsKey) || a.subject.startsWith(emptyKey));
}

beforeAll(() => {
  if (!root) return;
  ns = lab.netns("al");
  empty = lab.netns("em");
  lab.ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  lab.ip(ns, "addr", "add", "10.77.0.1/24", "dev", "v0");
  lab.ip(ns, "link", "set", "v0", "up");
  lab.ip(ns, "link", "set", "v1", "up");
  store = Store.open(tmp.db);
  live = new LiveDouble(store, look(), look);
  nsKey = netnsKeyOf(live.current().topology, ns);
  emptyKey = netnsKeyOf(live.current().topology, empty);
  engine = AlertEngine.open({ store, live, now: () => clock.now, tickMs: null, warn: () => {} });
  engine.subscribe((e) => seen.push(e.alert));
}, 30_000);

afterAll(async () => {
  await engine?.close();
  store?.close();
  lab.cleanup();
  tmp.cleanup();
});

async function server(args: string[], marker: string): Promise<ChildProcess> {
  const child = lab.spawn("ip", ["netns", "exec", ns, "python3", "-u", ...args]);
  await lab.waitFor(child, marker);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

describe.skipIf(!root)("alerts on a real lab", () => {
  test("wildcard listeners (TCP on 0.0.0.0, UDP on ::) fire with their process; allowed ports do not; they resolve when closed", async () => {
    const rule = engine.createRule({ name: "open ports", enabled: true, condition: { type: "wildcardListener", allowPorts: [22] }, forMs: 0, severity: "warning", webhook: null });
    const allow = engine.createRule({ name: "tcp allowed", enabled: true, condition: { type: "wildcardListener", allowPorts: [TCP_PORT], protocols: ["tcp"] }, forMs: 0, severity: "info", webhook: null });
    expect(labAlerts(rule.id)).toEqual([]);
    const tcp = await server(["-m", "http.server", String(TCP_PORT), "--bind", "0.0.0.0"], "Serving HTTP");
    const udp = await server(
      ["-c", `import socket,time\ns=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\ns.bind(("::",${UDP_PORT}))\nprint("bound",flush=True)\ntime.sleep(600)`],
      "bound",
    );
    step();
    const firing = labAlerts(rule.id, ["firing"]);
    const tcpAlert = firing.find((a) => a.message.startsWith(`tcp 0.0.0.0:${TCP_PORT}`));
    const udpAlert = firing.find((a) => a.message.startsWith(`udp [::]:${UDP_PORT}`));
    expect(firing).toHaveLength(2);
    expect(tcpAlert!.message).toMatch(new RegExp(`^tcp 0\\.0\\.0\\.0:${TCP_PORT} listens on every address in namespace .*${ns}.*, owned by python3\\[${tcp.pid}\\]$`));
    expect(udpAlert!.message).toMatch(new RegExp(`^udp \\[::\\]:${UDP_PORT} is bound on every address in namespace .*, owned by python3\\[${udp.pid}\\]$`));
    expect(tcpAlert!.entities[1]).toBe(nsKey);
    expect(tcpAlert!.entities.some((e) => e.startsWith("proc:") && e.includes(`:${tcp.pid}:`))).toBe(true);
    expect(labAlerts(allow.id)).toEqual([]);

    await stop(tcp);
    step();
    expect(labAlerts(rule.id, ["firing"]).map((a) => a.id)).toEqual([udpAlert!.id]);
    expect(engine.alerts({ subject: tcpAlert!.subject })).toMatchObject([{ state: "resolved" }]);
    await stop(udp);
    step();
    expect(labAlerts(rule.id, ["firing"])).toEqual([]);
    engine.deleteRule(rule.id);
    engine.deleteRule(allow.id);
  }, 30_000);

  test("an interface brought down fires (one never up does not), and resolves when it is up again", () => {
    const rule = engine.createRule({ name: "v down", enabled: true, condition: { type: "interfaceDown", name: "v?" }, forMs: 0, severity: "critical", webhook: null });
    lab.ip(ns, "link", "add", "w0", "type", "veth", "peer", "name", "w1"); // created down, never up
    lab.ip(ns, "link", "set", "v0", "down");
    step();
    const firing = labAlerts(rule.id, ["firing"]);
    const v0 = firing.find((a) => a.message.startsWith("interface v0 "));
    expect(v0!.message).toMatch(new RegExp(`^interface v0 in namespace .*${ns}.* is down \\(administratively\\)$`));
    // Its peer has lost its carrier: down in operational state, though administratively up.
    expect(firing.find((a) => a.message.startsWith("interface v1 "))!.message).toMatch(/is down \(operational state LOWERLAYERDOWN\)$/);
    expect(firing.filter((a) => /interface w[01] /.test(a.message))).toEqual([]);
    expect(v0!.entities).toEqual([v0!.subject, nsKey]);

    lab.ip(ns, "link", "set", "v0", "up");
    step();
    expect(labAlerts(rule.id, ["firing"])).toEqual([]);
    expect(engine.alerts({ subject: v0!.subject })).toMatchObject([{ state: "resolved" }]);
    engine.deleteRule(rule.id);
  });

  test("promiscuous mode with `for`: pending, firing once it held long enough, resolved when turned off", () => {
    const rule = engine.createRule({ name: "promisc", enabled: true, condition: { type: "promiscuous", name: "v0", kinds: ["veth"] }, forMs: 60_000, severity: "warning", webhook: null });
    lab.ip(ns, "link", "set", "v0", "promisc", "on");
    step();
    const [pending] = labAlerts(rule.id);
    expect(pending).toMatchObject({ state: "pending", firedAt: null });
    expect(pending!.message).toMatch(/^interface v0 in namespace .* is in promiscuous mode$/);
    clock.now += 30_000;
    engine.tick();
    expect(labAlerts(rule.id).map((a) => a.state)).toEqual(["pending"]);
    clock.now += 30_000;
    engine.tick();
    expect(labAlerts(rule.id).map((a) => a.state)).toEqual(["firing"]);
    lab.ip(ns, "link", "set", "v0", "promisc", "off");
    step();
    expect(labAlerts(rule.id).map((a) => a.state)).toEqual(["resolved"]);
    expect(engine.transitions(pending!.id).map((t) => t.state)).toEqual(["pending", "firing", "resolved"]);
    engine.deleteRule(rule.id);
  });

  test("a namespace with no tenant fires (unless bind mounts are ignored); a process moving in resolves it", async () => {
    const rule = engine.createRule({ name: "orphans", enabled: true, condition: { type: "namespaceWithoutTenant" }, forMs: 0, severity: "info", webhook: null });
    const ignoring = engine.createRule({ name: "orphans, not mounted", enabled: true, condition: { type: "namespaceWithoutTenant", ignoreBindMounted: true }, forMs: 0, severity: "info", webhook: null });
    const [a] = engine.alerts({ ruleId: rule.id, subject: emptyKey });
    expect(a!.state).toBe("firing");
    expect(a!.message).toBe(`namespace ${live.current().topology.namespaces.find((n) => n.key === emptyKey)!.displayName} has no tenant and no container (bind-mounted at /run/netns/${empty})`);
    expect(engine.alerts({ ruleId: ignoring.id, subject: emptyKey })).toEqual([]);
    const tenant = lab.spawn("ip", ["netns", "exec", empty, "sh", "-c", "echo in; exec sleep 600"]);
    await lab.waitFor(tenant, "in");
    step();
    expect(engine.alerts({ ruleId: rule.id, subject: emptyKey })).toMatchObject([{ state: "resolved" }]);
    await stop(tenant);
    engine.deleteRule(rule.id);
    engine.deleteRule(ignoring.id);
  });

  test("a change rule fires and resolves for an interface added to the lab", () => {
    const rule = engine.createRule({ name: "new links", enabled: true, condition: { type: "change", kinds: ["interface"], ops: ["added"] }, forMs: 0, severity: "info", webhook: null });
    const from = seen.length;
    lab.ip(ns, "link", "add", "x0", "type", "veth", "peer", "name", "x1");
    step();
    const mine = seen.slice(from).filter((a) => a.ruleId === rule.id && a.subject.startsWith(nsKey));
    expect(mine.map((a) => [a.message.split(" in ")[0], a.state]).sort()).toEqual([
      ["interface x0", "firing"],
      ["interface x0", "resolved"],
      ["interface x1", "firing"],
      ["interface x1", "resolved"],
    ]);
    engine.deleteRule(rule.id);
  });

  test("a firing alert survives a restart of the engine, resumes without firing again, and resolves after", async () => {
    const rule = engine.createRule({ name: "v0 down", enabled: true, condition: { type: "interfaceDown", name: "v0" }, forMs: 0, severity: "critical", webhook: null });
    lab.ip(ns, "link", "set", "v0", "down");
    step();
    const [before] = labAlerts(rule.id, ["firing"]);
    expect(before).toBeDefined();
    await engine.close();

    engine = AlertEngine.open({ store, live, now: () => clock.now, tickMs: null, warn: () => {} });
    const after: Alert[] = [];
    engine.subscribe((e) => after.push(e.alert));
    step();
    expect(labAlerts(rule.id, ["firing"])).toEqual([before!]);
    expect(after.filter((a) => a.ruleId === rule.id)).toEqual([]);
    lab.ip(ns, "link", "set", "v0", "up");
    step();
    expect(after.filter((a) => a.ruleId === rule.id).map((a) => [a.id, a.state])).toEqual([[before!.id, "resolved"]]);
    // Resolved, it says what became right: not "is down".
    expect(after.find((a) => a.ruleId === rule.id)!.message).toMatch(/^interface v0 in namespace .* is running again \(operational state [A-Z]+\)$/);
  });
});
