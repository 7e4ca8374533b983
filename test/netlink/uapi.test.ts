// Every number exported by src/netlink/constants.ts must exist under the same name in the
// kernel UAPI headers installed on this machine, with the same value. A C compiler is the
// referee: it compiles a printf of each name, so a typo in a name or a number fails here.

import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as constants from "../../src/netlink/constants.ts";

const HEADERS = [
  "sys/socket.h",
  // glibc's headers first: after them the kernel's linux/in.h (pulled in by linux/netfilter.h)
  // sees libc-compat guards and does not redefine struct in_addr and friends.
  "netinet/in.h",
  "netinet/tcp.h",
  "linux/netlink.h",
  "linux/rtnetlink.h",
  "linux/if_link.h",
  "linux/if_tunnel.h",
  "linux/if_bonding.h",
  "linux/genetlink.h",
  "linux/wireguard.h",
  "linux/if_addr.h",
  "linux/if.h",
  "linux/if_arp.h",
  "linux/if_ether.h",
  "linux/if_tun.h",
  "linux/if_vlan.h",
  "linux/icmpv6.h",
  "linux/net_namespace.h",
  "linux/netfilter.h",
  "linux/netfilter/nfnetlink.h",
  "linux/netfilter/nf_tables.h",
  "linux/netfilter/nf_nat.h",
  "linux/netfilter/nf_tables_compat.h",
  "linux/netfilter/xt_tcpudp.h",
  "linux/netfilter/xt_addrtype.h",
  "linux/netfilter/xt_comment.h",
  "linux/sock_diag.h",
  "linux/inet_diag.h",
  "stdio.h",
];

const cc = Bun.which("cc") ?? Bun.which("gcc");

test.skipIf(!cc)("constants.ts agrees with /usr/include/linux", () => {
  const numeric = Object.entries(constants).filter((e): e is [string, number] => typeof e[1] === "number");
  expect(numeric.length).toBeGreaterThan(400);
  const lines = numeric.map(([name]) => `  printf("%s %lld\\n", "${name}", (long long)(${name}));`);
  const source = `${HEADERS.map((h) => `#include <${h}>`).join("\n")}\nint main(void) {\n${lines.join("\n")}\n  return 0;\n}\n`;
  const dir = mkdtempSync(join(tmpdir(), "wiresight-uapi-"));
  try {
    writeFileSync(join(dir, "uapi.c"), source);
    const build = Bun.spawnSync([cc!, "-o", join(dir, "uapi"), join(dir, "uapi.c")], { stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`a constant is not in the kernel headers:\n${build.stderr.toString()}`);
    const run = Bun.spawnSync([join(dir, "uapi")]);
    const fromC = new Map(
      run.stdout
        .toString()
        .trim()
        .split("\n")
        .map((l) => l.split(" ") as [string, string]),
    );
    const mismatches = numeric
      .filter(([name, value]) => Number(fromC.get(name)) !== value)
      .map(([name, value]) => `${name}: ours ${value}, kernel ${fromC.get(name)}`);
    expect(mismatches).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
