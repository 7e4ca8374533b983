// The pure parts of the server: listen addresses, `serve` arguments, the token check, the
// health verdict.
import { describe, expect, test } from "bun:test";
import { parseServeArgs, TOKEN_ENV } from "../../src/cli/commands/serve.ts";
import { UsageError } from "../../src/cli/usage-error.ts";
import { TokenCheck } from "../../src/server/auth.ts";
import { healthOf } from "../../src/server/health.ts";
import { ListenError, parseListen, urlHost } from "../../src/server/listen.ts";
import type { WatchStatus } from "../../src/watch/live.ts";

describe("parseListen", () => {
  test("host:port, IPv6 in brackets, host names, a bare port (loopback), port 0", () => {
    expect(parseListen("127.0.0.1:5000")).toEqual({ hostname: "127.0.0.1", port: 5000 });
    expect(parseListen("[::1]:8080")).toEqual({ hostname: "::1", port: 8080 });
    expect(parseListen("[::]:80")).toEqual({ hostname: "::", port: 80 });
    expect(parseListen("0.0.0.0:5000")).toEqual({ hostname: "0.0.0.0", port: 5000 });
    expect(parseListen("localhost:0")).toEqual({ hostname: "localhost", port: 0 });
    expect(parseListen("my-host.example:65535")).toEqual({ hostname: "my-host.example", port: 65535 });
    expect(parseListen("5000")).toEqual({ hostname: "127.0.0.1", port: 5000 });
  });

  test("clear errors", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ["127.0.0.1", /has no port/],
      [":5000", /has no host: 127\.0\.0\.1:5000 for loopback, 0\.0\.0\.0:5000 for every address/],
      ["::1:5000", /put an IPv6 address in brackets/],
      ["[::1]5000", /in brackets followed by :PORT/],
      ["[1.2.3.4]:80", /not an IPv6 address/],
      ["127.0.0.1:65536", /port must be a number from 0 to 65535, not '65536'/],
      ["127.0.0.1:http", /not 'http'/],
      ["127.0.0.1:", /not ''/],
      ["300.1.1.1:80", /'300\.1\.1\.1' is neither an IPv4 address nor a host name/],
      ["bad_host:80", /neither an IPv4 address nor a host name/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseListen(text)).toThrow(ListenError);
      expect(() => parseListen(text)).toThrow(message);
    }
  });

  test("URL hosts: brackets for IPv6, loopback for the wildcard addresses", () => {
    expect(urlHost("127.0.0.1", 1)).toBe("127.0.0.1:1");
    expect(urlHost("::1", 2)).toBe("[::1]:2");
    expect(urlHost("0.0.0.0", 3)).toBe("127.0.0.1:3");
    expect(urlHost("::", 4)).toBe("[::1]:4");
  });
});

