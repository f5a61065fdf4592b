// What a consumer of the package gets: every constant of docs/behaviour.md §3 with the
// system's value, and `using`. The packed tarball itself: test/packed-package.test.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as socket from "../dist/index.js";

// docs/behaviour.md §3: the constants, each with the host system's value. Where CPython is installed its
// socket module is the reference for the values; the names are checked everywhere.
const SECTION_3_CONSTANTS = [
  "AF_INET",
  "AF_INET6",
  "AF_UNIX",
  "SOCK_STREAM",
  "SOCK_DGRAM",
  "SOCK_RAW",
  "IPPROTO_IP",
  "IPPROTO_TCP",
  "IPPROTO_UDP",
  "IPPROTO_IPV6",
  "SOL_SOCKET",
  "SO_REUSEADDR",
  "SO_REUSEPORT",
  "SO_BROADCAST",
  "SO_KEEPALIVE",
  "SO_LINGER",
  "SO_RCVBUF",
  "SO_SNDBUF",
  "SO_ERROR",
  "SO_TYPE",
  "TCP_NODELAY",
  "IP_ADD_MEMBERSHIP",
  "IP_DROP_MEMBERSHIP",
  "IP_MULTICAST_TTL",
  "IP_MULTICAST_LOOP",
  "IPV6_V6ONLY",
  "MSG_PEEK",
  "MSG_DONTWAIT",
  "SHUT_RD",
  "SHUT_WR",
  "SHUT_RDWR",
  "AI_PASSIVE",
  "AI_CANONNAME",
  "AI_NUMERICHOST",
  "AI_NUMERICSERV",
  "SOMAXCONN",
];

test("usocket exports every constant of docs/behaviour.md §3 with the system's value", () => {
  for (const name of SECTION_3_CONSTANTS) {
    if (name === "SO_REUSEPORT" && socket[name] === undefined && process.platform !== "linux") continue;
    assert.ok(Number.isInteger(socket[name]), `${name} is ${socket[name]}`);
  }
  // Values every system agrees on, and a socket created from them is what it says.
  assert.equal(socket.AF_INET, 2);
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP);
  try {
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_DGRAM);
  } finally {
    s.close();
  }
  const python = spawnSync(
    "python3",
    [
      "-c",
      `import json, socket
print(json.dumps({n: getattr(socket, n, None) for n in ${JSON.stringify(SECTION_3_CONSTANTS)}}))`,
    ],
    { encoding: "utf8", timeout: 20000 },
  );
  if (python.status !== 0) return; // no CPython here: the names were checked above
  const reference = JSON.parse(python.stdout);
  for (const name of SECTION_3_CONSTANTS) {
    if (reference[name] !== null)
      assert.equal(socket[name], reference[name], `${name}: CPython has ${reference[name]}`);
  }
});

// docs/behaviour.md §10: "using s = socket()" — compiled by TypeScript (>= 5.2) for this Node, run, and
// the socket closed at the end of its block, on a normal exit and on a throw.
test("`using s = socket()` compiled by TypeScript closes the socket when the block ends", async () => {
  const ts = (await import("typescript")).default;
  const source = `
    function scope(make: () => any, seen: any[], fail: boolean) {
      using s = make();
      seen.push(s, s.fileno());
      if (fail) throw new Error("inside");
    }`;
  const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  const scope = new Function("make", "seen", "fail", `${outputText}\nreturn scope(make, seen, fail);`);
  for (const fail of [false, true]) {
    const seen = [];
    const run = () => scope(() => socket.socket(), seen, fail);
    if (fail) assert.throws(run, { message: "inside" });
    else run();
    const [s, fd] = seen;
    assert.ok(fd >= 0);
    assert.equal(s.fileno(), -1, "closed by the end of the block");
    assert.throws(() => s.getsockname(), { code: "EBADF" });
  }
});
