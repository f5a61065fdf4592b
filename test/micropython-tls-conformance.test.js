// MicroPython's own TLS tests, run by MicroPython's own runners against usocket-micropython:
// tests/extmod/{ssl,tls}_*.py through run-tests.py, and tests/multi_net/ ssl_*, sslcontext_*,
// tls_dtls_* and asyncio_tls_* through run-multitests.py with the bridge as both instances,
// inside a private network namespace. The tests come from MICROPYTHON_TESTS (default
// /work/shared/micropython-tests), copied to a writable folder. What does not pass is
// listed below with the reason (and in the README).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CLI } from "./support/micropython.js";

const SOURCE = process.env["MICROPYTHON_TESTS"] ?? "/work/shared/micropython-tests";
const available = existsSync(path.join(SOURCE, "tests", "run-tests.py"));

/** extmod tests the runner skips, with why. */
const EXTMOD_EXPECTED_SKIPS = {
  // The test looks for ssl.MBEDTLS_VERSION; the bridge runs over OpenSSL and has
  // ssl.OPENSSL_VERSION instead (PKCS#8 keys load: test/micropython-tls.test.js).
  "extmod/ssl_keycert_pkcs8.py": "runs only where ssl.MBEDTLS_VERSION exists",
  // run-tests.py skips it on every build without the unix port's coverage features (it
  // calls SSLSocket.ioctl, which only that build exposes); the bridge's SSLSocket has
  // ioctl, so the test is run directly below and compared with its expected output.
  "extmod/ssl_poll.py": "run-tests.py skips it unless the target is the unix coverage build",
  // run-tests.py's webassembly list: the WebAssembly port has no _thread.
  "extmod/tls_threads.py": "the WebAssembly port has no threads",
};

/** multi_net tests that cannot pass with the bridge as both instances, with why. */
const MULTI_EXPECTED_FAILS = {
  // Its expired_cert.der was not issued for ec_key.der (the certificate's public key is not
  // the key's): mbedTLS loads such a pair, OpenSSL refuses it in load_cert_chain, so the
  // server fails before the handshake whose expiry error the test expects.
  "multi_net/sslcontext_verify_time_error.py": "expired_cert.der and ec_key.der do not match, which OpenSSL refuses",
};

function copyTests() {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-mptls-"));
  cpSync(SOURCE, dir, { recursive: true });
  return dir;
}

/** Results of a runner's output: "test" → pass/fail/skip. */
function results(output) {
  const found = new Map();
  for (const line of output.split("\n")) {
    let m = /^(pass|FAIL|skip) +(\S+)/.exec(line);
    if (m !== null) found.set(m[2], m[1].toLowerCase());
    m = /^(\S+) on \S+: (pass|FAIL|skip)/.exec(line);
    if (m !== null) found.set(m[1], m[2].toLowerCase());
  }
  return found;
}

function run(command, args, cwd, env = {}) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 580_000 });
  if (r.error) throw r.error;
  return `${r.stdout}${r.stderr}`;
}

function unshareWorks() {
  if (process.getuid?.() !== 0) return false;
  return spawnSync("unshare", ["-n", "sh", "-c", "ip link set lo up"], { encoding: "utf8" }).status === 0;
}

const listed = (dir, pattern) => readdirSync(dir).filter((f) => pattern.test(f)).sort();

test("extmod/{ssl,tls}_*.py through run-tests.py -t webassembly: every test passes but the listed skips", { skip: available ? false : `MicroPython's tests not found at ${SOURCE} (set MICROPYTHON_TESTS)`, timeout: 600_000 }, () => {
  const dir = copyTests();
  try {
    const tests = path.join(dir, "tests");
    const files = listed(path.join(tests, "extmod"), /^(ssl|tls)_.*\.py$/).map((f) => `extmod/${f}`);
    assert.equal(files.length, 15);
    const out = run("python3", ["run-tests.py", "-t", "webassembly", "-j", "2", ...files], tests, { MICROPY_MICROPYTHON_MJS: CLI });
    const found = results(out);
    for (const f of files) {
      const expected = f in EXTMOD_EXPECTED_SKIPS ? "skip" : "pass";
      assert.equal(found.get(f), expected, `${f}: ${found.get(f) ?? "not run"} (expected ${expected})\n${out}`);
    }
    // ssl_poll.py directly: its expected output (none) and a clean exit.
    const r = spawnSync(process.execPath, [CLI, "ssl_poll.py"], { cwd: path.join(tests, "extmod"), encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(path.join(tests, "extmod", "ssl_poll.py.exp"), "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const multiSkip = !available
  ? `MicroPython's tests not found at ${SOURCE} (set MICROPYTHON_TESTS)`
  : !unshareWorks()
    ? "needs root and unshare -n: the multi_net tests bind 0.0.0.0:8000 and ask the routing table for an address, so they run only in a private network namespace"
    : false;

test("multi_net TLS and DTLS tests (ssl_*, sslcontext_*, tls_dtls_*, asyncio_tls_*) through run-multitests.py, the bridge on both sides", { skip: multiSkip, timeout: 600_000 }, () => {
  const dir = copyTests();
  try {
    const tests = path.join(dir, "tests");
    const files = listed(path.join(tests, "multi_net"), /^(ssl_|sslcontext_|tls_dtls_|asyncio_tls_).*\.py$/).map((f) => `multi_net/${f}`);
    assert.equal(files.length, 25);
    const runMulti = (list) => {
      const quoted = ["-t", `exec:${CLI}`, "-t", `exec:${CLI}`, ...list].map((a) => `'${a}'`).join(" ");
      return run("unshare", ["-n", "sh", "-c", `ip link set lo up && exec python3 run-multitests.py ${quoted}`], tests);
    };
    let out = runMulti(files);
    const found = results(out);
    // How far a non-blocking handshake gets inside one write depends on when the peer's
    // flight arrives: on a loaded machine a client can meet the server's alert in its first
    // write instead of in drain(), and print one line less (as a busy board would). Such a
    // test gets one more try, alone.
    const again = files.filter((f) => found.get(f) === "fail" && !(f in MULTI_EXPECTED_FAILS));
    if (again.length > 0) {
      const second = runMulti(again);
      for (const [name, verdict] of results(second)) found.set(name, verdict);
      out += `\n--- failures run again ---\n${second}`;
    }
    for (const f of files) {
      const expected = f in MULTI_EXPECTED_FAILS ? "fail" : "pass";
      assert.equal(found.get(f), expected, `${f}: ${found.get(f) ?? "not run"} (expected ${expected})\n${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
