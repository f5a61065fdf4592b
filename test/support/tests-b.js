// Helpers of the IPv6, AF_UNIX, UDP, error, resource and CPython-conformance suites.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as socket from "../../dist/index.js";
import { DIST } from "./peers.js";

/** Whether this machine can bind a socket to the IPv6 loopback address. */
export function hasIPv6Loopback() {
  let s = null;
  try {
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    s.bind(["::1", 0]);
    return true;
  } catch {
    return false;
  } finally {
    s?.close();
  }
}

/** The kernel's index of a network interface, or null when it is not there (Linux sysfs). */
export function interfaceIndex(name) {
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim());
  } catch {
    return null;
  }
}

/** A fresh temporary directory and a function that removes it with everything inside. */
export function tempDir(prefix = "usocket-test-") {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

/** The descriptor numbers open in process `pid` ("self" for this one). */
export function openDescriptors(pid = "self") {
  return readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
}

/** The descriptor numbers of this process that are sockets. */
export function openSockets() {
  const result = [];
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`).startsWith("socket:")) result.push(Number(name));
    } catch {
      // the directory's own descriptor is gone by the time it is read
    }
  }
  return result.sort((a, b) => a - b);
}

/**
 * Runs python3 with `code`, feeding `input` (a JSON value) on stdin; returns the JSON value
 * the program prints. Synchronous: use it only when no peer in this process needs serving.
 */
export function python(code, input = null, timeoutMs = 20000) {
  const run = spawnSync("python3", ["-c", code], {
    input: JSON.stringify(input),
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Whether python3 runs here. */
export function hasPython() {
  const run = spawnSync("python3", ["-c", "import socket, json, zlib"], { timeout: 10000 });
  return run.status === 0;
}

/**
 * Runs a node ES module in a child (`code` as text, `usocket-node` importable from
 * process.env.USOCKET) with extra node options; resolves to { code, stdout, stderr }.
 * Killed after `limitMs`.
 */
export async function runNode(code, { execArgv = [], limitMs = 20000 } = {}) {
  const child = spawn(process.execPath, [...execArgv, "--input-type=module", "-e", code], {
    env: { ...process.env, USOCKET: path.join(DIST, "index.js") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const [status, signal] = await once(child, "exit");
  clearTimeout(timer);
  return { code: status, signal, stdout, stderr };
}

/** Awaits `n` turns of the event loop (lets deferred finalizers run). */
export async function ticks(n) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A simple checksum both sides can compute: FNV-1a over the bytes, as an unsigned 32-bit. */
export function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be reproduced. */
export function patternBytes(n, seed = 1) {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
