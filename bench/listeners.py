#!/usr/bin/env python3
"""Listening sockets for the benchmark lab: one process holds them in every namespace named on
stdin (one /run/netns path per line), entering each with setns for the socket() calls only —
thousands of namespaces, one process. Per namespace: TCP 0.0.0.0:8080, TCP [::]:8443 (v6 only)
and UDP 0.0.0.0:5353. Prints "ready N" when all are open, then sleeps until killed."""
import ctypes, os, resource, socket, sys, time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


paths = [line.strip() for line in sys.stdin if line.strip()]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 3 * len(paths) + 64)), hard))
own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
keep = []
for path in paths:
    fd = os.open(path, os.O_RDONLY)
    setns(fd)
    try:
        t4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    finally:
        setns(own)
        os.close(fd)
    t4.bind(("0.0.0.0", 8080))
    t4.listen(16)
    t6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    t6.bind(("::", 8443))
    t6.listen(16)
    u4.bind(("0.0.0.0", 5353))
    keep += [t4, t6, u4]
os.close(own)
print("ready", len(paths), flush=True)
while True:
    time.sleep(3600)
