// What a consumer of the package gets: the exports map and declarations of the packed
// tarball, every constant of docs/behaviour.md §3 with the system's value, and `using`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import { ROOT } from "./support/peers.js";

// docs/behaviour.md §1: the package ships ES modules with TypeScript declarations through an `exports`
// map, installs with `npm install` (which compiles the native core), and needs the
// MicroPython package only when usocket-node/micropython is used. Proved from a consumer: the
// packed tarball installed offline into an empty project, every entry imported by name,
// its declarations resolved by TypeScript the way a consumer's compiler resolves them.
test("the exports map resolves usocket-node, usocket-node/select, usocket-node/errno and usocket-node/micropython from a consumer", (t) => {
  const scratch = mkdtempSync(path.join(tmpdir(), "usocket-consumer-"));
  const run = (command, args, cwd) => {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 180000, env: consumerEnv() });
    assert.equal(result.status, 0, `${command} ${args.join(" ")}: ${result.error ?? ""}${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  try {
    const packed = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", scratch], ROOT).trim();
    const project = path.join(scratch, "consumer");
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", path.join(scratch, packed.split("\n").pop())], project);
    // No runtime dependency comes along, and the optional MicroPython package is not pulled in.
    assert.deepEqual(readdirSync(path.join(project, "node_modules")).filter((name) => !name.startsWith(".")), ["usocket-node"]);
    writeFileSync(path.join(project, "main.js"), `
      import * as socket from "usocket-node";
      import { poll, select, POLLIN, POLLNVAL } from "usocket-node/select";
      import { ETIMEDOUT, errorcode } from "usocket-node/errno";
      import { installSocket, loadMicroPython } from "usocket-node/micropython";
      const [a, b] = socket.socketpair();
      b.send("ok");
      const p = poll();
      p.register(a, POLLIN);
      const ready = p.poll(1000).length === 1 && select([a], [], [], 1)[0][0] === a;
      console.log(JSON.stringify([a.recv(2).toString(), ready, errorcode[ETIMEDOUT], typeof POLLNVAL,
        typeof installSocket, typeof loadMicroPython, typeof socket.getaddrinfoAsync]));
      a.close();
      b.close();
      let hidden;
      try {
        await import("usocket-node/dist/socket.js");
        hidden = "importable";
      } catch (error) {
        hidden = error.code;
      }
      console.log(hidden);
    `);
    const lines = run(process.execPath, ["main.js"], project).trim().split("\n");
    assert.deepEqual(JSON.parse(lines[0]), ["ok", true, "ETIMEDOUT", "number", "function", "function", "function"]);
    assert.equal(lines[1], "ERR_PACKAGE_PATH_NOT_EXPORTED");
    // The declarations: "types" comes first in each entry, so TypeScript finds them.
    writeFileSync(path.join(project, "check.ts"), `
      import { socket, type Socket } from "usocket-node";
      import { poll, type Poll } from "usocket-node/select";
      import { errorcode } from "usocket-node/errno";
      import { installSocket } from "usocket-node/micropython";
      const s: Socket = socket();
      const p: Poll = poll();
      const name: string | undefined = errorcode[1];
      const install: typeof installSocket = installSocket;
      void s; void p; void name; void install;
    `);
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    run(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
      "--target", "es2022", "--types", "node", "--typeRoots", path.join(ROOT, "node_modules", "@types"), "check.ts"], project);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** The environment for npm in a child: this process's, without what `npm test` set for itself. */
function consumerEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_")) env[key] = value;
  }
  return env;
}

// docs/behaviour.md §3: the constants, each with the host system's value. Where CPython is installed its
// socket module is the reference for the values; the names are checked everywhere.
const SECTION_3_CONSTANTS = [
  "AF_INET", "AF_INET6", "AF_UNIX", "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "IPPROTO_IP", "IPPROTO_TCP",
  "IPPROTO_UDP", "IPPROTO_IPV6", "SOL_SOCKET", "SO_REUSEADDR", "SO_REUSEPORT", "SO_BROADCAST", "SO_KEEPALIVE",
  "SO_LINGER", "SO_RCVBUF", "SO_SNDBUF", "SO_ERROR", "SO_TYPE", "TCP_NODELAY", "IP_ADD_MEMBERSHIP",
  "IP_DROP_MEMBERSHIP", "IP_MULTICAST_TTL", "IP_MULTICAST_LOOP", "IPV6_V6ONLY", "MSG_PEEK", "MSG_DONTWAIT",
  "SHUT_RD", "SHUT_WR", "SHUT_RDWR", "AI_PASSIVE", "AI_CANONNAME", "AI_NUMERICHOST", "AI_NUMERICSERV", "SOMAXCONN",
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
  const python = spawnSync("python3", ["-c", `import json, socket
print(json.dumps({n: getattr(socket, n, None) for n in ${JSON.stringify(SECTION_3_CONSTANTS)}}))`], { encoding: "utf8", timeout: 20000 });
  if (python.status !== 0) return; // no CPython here: the names were checked above
  const reference = JSON.parse(python.stdout);
  for (const name of SECTION_3_CONSTANTS) {
    if (reference[name] !== null) assert.equal(socket[name], reference[name], `${name}: CPython has ${reference[name]}`);
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
