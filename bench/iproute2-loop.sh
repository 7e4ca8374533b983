#!/bin/bash
# The loop a user would write to see every namespace's links, addresses and routes with
# iproute2: the initial namespace, then each name in `ip netns list`. The benchmark runs it
# under /usr/bin/time with stdout sent to /dev/null.
set -u
ip -j -d link show
ip -j addr show
ip -j route show table all
for ns in $(ip netns list | cut -d' ' -f1); do
  ip -n "$ns" -j -d link show
  ip -n "$ns" -j addr show
  ip -n "$ns" -j route show table all
done
