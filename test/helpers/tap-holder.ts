// A process that holds a tap device open: a small C program opens /dev/net/tun, attaches it with
// TUNSETIFF (creating the tap in the namespace it runs in) and waits. Built once per lab with the
// system's C compiler (installed when missing).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTool } from "./packages.ts";
import { sh, type Lab } from "./lab.ts";

const SOURCE = `
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc != 2) return 2;
  int fd = open("/dev/net/tun", O_RDWR);
  if (fd < 0) { perror("open /dev/net/tun"); return 1; }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); return 1; }
  printf("ready %s\\n", ifr.ifr_name);
  fflush(stdout);
  for (;;) pause();
}
`;

/** The compiled holder in the lab's directory (built on first use). */
export function tapHolderBinary(lab: Lab): string {
  const bin = join(lab.dir, "tapholder");
  ensureTool("gcc", "gcc");
  writeFileSync(`${bin}.c`, SOURCE);
  sh("gcc", ["-O", "-o", bin, `${bin}.c`]);
  return bin;
}

/** Creates tap `name` in `ns` (an `ip netns` name) held by a process of the lab; its PID. */
export async function holdTap(lab: Lab, binary: string, ns: string, name: string): Promise<number> {
  const child = lab.spawn("ip", ["netns", "exec", ns, binary, name]);
  await lab.waitFor(child, "ready");
  return child.pid!;
}
