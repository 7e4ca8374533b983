// Waiting for a link state the kernel sets asynchronously: a veth's operational state turns UP
// in the kernel's link watch, a moment after both ends were set up. Tests that assert it wait
// for iproute2 to report it first.

import { sh } from "./lab.ts";

/** Resolves once `ip -n NS link show DEV` says operstate UP for every pair; throws after `timeoutMs`. */
export async function waitForOperUp(links: [ns: string, dev: string][], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [ns, dev] of links) {
    for (;;) {
      const [link] = JSON.parse(sh("ip", ["-n", ns, "-j", "link", "show", "dev", dev]));
      if (link?.operstate === "UP") break;
      if (Date.now() > deadline) throw new Error(`${dev} in ${ns} is still ${link?.operstate} after ${timeoutMs} ms`);
      await Bun.sleep(20);
    }
  }
}
