// SR-IOV roles from a fabricated sysfs: a PF (sriov_numvfs) in the initial namespace, its VF
// (physfn link) moved into another namespace, a plain NIC, and a VF whose PF was not found.

import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { relateSriov, sriovFunction } from "../../src/discovery/network/sriov.ts";
import type { NetworkInterface } from "../../src/model/topology.ts";
import { TopologyBuilder } from "../model/build-topology.ts";

const sys = mkdtempSync(join(tmpdir(), "wiresight-sysfs-"));
afterAll(() => rmSync(sys, { recursive: true, force: true }));

function device(bus: string, files: { physfn?: string; numvfs?: boolean }): void {
  const dir = join(sys, "bus/pci/devices", bus);
  mkdirSync(dir, { recursive: true });
  if (files.physfn) symlinkSync(`../${files.physfn}`, join(dir, "physfn"));
  if (files.numvfs) writeFileSync(join(dir, "sriov_numvfs"), "4\n");
}

/** A physical interface as a namespace's read gives it: its SR-IOV role from sysfs. */
function nic(b: TopologyBuilder, ns: ReturnType<TopologyBuilder["ns"]>, name: string, busInfo: string | null): NetworkInterface {
  const i = b.iface(ns, name, "physical");
  const fn = busInfo === null ? null : sriovFunction(busInfo, sys);
  i.details = { kind: "physical", driver: "ixgbe", driverVersion: null, firmwareVersion: null, busInfo, sriov: fn?.role ?? null, numVfs: null, virtualFunctions: null };
  if (fn) functions.push({ iface: i, fn });
  return i;
}
const functions: Parameters<typeof relateSriov>[0][number][] = [];

test("PF and VF across namespaces, by PCI address; neither for a plain NIC or a non-PCI bus", () => {
  device("0000:03:00.0", { numvfs: true });
  device("0000:03:10.0", { physfn: "0000:03:00.0" });
  device("0000:03:10.2", { physfn: "0000:04:00.0" });
  device("0000:05:00.0", {});
  const b = new TopologyBuilder();
  const host = b.ns("host", { initial: true });
  const pod = b.ns("pod");
  const pf = nic(b, host, "eth0", "0000:03:00.0");
  const vf = nic(b, pod, "net1", "0000:03:10.0");
  const orphan = nic(b, pod, "net2", "0000:03:10.2");
  const plain = nic(b, host, "eth1", "0000:05:00.0");
  const usb = nic(b, host, "usb0", "usb-0000:00:14.0-2");
  relateSriov(functions); // across the namespaces, as the assembly does
  expect([pf, vf, orphan, plain, usb].map((i) => (i.details.kind === "physical" ? i.details.sriov : "?"))).toEqual(["pf", "vf", "vf", null, null]);
  expect(vf.relations.pf).toBe(pf.key);
  expect(pf.relations.vfs).toEqual([vf.key]);
  expect(orphan.relations.pf).toBeNull();
});
