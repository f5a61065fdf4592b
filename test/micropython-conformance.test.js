// MicroPython's own socket and select tests, run by MicroPython's own runners against
// usocket-micropython, inside a private network namespace where the machine allows one (the
// tests use fixed ports): tests/extmod/{socket,select}_*.py through run-tests.py, and the
// plain tests/multi_net/{tcp,udp}_*.py through run-multitests.py paired with CPython in both
// orders and with the bridge itself. What cannot pass is in support/micropython-expected.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { CLI } from "./support/micropython.js";
import { EXTMOD_EXPECTED_SKIPS, MULTI_EXPECTED_FAILS } from "./support/micropython-expected.js";
import {
  available,
  copyTests,
  inNamespace,
  NO_NAMESPACE,
  NOT_AVAILABLE,
  quote,
  results,
  run,
  unshareWorks,
} from "./support/micropython-runners.js";

const namespace = available && unshareWorks();

test("extmod/socket_*.py and select_*.py through run-tests.py -t webassembly: every test passes but the listed ones", {
  skip: available ? false : NOT_AVAILABLE,
  timeout: 600_000,
}, (t) => {
  const dir = copyTests();
  try {
    const tests = path.join(dir, "tests");
    const files = readdirSync(path.join(tests, "extmod"))
      .filter((f) => /^(socket|select)_.*\.py$/.test(f))
      .map((f) => `extmod/${f}`);
    assert.ok(files.length >= 10, `found only ${files.length} socket/select tests`);
    const env = { MICROPY_MICROPYTHON_MJS: CLI };
    // select_poll_fd.py expects poll(2) to refuse more descriptors than RLIMIT_NOFILE, as
    // MicroPython's CI arranges with ulimit -n 1024.
    const command = `ulimit -n 1024 && exec python3 run-tests.py -t webassembly ${quote(files)}`;
    if (!namespace)
      t.diagnostic(
        `without a private network namespace (${NO_NAMESPACE}): the tests' fixed ports may meet other programs`,
      );
    const out = namespace ? inNamespace(command, tests, env) : run("sh", ["-c", command], tests, env);
    const found = results(out);
    for (const f of files) {
      const expected = f in EXTMOD_EXPECTED_SKIPS ? "skip" : "pass";
      assert.equal(found.get(f), expected, `${f}: ${found.get(f) ?? "not run"} (expected ${expected})\n${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [pairing, instances, permutations] of [
  ["with CPython, both orders", ["-t", `exec:${CLI}`, "-t", "cpython"], "2"],
  ["with itself", ["-t", `exec:${CLI}`, "-t", `exec:${CLI}`], "1"],
]) {
  test(`multi_net/{tcp,udp}_*.py through run-multitests.py, paired ${pairing}, in a private network namespace`, {
    skip: !available ? NOT_AVAILABLE : !namespace ? NO_NAMESPACE : false,
    timeout: 600_000,
  }, () => {
    const dir = copyTests();
    try {
      const tests = path.join(dir, "tests");
      const files = readdirSync(path.join(tests, "multi_net"))
        .filter((f) => /^(tcp|udp)_.*\.py$/.test(f))
        .map((f) => `multi_net/${f}`);
      assert.ok(files.length >= 9, `found only ${files.length} plain multi_net tests`);
      const runner = (names) =>
        inNamespace(`exec python3 run-multitests.py ${quote([...instances, "-p", permutations, ...names])}`, tests);
      let out = runner(files);
      const found = results(out);
      const bridge = path.basename(CLI);
      const orders =
        instances[3] === "cpython"
          ? [
              [bridge, "python3"],
              ["python3", bridge],
            ]
          : [[bridge, bridge]];
      const named = (i) => (i === bridge ? "usocket-micropython" : i);
      const verdicts = () =>
        files.flatMap((f) =>
          orders.map(([first, second]) => {
            const expected = `${f} on ${named(first)}|${named(second)}` in MULTI_EXPECTED_FAILS ? "fail" : "pass";
            const key = `${f} on ${first}|${second}`;
            return { f, key, expected, got: found.get(key) };
          }),
        );
      // The UDP tests count replies within 250 ms timeouts, which a loaded machine can upset
      // (as it would the unix port): a test that did not pass gets one more try, alone.
      const again = [
        ...new Set(
          verdicts()
            .filter((v) => v.got !== v.expected)
            .map((v) => v.f),
        ),
      ];
      if (again.length > 0) {
        const more = runner(again);
        for (const [name, verdict] of results(more)) found.set(name, verdict);
        out += `\n--- run again ---\n${more}`;
      }
      for (const { key, expected, got } of verdicts()) {
        assert.equal(got, expected, `${key}: ${got ?? "not run"} (expected ${expected})\n${out}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
