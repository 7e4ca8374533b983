import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  AF_INET,
  SyscallError,
  closeFd,
  closeQuietly,
  ethtoolDriverInfo,
  openDatagramSocket,
  openFile,
  withNetns,
} from "../../src/ffi/index.ts";
import { IS_ROOT, createTestNetns, deleteTestNetns, ipIn, rootTest } from "./helpers.ts";

describe("ethtoolDriverInfo in this namespace", () => {
  test("lo has no driver info: null", () => {
    const fd = openDatagramSocket();
    try {
      expect(ethtoolDriverInfo(fd, "lo")).toBeNull();
    } finally {
      closeFd(fd);
    }
  });

  test("an interface that does not exist: null (ENODEV)", () => {
    const fd = openDatagramSocket();
    try {
      expect(ethtoolDriverInfo(fd, "ws-nope0")).toBeNull();
    } finally {
      closeFd(fd);
    }
  });

  test("names that cannot be interface names are refused before the ioctl", () => {
    const fd = openDatagramSocket();
    try {
      expect(() => ethtoolDriverInfo(fd, "")).toThrow(RangeError);
      expect(() => ethtoolDriverInfo(fd, "a-name-longer-than-15")).toThrow(RangeError);
      expect(() => ethtoolDriverInfo(fd, "lo\0x")).toThrow(RangeError);
    } finally {
      closeFd(fd);
    }
  });

  test("other errors throw SyscallError (EBADF on a bad fd)", () => {
    let err: unknown;
    try {
      ethtoolDriverInfo(987654, "lo");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe("EBADF");
    expect((err as SyscallError).syscall).toBe("ioctl");
  });
});

describe("ethtoolDriverInfo in a test namespace", () => {
  let ns = "";
  let nsFd = -1;

  beforeAll(() => {
    if (!IS_ROOT) return;
    ns = createTestNetns();
    nsFd = openFile(`/run/netns/${ns}`);
    ipIn(ns, "link", "add", "wsveth0", "type", "veth", "peer", "name", "wsveth1");
  });
  afterAll(() => {
    closeQuietly(nsFd);
    deleteTestNetns(ns); // takes the veth pair with it
  });

  rootTest("a veth reports driver veth; lo gives null", () => {
    // The ioctl resolves the name in the namespace the socket was made in, so either way of
    // making it there works, and the ioctl itself runs outside.
    const viaFd = openDatagramSocket(AF_INET, nsFd);
    const viaWith = withNetns(nsFd, () => openDatagramSocket());
    try {
      for (const fd of [viaFd, viaWith]) {
        const info = ethtoolDriverInfo(fd, "wsveth0");
        expect(info).not.toBeNull();
        expect(info!.driver).toBe("veth");
        expect(info!.version.length).toBeGreaterThan(0); // "1.0"
        expect(typeof info!.fwVersion).toBe("string");
        expect(typeof info!.busInfo).toBe("string");
        expect(ethtoolDriverInfo(fd, "wsveth1")!.driver).toBe("veth");
        expect(ethtoolDriverInfo(fd, "lo")).toBeNull();
      }
    } finally {
      closeFd(viaFd);
      closeFd(viaWith);
    }
  });

  rootTest("a socket of the host namespace does not see the test namespace's veth", () => {
    const fd = openDatagramSocket();
    try {
      expect(ethtoolDriverInfo(fd, "wsveth0")).toBeNull();
    } finally {
      closeFd(fd);
    }
  });
});