describe("parseServeArgs", () => {
  const env = { HOME: "/home/x" } as NodeJS.ProcessEnv;
  test("defaults", () => {
    const a = parseServeArgs([], { ...env, WIRESIGHT_DB: "/tmp/w.db" });
    expect(a).toMatchObject({ listenText: "127.0.0.1:5000", listen: { hostname: "127.0.0.1", port: 5000 }, db: "/tmp/w.db", token: undefined, fullPassEveryMs: 30_000, rulesFile: null, keepMs: null, quiet: false, help: false, warnings: [] });
  });

  test("every option", () => {
    const a = parseServeArgs(["--listen", "[::1]:6000", "--token", "abc", "--db", "/d.db", "--full-pass", "2m", "--rules", "r.json", "--keep", "7d", "--workers", "3", "--external-url", "https://ws.example:8443/", "-q"], env);
    expect(a).toMatchObject({ listen: { hostname: "::1", port: 6000 }, token: "abc", db: "/d.db", fullPassEveryMs: 120_000, rulesFile: "r.json", keepMs: 7 * 86_400_000, workers: 3, externalUrl: "https://ws.example:8443", quiet: true, warnings: [] });
    expect(parseServeArgs(["-h"], env).help).toBe(true);
  });

  test("the token from a file (trailing newline dropped) or the environment", () => {
    expect(parseServeArgs(["--token-file", "/t"], env, () => "fromfile\n").token).toBe("fromfile");
    expect(parseServeArgs([], { ...env, [TOKEN_ENV]: "fromenv" }).token).toBe("fromenv");
    expect(parseServeArgs(["--token", "flag"], { ...env, [TOKEN_ENV]: "fromenv" }).token).toBe("flag");
  });

  test("a warning when listening beyond loopback without a token", () => {
    expect(parseServeArgs(["--listen", "0.0.0.0:5000"], env).warnings[0]).toContain("without a token");
    expect(parseServeArgs(["--listen", "0.0.0.0:5000", "--token", "t"], env).warnings).toEqual([]);
    expect(parseServeArgs(["--listen", "localhost:5000"], env).warnings).toEqual([]);
  });

  test("usage errors", () => {
    const cases: [string[], RegExp, ((p: string) => string)?][] = [
      [["--listen", "nope"], /--listen: listen address 'nope' has no port/],
      [["--token", "a", "--token-file", "/t"], /not both/],
      [["--token", ""], /--token: the token is empty/],
      [["--token", "a b"], /white space/],
      [["--token-file", "/missing"], /--token-file \/missing: ENOENT/, () => { throw Object.assign(new Error("x"), { code: "ENOENT" }); }],
      [["--full-pass", "often"], /--full-pass looks like 10s/],
      [["--workers", "0"], /--workers takes a whole number from 1 to 256, not '0'/],
      [["--workers", "2.5"], /--workers takes a whole number/],
      [["--external-url", "ftp://x"], /--external-url: 'ftp:\/\/x' is not an http\(s\) URL/],
      [["--external-url", "x"], /--external-url: 'x' is not a URL/],
      [["--bogus"], /unknown option --bogus for 'serve'/],
      [["extra"], /'serve' takes no argument 'extra'/],
    ];
    for (const [argv, message, read] of cases) {
      expect(() => parseServeArgs(argv, env, read)).toThrow(UsageError);
      expect(() => parseServeArgs(argv, env, read)).toThrow(message);
    }
  });
});

describe("TokenCheck", () => {
  test("exactly 'Bearer <token>', scheme case-insensitive", () => {
    const t = new TokenCheck("abc123");
    expect(t.matches("Bearer abc123")).toBe(true);
    expect(t.matches("bearer abc123")).toBe(true);
    expect(t.matches("BEARER  abc123 ")).toBe(true);
    for (const h of [null, undefined, "", "abc123", "Bearer", "Bearer abc12", "Bearer abc1234", "Basic abc123", "Bearer abc123 x", "Bearerabc123"]) expect(t.matches(h)).toBe(false);
    expect(() => new TokenCheck("")).toThrow(/empty/);
    expect(() => new TokenCheck("a b")).toThrow(/white space/);
  });
});

describe("healthOf", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  const base: WatchStatus = { startedAt: "2026-01-01T11:00:00Z", lastSuccessAt: "2026-01-01T11:59:00Z", lastError: null, consecutiveFailures: 0, namespacesWatched: 3, fullPassEveryMs: 60_000 };
  test("ok, starting, failing, stalled", () => {
    expect(healthOf(base, now)).toEqual({ status: "ok" });
    expect(healthOf({ ...base, lastSuccessAt: null }, now).status).toBe("starting");
    expect(healthOf({ ...base, consecutiveFailures: 2, lastError: { at: "2026-01-01T11:59:30Z", message: "boom" } }, now)).toEqual({ status: "failing", reason: "2 failed discoveries in a row: boom" });
    // Two missed passes plus 30 s of grace: 150 s here.
    expect(healthOf({ ...base, lastSuccessAt: "2026-01-01T11:57:31Z" }, now).status).toBe("ok");
    expect(healthOf({ ...base, lastSuccessAt: "2026-01-01T11:57:29Z" }, now)).toEqual({ status: "stalled", reason: "no successful discovery for 151 s" });
  });
});
