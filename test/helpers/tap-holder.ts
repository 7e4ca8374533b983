// A tap device held by a real process: a small C program (`tapholder NAME`) opens /dev/net/tun,
// attaches it to a tap named NAME with TUNSETIFF (creating it), prints "ready NAME" and waits.
// Compiled with gcc into the lab's directory; its comm is "tapholder".

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sh } from "./lab.ts";

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

/** Compiles the holder into `dir`; returns its path. */
export function buildTapHolder(dir: string): string {
  writeFileSync(join(dir, "tapholder.c"), SOURCE);
  sh("gcc", ["-O", "-o", join(dir, "tapholder"), join(dir, "tapholder.c")]);
  return join(dir, "tapholder");
}
