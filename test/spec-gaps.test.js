// Rules of SPEC sections 1–7 and 10 that no other suite pinned down, found by the
// conformance audit. Each test names the rule it proves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import { ROOT } from "./support/peers.js";
import { scriptedPeer, watchdog } from "./support/tests-a.js";

/** Whether the descriptor has O_NONBLOCK (Linux: /proc/self/fdinfo). */
function descriptorNonblocking(s) {
  const flags = /flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${s.fileno()}`, "utf8"))[1];
  return (parseInt(flags, 8) & 0o4000) !== 0;
}

// SPEC 4 ("A new socket is blocking with no timeout") and 7 ("Sync and async calls may be
// mixed on one socket"): a Promise twin that had to wait leaves a blocking socket blocking.
// libuv's uv_poll_init sets O_NONBLOCK on the descriptor it watches; left so, the next
// synchronous recv() of a socket with timeout null raised EAGAIN instead of waiting.
test("a blocking socket stays blocking after a Promise twin waited on it", async (t) => {
  if (process.platform !== "linux") {
    t.skip("reads the descriptor's flags from /proc/self/fdinfo");
    return;
  }
  const dog = watchdog(30);
  const { conn, done } = await scriptedPeer([{ wait: 150 }, { send: "first" }, { wait: 300 }, { send: "second" }]);
  try {
    assert.equal(conn.gettimeout(), null);
    assert.equal(descriptorNonblocking(conn), false);
    // Nothing has arrived yet: the call waits on the socket's readiness watcher.
    assert.equal((await conn.recvAsync(5)).toString(), "first");
    assert.equal(descriptorNonblocking(conn), false);
    // "second" comes 0.3 s later: a blocking recv() waits for it.
    assert.equal(conn.recv(6).toString(), "second");
    // The same for the write direction: sendAsync, then the sync calls still block.
    assert.equal(await conn.sendAsync("x"), 1);
    assert.equal(descriptorNonblocking(conn), false);
  } finally {
    conn.close();
    await done;
    dog.terminate();
  }
});

// SPEC 1: the package ships ES modules with TypeScript declarations through an `exports`
// map, installs with `npm install` (which compiles the native core), and needs the
// MicroPython package only when usocket/micropython is used. Proved from a consumer: the
// packed tarball installed offline into an empty project, every entry imported by name,
// its declarations resolved by TypeScript the way a consumer's compiler resolves them.
test("the exports map resolves usocket, usocket/select, usocket/errno and usocket/micropython from a consumer", (t) => {
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
    writeFileSync(path.join(project, "main.js"), `
      import * as socket from "usocket";
      import { poll, select, POLLIN, POLLNVAL } from "usocket/select";
      import { ETIMEDOUT, errorcode } from "usocket/errno";
      import { installSocket, loadMicroPython } from "usocket/micropython";
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
        await import("usocket/dist/socket.js");
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
      import { socket, type Socket } from "usocket";
      import { poll, type Poll } from "usocket/select";
      import { errorcode } from "usocket/errno";
      import { installSocket } from "usocket/micropython";
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
