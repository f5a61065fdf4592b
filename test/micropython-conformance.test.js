// MicroPython's own socket and select tests, run by MicroPython's own runners against
// usocket-micropython, inside a private network namespace where the machine allows one (the
// tests use fixed ports): tests/extmod/{socket,select}_*.py through run-tests.py, and the
// plain tests/multi_net/{tcp,udp}_*.py through run-multitests.py paired with CPython in both
// orders and with the bridge itself. What cannot pass is in support/micropython-expected.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLI } from "./support/micropython.js";
import * as runners from "./support/micropython-runners.js";

test(
  "extmod/socket_*.py and select_*.py through run-tests.py -t webassembly: every test passes but the listed ones",
  {
    skip: runners.EXTMOD_SKIP,
    timeout: 600_000,
  },
  (t) =>
    runners.inCopy((tests) => {
      const files = runners.listTests(tests, "extmod", /^(socket|select)_.*\.py$/);
      assert.ok(files.length >= 10, `found only ${files.length} socket/select tests`);
      const env = { MICROPY_MICROPYTHON_MJS: CLI };
      // select_poll_fd.py expects poll(2) to refuse more descriptors than RLIMIT_NOFILE, as
      // MicroPython's CI arranges with ulimit -n 1024.
      const command = `ulimit -n 1024 && exec python3 run-tests.py -t webassembly ${runners.quote(files)}`;
      if (runners.MULTI_SKIP)
        t.diagnostic(
          `without a private network namespace (${runners.NO_NAMESPACE}): the tests' fixed ports may meet other programs`,
        );
      const out = runners.MULTI_SKIP
        ? runners.run("sh", ["-c", command], tests, env)
        : runners.inNamespace(command, tests, env);
      runners.assertExtmod(files, out);
    }),
);

for (const [pairing, instances, bothOrders] of [
  ["with CPython, both orders", ["-t", `exec:${CLI}`, "-t", "cpython"], true],
  ["with itself", ["-t", `exec:${CLI}`, "-t", `exec:${CLI}`], false],
]) {
  test(
    `multi_net/{tcp,udp}_*.py through run-multitests.py, paired ${pairing}, in a private network namespace`,
    {
      skip: runners.MULTI_SKIP,
      timeout: 600_000,
    },
    () =>
      runners.inCopy((tests) => {
        const files = runners.listTests(tests, "multi_net", /^(tcp|udp)_.*\.py$/);
        assert.ok(files.length >= 9, `found only ${files.length} plain multi_net tests`);
        runners.assertMultitests(tests, files, instances, { bothOrders });
      }),
  );
}
