// Driving MicroPython's own test runners (run-tests.py, run-multitests.py) against
// usocket-micropython. The tests come from MICROPYTHON_TESTS (default: shared/micropython-tests
// beside this checkout, as CI lays it out), read-only there: each run works in a writable copy.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI } from "./micropython.js";
import { EXTMOD_EXPECTED_SKIPS, MULTI_EXPECTED_FAILS } from "./micropython-expected.js";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SOURCE = process.env["MICROPYTHON_TESTS"] ?? path.join(ROOT, "..", "shared", "micropython-tests");
const available = existsSync(path.join(SOURCE, "tests", "run-tests.py"));
const NOT_AVAILABLE = `MicroPython's tests not found at ${SOURCE} (set MICROPYTHON_TESTS)`;

/** A writable copy of the tests (the runners write results next to them). */
function copyTests() {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-mptests-"));
  cpSync(SOURCE, dir, { recursive: true });
  return dir;
}

/** fn(tests), `tests` the tests folder of a fresh writable copy, which is removed afterwards. */
export function inCopy(fn) {
  const dir = copyTests();
  try {
    return fn(path.join(dir, "tests"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tests of tests/<folder> whose file names match `pattern`, named as the runners name them. */
export function listTests(tests, folder, pattern) {
  return readdirSync(path.join(tests, folder))
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => `${folder}/${f}`);
}

/** Every file of a run-tests.py run passed, but those EXTMOD_EXPECTED_SKIPS lists as skipped
 * (`out`: the runner's output, a later run's verdicts after an earlier one's). */
export function assertExtmod(files, out) {
  const found = results(out);
  for (const f of files) {
    const expected = f in EXTMOD_EXPECTED_SKIPS ? "skip" : "pass";
    assert.equal(found.get(f), expected, `${f}: ${found.get(f) ?? "not run"} (expected ${expected})\n${out}`);
  }
}

/**
 * run-multitests.py over `files` in a private network namespace, with `instances` (its `-t`
 * arguments: `exec:` the bridge's command, or "cpython") in both orders when `bothOrders`:
 * every test passes in every order but those MULTI_EXPECTED_FAILS lists. With `retry`, a
 * test whose verdict is not the expected one gets one more run, alone: a loaded machine can
 * upset the UDP tests' 250 ms timeouts, or make an instance miss one of the runner's
 * deadlines (as it would the unix port).
 */
export function assertMultitests(tests, files, instances, { bothOrders = false, retry = true } = {}) {
  const bridge = path.basename(CLI);
  const runner = (names) =>
    inNamespace(
      `exec python3 run-multitests.py ${quote([...instances, "-p", bothOrders ? "2" : "1", ...names])}`,
      tests,
    );
  // the runner names an instance by its command's file name
  const [first, second] = [instances[1], instances[3]].map((t) =>
    t === "cpython" ? "python3" : path.basename(t.replace(/^exec:/, "")),
  );
  const orders = bothOrders ? [`${first}|${second}`, `${second}|${first}`] : [`${first}|${second}`];
  let out = runner(files);
  const found = results(out);
  const verdicts = () =>
    files.flatMap((f) =>
      orders.map((order) => {
        const key = `${f} on ${order}`;
        const listed = `${f} on ${order
          .split("|")
          .map((i) => (i === bridge ? "usocket-micropython" : i))
          .join("|")}`;
        return { f, key, expected: listed in MULTI_EXPECTED_FAILS ? "fail" : "pass", got: found.get(key) };
      }),
    );
  const again = [
    ...new Set(
      verdicts()
        .filter((v) => v.got !== v.expected)
        .map((v) => v.f),
    ),
  ];
  if (retry && again.length > 0) {
    const more = runner(again);
    for (const [name, verdict] of results(more)) found.set(name, verdict);
    out += `\n--- run again ---\n${more}`;
  }
  for (const { key, expected, got } of verdicts()) {
    assert.equal(got, expected, `${key}: ${got ?? "not run"} (expected ${expected})\n${out}`);
  }
}

/** Results of a runner's output: a map from "test[ on pairing]" to pass/fail/skip. */
export function results(output) {
  const found = new Map();
  for (const line of output.split("\n")) {
    let m = /^(pass|FAIL|skip) +(\S+)/.exec(line);
    if (m !== null) found.set(m[2], m[1].toLowerCase());
    m = /^(\S+) on (\S+): (pass|FAIL|skip)/.exec(line);
    if (m !== null) found.set(`${m[1]} on ${m[2]}`, m[3].toLowerCase());
  }
  return found;
}

/** Runs command in the copied tests folder; its output (stdout then stderr). */
export function run(command, args, cwd, env = {}) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 580_000 });
  if (r.error) throw r.error;
  return `${r.stdout}${r.stderr}`;
}

/** Whether this process may make a private network namespace (root, and unshare allowed). */
function unshareWorks() {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync("unshare", ["-n", "sh", "-c", "ip link set lo up"], { encoding: "utf8" });
  return r.status === 0;
}

export const NO_NAMESPACE =
  "needs root and unshare -n: the multi_net tests bind 0.0.0.0:8000 and ask the routing table for an address, so they run only in a private network namespace";

/** Why a run-tests.py test is skipped here, or false. */
export const EXTMOD_SKIP = available ? false : NOT_AVAILABLE;
/** Why a run-multitests.py test is skipped here (it also needs a private network namespace), or false. */
export const MULTI_SKIP = EXTMOD_SKIP || (unshareWorks() ? false : NO_NAMESPACE);

/** `script` (a shell command line) in a private network namespace with loopback up. */
export function inNamespace(script, cwd, env = {}) {
  return run("unshare", ["-n", "sh", "-c", `ip link set lo up && ${script}`], cwd, env);
}

/** Shell quoting for the arguments of a runner's command line. */
export function quote(args) {
  return args.map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(" ");
}
