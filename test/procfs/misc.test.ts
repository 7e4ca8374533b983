// Parsers (mountinfo, ns links), the boot id and capabilities — most need no privileges.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readBootId } from "../../src/discovery/procfs/boot.ts";
import {
  CAPABILITY_NAMES,
  decodeCapabilityMask,
  missingForDiscovery,
  readEffectiveCapabilities,
} from "../../src/discovery/procfs/capabilities.ts";
import {
  PROC_NET_INIT_INO,
  makedev,
  parseNsLink,
  parseNsfsMounts,
  parseNsfsNetMounts,
  unescapeMountPath,
} from "../../src/discovery/procfs/namespaces.ts";
import { Cleanup, run, uniquePrefix } from "./helpers.ts";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

describe("ns links and mountinfo", () => {
  test("PROC_NET_INIT_INO is include/linux/proc_ns.h's 0xEFFFFFF9", () => {
    expect(PROC_NET_INIT_INO).toBe(4026531833);
  });

  test("parseNsLink", () => {
    expect(parseNsLink("net:[4026531833]")).toBe(4026531833);
    expect(parseNsLink("mnt:[4026531832]", "mnt")).toBe(4026531832);
    expect(parseNsLink("mnt:[4026531832]")).toBeNull();
    expect(parseNsLink("netx:[1]")).toBeNull();
    expect(parseNsLink("/run/netns/a")).toBeNull();
    expect(parseNsLink("/")).toBeNull();
    expect(parseNsLink("net:[]")).toBeNull();
  });

  test("octal escapes in mount points", () => {
    expect(unescapeMountPath("/tmp/a\\040b\\011c\\012d\\134e")).toBe("/tmp/a b\tc\nd\\e");
    expect(unescapeMountPath("/plain")).toBe("/plain");
  });

  test("makedev matches stat's st_dev encoding", () => {
    expect(makedev(0, 4)).toBe(4);
    expect(makedev(254, 0)).toBe(254 * 256);
    expect(makedev(8, 1)).toBe(2049);
    expect(makedev(0, 300)).toBe((300 & 0xff) | ((300 >> 8) << 20));
    expect(makedev(0, 4)).toBe(statSync("/proc/self/ns/net").dev); // nsfs is 0:4 on this kernel class
  });

  test("nsfs lines, with optional fields and escapes; other filesystems and ns types left out", () => {
    const text = [
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
      "42 27 254:0 /run/netns /run/netns rw,relatime shared:1 - ext4 /dev/vda rw",
      "43 42 0:4 net:[4026532177] /run/netns/a\\040b rw shared:2 master:7 - nsfs nsfs rw",
      "44 42 0:4 net:[4026532246] /run/netns/c rw - nsfs nsfs rw",
      "45 27 0:4 uts:[4026532300] /run/uts/x rw - nsfs nsfs rw",
      "46 27 0:21 net:[1] /weird rw - proc proc rw",
      "",
    ].join("\n");
    expect(parseNsfsNetMounts(text)).toEqual([
      { mountpoint: "/run/netns/a b", inode: 4026532177, dev: 4 },
      { mountpoint: "/run/netns/c", inode: 4026532246, dev: 4 },
    ]);
    expect(parseNsfsMounts(text).map((m) => m.type)).toEqual(["net", "net", "uts"]);
  });
});

describe("boot id", () => {
  test("is the kernel's boot_id, trimmed", () => {
    const id = readBootId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(id).toBe(run(["cat", "/proc/sys/kernel/random/boot_id"]));
  });
});

describe("capabilities", () => {
  test("the table has all 41 capabilities, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40)", () => {
    expect(CAPABILITY_NAMES).toHaveLength(41);
    expect(CAPABILITY_NAMES[12]).toBe("CAP_NET_ADMIN");
    expect(CAPABILITY_NAMES[19]).toBe("CAP_SYS_PTRACE");
    expect(CAPABILITY_NAMES[21]).toBe("CAP_SYS_ADMIN");
    expect(CAPABILITY_NAMES[2]).toBe("CAP_DAC_READ_SEARCH");
  });

  test("decoding agrees with capsh --decode (oracle)", () => {
    let capsh: string | undefined;
    try {
      capsh = run(["capsh", "--decode=000001ffffffffff"]);
    } catch {
      // capsh not installed: the table test above still holds
    }
    if (capsh !== undefined) {
      const names = capsh.split("=")[1]!.split(",").map((n) => n.toUpperCase());
      expect([...decodeCapabilityMask("000001ffffffffff")].sort()).toEqual(names.sort());
    }
    expect([...decodeCapabilityMask("0000000000001000")]).toEqual(["CAP_NET_ADMIN"]);
    expect([...decodeCapabilityMask("0000020000000000")]).toEqual(["CAP_41"]);
    expect(decodeCapabilityMask("0").size).toBe(0);
  });

  test("reads CapEff of this process", () => {
    const caps = readEffectiveCapabilities();
    const hex = /^CapEff:\s*(\w+)$/m.exec(run(["cat", "/proc/self/status"]))![1]!;
    // /proc/self/status of `cat` equals ours in CapEff (same credentials, no file caps on cat).
    expect(caps).toEqual(decodeCapabilityMask(hex));
    if (process.getuid?.() === 0) expect(caps.has("CAP_SYS_ADMIN")).toBe(true);
  });

  test("missingForDiscovery names what is lost without each capability", () => {
    expect(missingForDiscovery(new Set(CAPABILITY_NAMES))).toEqual([]);
    const none = missingForDiscovery(new Set());
    expect(none.map((m) => m.capability)).toEqual(["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN"]);
    for (const m of none) expect(m.consequence.length).toBeGreaterThan(20);
    expect(missingForDiscovery(new Set(["CAP_SYS_ADMIN", "CAP_NET_ADMIN"])).map((m) => m.capability)).toEqual([
      "CAP_SYS_PTRACE",
      "CAP_DAC_READ_SEARCH",
    ]);
  });

  test("a fabricated status without CapEff is an error, a fabricated one with it is decoded", () => {
    const fake = cleanup.tempDir(uniquePrefix());
    mkdirSync(join(fake, "self"));
    writeFileSync(join(fake, "self", "status"), "Name:\tx\nCapEff:\t0000000000280000\n");
    expect([...readEffectiveCapabilities(fake)].sort()).toEqual(["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]);
    writeFileSync(join(fake, "self", "status"), "Name:\tx\n");
    expect(() => readEffectiveCapabilities(fake)).toThrow(/CapEff/);
  });
});
