// MicroPython's own TLS tests, run by MicroPython's own runners against usocket-micropython:
// tests/extmod/{ssl,tls}_*.py through run-tests.py, and tests/multi_net/ ssl_*, sslcontext_*,
// tls_dtls_* and asyncio_tls_* through run-multitests.py with the bridge as both instances,
// inside a private network namespace. What cannot pass is in support/micropython-expected.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CLI } from "./support/micropython.js";
import * as runners from "./support/micropython-runners.js";

test(
  "extmod/{ssl,tls}_*.py through run-tests.py -t webassembly: every test passes but the listed skips",
  {
    skip: runners.EXTMOD_SKIP,
    timeout: 600_000,
  },
  () =>
    runners.inCopy((tests) => {
      const files = runners.listTests(tests, "extmod", /^(ssl|tls)_.*\.py$/);
      assert.equal(files.length, 15);
      const out = runners.run("python3", ["run-tests.py", "-t", "webassembly", "-j", "2", ...files], tests, {
        MICROPY_MICROPYTHON_MJS: CLI,
      });
      runners.assertExtmod(files, out);
      // ssl_poll.py, which run-tests.py skips outside the unix coverage build, run directly:
      // its expected output (none) and a clean exit.
      const r = spawnSync(process.execPath, [CLI, "ssl_poll.py"], {
        cwd: path.join(tests, "extmod"),
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(path.join(tests, "extmod", "ssl_poll.py.exp"), "utf8"));
    }),
);

test(
  "multi_net TLS and DTLS tests (ssl_*, sslcontext_*, tls_dtls_*, asyncio_tls_*) through run-multitests.py, the bridge on both sides",
  {
    skip: runners.MULTI_SKIP,
    timeout: 600_000,
  },
  () =>
    runners.inCopy((tests) => {
      const files = runners.listTests(tests, "multi_net", /^(ssl_|sslcontext_|tls_dtls_|asyncio_tls_).*\.py$/);
      assert.equal(files.length, 25);
      runners.assertMultitests(tests, files, ["-t", `exec:${CLI}`, "-t", `exec:${CLI}`]);
    }),
);
