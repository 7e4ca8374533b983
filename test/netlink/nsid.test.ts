import { describe, expect, test } from "bun:test";
import { NETNSA_NSID_NOT_ASSIGNED, NetlinkDecodeError, decodeNsid, parseMessages } from "../../src/netlink/index.ts";
import { attr, hex, le32, msg, single } from "./bytes.ts";

describe("decodeNsid", () => {
  test("the kernel's answer to RTM_GETNSID for a namespace without an NSID (bytes seen by strace)", () => {
    const reply = hex(`
      1c000000 5800 0000 0d53026b c5a689da // len 28, RTM_NEWNSID (88), no flags, seq, port id
      00000000                             // rtgenmsg AF_UNSPEC + padding
      0800 0100 ffffffff                   // NETNSA_NSID (1) = -1: NETNSA_NSID_NOT_ASSIGNED
    `);
    const [m] = parseMessages(reply);
    expect(decodeNsid(m!)).toEqual({ nsid: NETNSA_NSID_NOT_ASSIGNED });
  });

  test("an assigned NSID, with NETNSA_CURRENT_NSID and NETNSA_TARGET_NSID", () => {
    const buf = msg({ type: 88, flags: 2 }, [0, 0, 0, 0], attr(1, le32(7)), attr(5, le32(3)), attr(4, le32(2)));
    expect(decodeNsid(single(buf))).toEqual({ nsid: 7, currentNsid: 3, peerNsid: 2 });
    const del = msg({ type: 89 }, [0, 0, 0, 0], attr(1, le32(7)));
    expect(decodeNsid(single(del))).toEqual({ nsid: 7 });
  });

  test.each([
    ["wrong type", msg({ type: 90 }, [0, 0, 0, 0], attr(1, le32(7))), /RTM_NEWNSID/],
    ["no rtgenmsg", msg({ type: 88 }), /rtgenmsg/],
    ["no NETNSA_NSID", msg({ type: 88 }, [0, 0, 0, 0], attr(5, le32(1))), /NETNSA_NSID is missing/],
    ["short NETNSA_NSID", msg({ type: 88 }, [0, 0, 0, 0], attr(1, [1, 2])), /NETNSA_NSID.*offset 20/],
  ])("%s → NetlinkDecodeError", (_n, buf, message) => {
    expect(() => decodeNsid(single(buf))).toThrow(NetlinkDecodeError);
    expect(() => decodeNsid(single(buf))).toThrow(message);
  });
});
