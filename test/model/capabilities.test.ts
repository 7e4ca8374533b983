// Capability masks to names and back: the names are what we show and store, the mask is what the
// kernel prints and Ghostwire's format wants.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { CAPABILITY_NAMES, decodeCapabilityMask, encodeCapabilityMask } from "../../src/model/capabilities.ts";

test("encode is the inverse of decode, for our own bounding set and for bits the table does not name", () => {
  const own = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))![1]!;
  expect(encodeCapabilityMask(decodeCapabilityMask(own))).toBe(own);
  for (const hex of ["0000000000000000", "0000000000001000", "000001ffffffffff", "8000020000000001"]) expect(encodeCapabilityMask(decodeCapabilityMask(hex))).toBe(hex);
  expect(encodeCapabilityMask(["CAP_NET_ADMIN"])).toBe("0000000000001000");
  expect(encodeCapabilityMask(CAPABILITY_NAMES)).toBe("000001ffffffffff");
});

test("a name that is no capability is an error, not a silent zero bit", () => {
  expect(() => encodeCapabilityMask(["CAP_NET_ADMN"])).toThrow("unknown capability CAP_NET_ADMN");
  expect(() => encodeCapabilityMask(["CAP_64"])).toThrow("unknown capability CAP_64");
});
