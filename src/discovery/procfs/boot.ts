// The boot id: half of every identity key (design.md), so that numbers reused across reboots
// (netns cookies, socket cookies, pids) never collide in the store.

import { readFileSync } from "node:fs";

/** /proc/sys/kernel/random/boot_id, trimmed (a random UUID chosen by the kernel at each boot). */
export function readBootId(procRoot = "/proc"): string {
  return readFileSync(`${procRoot}/sys/kernel/random/boot_id`, "utf8").trim();
}
