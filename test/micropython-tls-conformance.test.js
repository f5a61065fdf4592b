// MicroPython's own TLS tests, run by MicroPython's own runners against usocket-micropython:
// tests/extmod/{ssl,tls}_*.py through run-tests.py, and tests/multi_net/ ssl_*, sslcontext_*,
// tls_dtls_* and asyncio_tls_* through run-multitests.py with the bridge as both instances,
// inside a private network namespace. What cannot pass is in support/micropython-expected.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
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

const listed = (dir, pattern) =>
  readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort();

test("extmod/{ssl,tls}_*.py through run-tests.py -t webassembly: every test passes but the listed skips", {
  skip: available ? false : NOT_AVAILABLE,
  timeout: 600_000,
}, () => {
  const dir = copyTests();
  try {
    const tests = path.join(dir, "tests");
    const files = listed(path.join(tests, "extmod"), /^(ssl|tls)_.*\.py$/).map((f) => `extmod/${f}`);
    assert.equal(files.length, 15);
    const out = run("python3", ["run-tests.py", "-t", "webassembly", "-j", "2", ...files], tests, {
      MICROPY_MICROPYTHON_MJS: CLI,
    });
    const found = results(out);
    for (const f of files) {
      const expected = f in EXTMOD_EXPECTED_SKIPS ? "skip" : "pass";
      assert.equal(found.get(f), expected, `${f}: ${found.get(f) ?? "not run"} (expected ${expected})\n${out}`);
    }
    // ssl_poll.py, which run-tests.py skips outside the unix coverage build, run directly:
    // its expected output (none) and a clean exit.
    const r = spawnSync(process.execPath, [CLI, "ssl_poll.py"], {
      cwd: path.join(tests, "extmod"),
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(path.join(tests, "extmod", "ssl_poll.py.exp"), "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("multi_net TLS and DTLS tests (ssl_*, sslcontext_*, tls_dtls_*, asyncio_tls_*) through run-multitests.py, the bridge on both sides", {
  skip: !available ? NOT_AVAILABLE : !unshareWorks() ? NO_NAMESPACE : false,
  timeout: 600_000,
}, () => {
  const dir = copyTests();
  try {
    const tests = path.join(dir, "tests");
    const files = listed(path.join(tests, "multi_net"), /^(ssl_|sslcontext_|tls_dtls_|asyncio_tls_).*\.py$/).map(
      (f) => `multi_net/${f}`,
    );
    assert.equal(files.length, 25);
    const runner = (names) =>
      inNamespace(
        `exec python3 run-multitests.py ${quote(["-t", `exec:${CLI}`, "-t", `exec:${CLI}`, ...names])}`,
        tests,
      );
    let out = runner(files);
    const found = results(out);
    const bridge = path.basename(CLI);
    const verdicts = () =>
      files.map((f) => {
        const expected = `${f} on usocket-micropython|usocket-micropython` in MULTI_EXPECTED_FAILS ? "fail" : "pass";
        const key = `${f} on ${bridge}|${bridge}`;
        return { f, key, expected, got: found.get(key) };
      });
    // Two interpreters and a runner share the machine: a test whose instance missed one of
    // the runner's deadlines under load gets one more try, alone.
    const again = verdicts()
      .filter((v) => v.got !== v.expected)
      .map((v) => v.f);
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
