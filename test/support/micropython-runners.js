// Driving MicroPython's own test runners (run-tests.py, run-multitests.py) against
// usocket-micropython. The tests come from MICROPYTHON_TESTS (default: shared/micropython-tests
// beside this checkout, as CI lays it out), read-only there: each run works in a writable copy.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SOURCE = process.env["MICROPYTHON_TESTS"] ?? path.join(ROOT, "..", "shared", "micropython-tests");
export const available = existsSync(path.join(SOURCE, "tests", "run-tests.py"));
export const NOT_AVAILABLE = `MicroPython's tests not found at ${SOURCE} (set MICROPYTHON_TESTS)`;

/** A writable copy of the tests (the runners write results next to them). */
export function copyTests() {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-mptests-"));
  cpSync(SOURCE, dir, { recursive: true });
  return dir;
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
export function unshareWorks() {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync("unshare", ["-n", "sh", "-c", "ip link set lo up"], { encoding: "utf8" });
  return r.status === 0;
}

export const NO_NAMESPACE =
  "needs root and unshare -n: the multi_net tests bind 0.0.0.0:8000 and ask the routing table for an address, so they run only in a private network namespace";

/** `script` (a shell command line) in a private network namespace with loopback up. */
export function inNamespace(script, cwd, env = {}) {
  return run("unshare", ["-n", "sh", "-c", `ip link set lo up && ${script}`], cwd, env);
}

/** Shell quoting for the arguments of a runner's command line. */
export function quote(args) {
  return args.map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(" ");
}
