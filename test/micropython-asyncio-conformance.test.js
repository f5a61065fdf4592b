// MicroPython's own asyncio tests, run by MicroPython's own runners against
// usocket-micropython: tests/extmod/asyncio_*.py through run-tests.py, and
// tests/multi_net/asyncio_*.py through run-multitests.py paired with CPython (both orders)
// and with the bridge itself, inside a private network namespace. The tests come from
// MICROPYTHON_TESTS (default /work/shared/micropython-tests), copied to a writable folder.
// What cannot pass is listed below with the reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ROOT } from "./support/peers.js";
import { CLI } from "./support/micropython.js";

const SOURCE = process.env["MICROPYTHON_TESTS"] ?? "/work/shared/micropython-tests";
const available = existsSync(path.join(SOURCE, "tests", "run-tests.py"));

/** extmod tests that do not pass here, with why. */
const EXTMOD_EXPECTED_SKIPS = {
  // run-tests.py's own webassembly list; the port hangs (instead of raising MemoryError) on
  // any allocation while micropython.heap_lock() is in force, so the test cannot complete.
  "extmod/asyncio_heaplock.py": "the WebAssembly port hangs on allocation under heap_lock",
};

/** multi_net tests that cannot pass in a given pairing ("first|second" instance), with why. */
const MULTI_EXPECTED_FAILS = {
  // instance1 (the client) is CPython, whose StreamReader has no readinto (a MicroPython extension)
  "multi_net/asyncio_tcp_readinto.py on usocket-micropython|python3": "CPython's StreamReader has no readinto",
};

function copyTests() {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-mptests-"));
  cpSync(SOURCE, dir, { recursive: true });
  return dir;
}

/** Results of a runner's output: a map from "test[ on pairing]" to pass/fail/skip. */
function results(output) {
  const found = new Map();
  for (const line of output.split("\n")) {
    let m = /^(pass|FAIL|skip) +(\S+)/.exec(line);
    if (m !== null) found.set(m[2], m[1].toLowerCase());
    m = /^(\S+) on (\S+): (pass|FAIL|skip)/.exec(line);
    if (m !== null) found.set(`${m[1]} on ${m[2]}`, m[3].toLowerCase());
  }
  return found;
}

/** Runs command in the copied tests folder; fails the test with its output if it did not run. */
function run(command, args, cwd, env = {}) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 580_000 });
  if (r.error) throw r.error;
  return `${r.stdout}${r.stderr}`;
}

function unshareWorks() {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync("unshare", ["-n", "sh", "-c", "ip link set lo up"], { encoding: "utf8" });
  return r.status === 0;
}

test("extmod/asyncio_*.py through run-tests.py -t webassembly: every test passes but the listed ones", { skip: available ? false : `MicroPython's tests not found at ${SOURCE} (set MICROPYTHON_TESTS)`, timeout: 600_000 }, () => {
  const dir = copyTests();
  try {
    const tests = path.join(dir, "tests");
    const files = readdirSync(path.join(tests, "extmod")).filter((f) => /^asyncio_.*\.py$/.test(f)).map((f) => `extmod/${f}`);
    assert.ok(files.length >= 30, `found only ${files.length} asyncio tests`);
    const runner = [path.join(ROOT, "test", "support", "run-tests-unskip.py"), tests, path.join(ROOT, "test", "support", "asyncio-unskip.txt"), "-t", "webassembly"];
    const env = { MICROPY_MICROPYTHON_MJS: CLI };
    let out = run("python3", [...runner, "-j", "2", ...files], tests, env);
    const found = results(out);
    if ([...found.values()].includes("fail")) {
      // Several tests measure sleeps of 10 ms against each other, which a loaded machine can
      // upset (as it would the unix port): the runner's own --run-failures gives them one
      // more try, alone.
      const again = run("python3", [...runner, "--run-failures"], tests, env);
      for (const [name, verdict] of results(again)) found.set(name, verdict);
      out += `\n--- failures run again ---\n${again}`;
    }
    for (const f of files) {
      const expected = f in EXTMOD_EXPECTED_SKIPS ? "skip" : "pass";
      assert.equal(found.get(f), expected, `${f}: ${found.get(f) ?? "not run"} (expected ${expected})\n${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** run-multitests.py starts each instance's script with sys.path.remove(''): the bridge must keep '' there. */
function keepsEmptyPath() {
  const r = spawnSync(process.execPath, [CLI, "-c", "import sys; sys.path.remove('')"], { encoding: "utf8", env: { ...process.env, MICROPYPATH: ".frozen" } });
  return r.status === 0;
}

const multiSkip = !available
  ? `MicroPython's tests not found at ${SOURCE} (set MICROPYTHON_TESTS)`
  : !unshareWorks()
    ? "needs root and unshare -n: the multi_net tests bind 0.0.0.0:8000 and ask the routing table for an address, so they run only in a private network namespace"
    : !keepsEmptyPath()
      ? "usocket-micropython drops '' from sys.path when MICROPYPATH is set (issue 12, the bridge's command line): run-multitests.py's first line fails"
      : false;

for (const [pairing, instances, permutations] of [
  ["with CPython, both orders", ["-t", `exec:${CLI}`, "-t", "cpython"], "2"],
  ["with itself", ["-t", `exec:${CLI}`, "-t", `exec:${CLI}`], "1"],
]) {
  test(`multi_net/asyncio_tcp_*.py through run-multitests.py, paired ${pairing}, in a private network namespace`, { skip: multiSkip, timeout: 600_000 }, () => {
    const dir = copyTests();
    try {
      const tests = path.join(dir, "tests");
      const files = readdirSync(path.join(tests, "multi_net")).filter((f) => /^asyncio_tcp_.*\.py$/.test(f)).map((f) => `multi_net/${f}`);
      assert.ok(files.length >= 6);
      const quoted = [...instances, "-p", permutations, ...files].map((a) => `'${a}'`).join(" ");
      const out = run("unshare", ["-n", "sh", "-c", `ip link set lo up && exec python3 run-multitests.py ${quoted}`], tests);
      const found = results(out);
      const names = path.basename(CLI);
      const orders = instances[3] === "cpython" ? [`${names}|python3`, `python3|${names}`] : [`${names}|${names}`];
      for (const f of files) {
        for (const order of orders) {
          const key = `${f} on ${order}`;
          const expected = key.replace(names, "usocket-micropython").replace(names, "usocket-micropython") in MULTI_EXPECTED_FAILS ? "fail" : "pass";
          assert.equal(found.get(key), expected, `${key}: ${found.get(key) ?? "not run"} (expected ${expected})\n${out}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
