// MicroPython's own asyncio tests, run by MicroPython's own runners against
// usocket-micropython: tests/extmod/asyncio_*.py through run-tests.py, and
// tests/multi_net/asyncio_*.py through run-multitests.py paired with CPython (both orders)
// and with the bridge itself, inside a private network namespace. The tests come from
// MICROPYTHON_TESTS (default: shared/micropython-tests beside the checkout), copied to a writable folder.
// What cannot pass is listed with the reason in support/micropython-expected.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "./support/peers.js";
import { CLI } from "./support/micropython.js";
import { EXTMOD_NOT_RUN } from "./support/micropython-expected.js";
import * as runners from "./support/micropython-runners.js";

test(
  "extmod/asyncio_*.py through run-tests.py -t webassembly: every test passes but the listed ones",
  {
    skip: runners.EXTMOD_SKIP,
    timeout: 600_000,
  },
  () =>
    runners.inCopy((tests) => {
      const files = runners.listTests(tests, "extmod", /^asyncio_.*\.py$/).filter((f) => !(f in EXTMOD_NOT_RUN));
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
      let out = runners.run("python3", [...runner, "-j", "2", ...files], tests, env);
      const found = runners.results(out);
      // Several tests measure sleeps of 10 ms against each other, which a loaded machine can
      // upset (as it would the unix port): the runner's own --run-failures gives the failed
      // ones up to three more tries, alone.
      for (let attempt = 0; attempt < 3 && [...found.values()].includes("fail"); attempt++) {
        const again = runners.run("python3", [...runner, "--run-failures"], tests, env);
        for (const [name, verdict] of runners.results(again)) found.set(name, verdict);
        out += `\n--- failures run again ---\n${again}`;
      }
      runners.assertExtmod(files, out);
    }),
);

/** run-multitests.py starts each instance's script with sys.path.remove(''): the bridge must keep '' there. */
function keepsEmptyPath() {
  const r = spawnSync(process.execPath, [CLI, "-c", "import sys; sys.path.remove('')"], {
    encoding: "utf8",
    env: { ...process.env, MICROPYPATH: ".frozen" },
  });
  return r.status === 0;
}

const multiSkip =
  runners.MULTI_SKIP ||
  (keepsEmptyPath()
    ? false
    : "usocket-micropython drops '' from sys.path when MICROPYPATH is set (issue 12, the bridge's command line): run-multitests.py's first line fails");

for (const [pairing, instances, bothOrders] of [
  ["with CPython, both orders", ["-t", `exec:${CLI}`, "-t", "cpython"], true],
  ["with itself", ["-t", `exec:${CLI}`, "-t", `exec:${CLI}`], false],
]) {
  test(
    `multi_net/asyncio_tcp_*.py through run-multitests.py, paired ${pairing}, in a private network namespace`,
    {
      skip: multiSkip,
      timeout: 600_000,
    },
    () =>
      runners.inCopy((tests) => {
        const files = runners.listTests(tests, "multi_net", /^asyncio_tcp_.*\.py$/);
        assert.ok(files.length >= 6);
        runners.assertMultitests(tests, files, instances, { bothOrders, retry: false });
      }),
  );
}
