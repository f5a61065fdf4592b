// MicroPython's own asyncio tests, run by MicroPython's own runners against
// usocket-micropython: tests/extmod/asyncio_*.py through run-tests.py, and
// tests/multi_net/asyncio_*.py through run-multitests.py paired with CPython (both orders)
// and with the bridge itself, inside a private network namespace. The tests come from
// MICROPYTHON_TESTS (default: shared/micropython-tests beside the checkout), copied to a writable folder.
// What cannot pass is listed with the reason in support/micropython-expected.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ROOT } from "./support/peers.js";
import { CLI } from "./support/micropython.js";
import { EXTMOD_NOT_RUN, MULTI_EXPECTED_FAILS } from "./support/micropython-expected.js";
import { available, copyTests, results, run, SOURCE, unshareWorks } from "./support/micropython-runners.js";

test("extmod/asyncio_*.py through run-tests.py -t webassembly: every test passes but the listed ones", {
  skip: available ? false : `MicroPython's tests not found at ${SOURCE} (set MICROPYTHON_TESTS)`,
  timeout: 600_000,
}, () => {
  const dir = copyTests();
  try {
    const tests = path.join(dir, "tests");
    const files = readdirSync(path.join(tests, "extmod"))
      .filter((f) => /^asyncio_.*\.py$/.test(f))
      .map((f) => `extmod/${f}`)
      .filter((f) => !(f in EXTMOD_NOT_RUN));
    assert.ok(files.length >= 30, `found only ${files.length} asyncio tests`);
    // usocket-micropython reports sys.platform "linux" (as the unix port), so run-tests.py
    // applies no platform skip list; run-tests-unskip.py still lifts the asyncio entries of
    // the webassembly list for a bridge that reports "webassembly".
    const runner = [
      path.join(ROOT, "test", "support", "run-tests-unskip.py"),
      tests,
      path.join(ROOT, "test", "support", "asyncio-unskip.txt"),
      "-t",
      "webassembly",
    ];
    const env = { MICROPY_MICROPYTHON_MJS: CLI };
    let out = run("python3", [...runner, "-j", "2", ...files], tests, env);
    const found = results(out);
    // Several tests measure sleeps of 10 ms against each other, which a loaded machine can
    // upset (as it would the unix port): the runner's own --run-failures gives the failed
    // ones up to three more tries, alone.
    for (let attempt = 0; attempt < 3 && [...found.values()].includes("fail"); attempt++) {
      const again = run("python3", [...runner, "--run-failures"], tests, env);
      for (const [name, verdict] of results(again)) found.set(name, verdict);
      out += `\n--- failures run again ---\n${again}`;
    }
    for (const f of files) {
      assert.equal(found.get(f), "pass", `${f}: ${found.get(f) ?? "not run"}\n${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** run-multitests.py starts each instance's script with sys.path.remove(''): the bridge must keep '' there. */
function keepsEmptyPath() {
  const r = spawnSync(process.execPath, [CLI, "-c", "import sys; sys.path.remove('')"], {
    encoding: "utf8",
    env: { ...process.env, MICROPYPATH: ".frozen" },
  });
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
  test(`multi_net/asyncio_tcp_*.py through run-multitests.py, paired ${pairing}, in a private network namespace`, {
    skip: multiSkip,
    timeout: 600_000,
  }, () => {
    const dir = copyTests();
    try {
      const tests = path.join(dir, "tests");
      const files = readdirSync(path.join(tests, "multi_net"))
        .filter((f) => /^asyncio_tcp_.*\.py$/.test(f))
        .map((f) => `multi_net/${f}`);
      assert.ok(files.length >= 6);
      const quoted = [...instances, "-p", permutations, ...files].map((a) => `'${a}'`).join(" ");
      const out = run(
        "unshare",
        ["-n", "sh", "-c", `ip link set lo up && exec python3 run-multitests.py ${quoted}`],
        tests,
      );
      const found = results(out);
      const names = path.basename(CLI);
      const orders = instances[3] === "cpython" ? [`${names}|python3`, `python3|${names}`] : [`${names}|${names}`];
      for (const f of files) {
        for (const order of orders) {
          const key = `${f} on ${order}`;
          const expected =
            key.replace(names, "usocket-micropython").replace(names, "usocket-micropython") in MULTI_EXPECTED_FAILS
              ? "fail"
              : "pass";
          assert.equal(
            found.get(key),
            expected,
            `${key}: ${found.get(key) ?? "not run"} (expected ${expected})\n${out}`,
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
