// The names a container can resolve, derived from a Topology as Ghostwire's mobydig does, on the
// hand-built topology of the Ghostwire tests: web and sidecar (a pod) and shop-app-1 (compose
// service "app", aliases) share the user-defined network "shopnet".

import { expect, test } from "bun:test";
import { containerNetworkKey } from "../../src/model/containers.ts";
import { neighborhood, NeighborhoodError } from "../../src/mobydig/neighborhood.ts";
import { handBuilt } from "../api/ghostwire-topology.ts";

function topology() {
  const t = handBuilt();
  const shop = t.containers.find((c) => c.name === "shop-app-1")!;
  shop.networks = [{ network: containerNetworkKey("docker", "0123456789ab"), name: "shopnet", ipv4: "172.18.0.2", ipv6: null, mac: null, aliases: ["app", "c0ffee"] }];
  return t;
}

test("services and containers on the start container's networks, bare and qualified, aliases last", () => {
  const n = neighborhood(topology(), "web");
  expect(n.start.name).toBe("web");
  expect(n.services.map((s) => [s.name, s.containers.map((c) => c.name), s.networks])).toEqual([
    ["", ["sidecar"], ["shopnet"]],
    ["", ["web"], ["shopnet"]],
    ["app", ["shop-app-1"], ["shopnet"]],
  ]);
  expect(n.names).toEqual(["sidecar", "sidecar.shopnet", "web", "web.shopnet", "app", "app.shopnet", "shop-app-1", "shop-app-1.shopnet", "c0ffee", "c0ffee.shopnet"]);
});

test("the default bridge has no DNS: a container only there has no neighbours", () => {
  const t = topology();
  const br = t.namespaces[0]!.interfaces.find((i) => i.name === "br-0123456789ab")!;
  br.containerNetwork = { ...br.containerNetwork!, default: true };
  const n = neighborhood(t, "web");
  expect(n.services).toEqual([]);
  expect(n.names).toEqual([]);
});

test("unknown, or not a Docker container: Ghostwire's error", () => {
  expect(() => neighborhood(topology(), "nope")).toThrow(new NeighborhoodError('Docker container "nope" not found'));
  const t = topology();
  t.engines[0]!.kind = "podman";
  expect(() => neighborhood(t, "web")).toThrow(NeighborhoodError);
});
