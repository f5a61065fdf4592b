// Shared test support: peers in other processes (blocking calls freeze this one's event
// loop), in-process connected pairs, descriptor counts and timing.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import * as socket from "../../dist/index.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DIST = path.join(ROOT, "dist");

/** Open descriptors of this process. */
export function fdCount() {
  return readdirSync("/proc/self/fd").length;
}

/** Runs fn and returns [value or thrown error, seconds elapsed]. */
export function timed(fn) {
  const start = performance.now();
  let outcome;
  try {
    outcome = fn();
  } catch (error) {
    outcome = error;
  }
  return [outcome, (performance.now() - start) / 1000];
}

/**
 * Starts a peer process: `kind` "node" (an ES module; `usocket-node` is importable as
 * process.env.USOCKET) or "python" (python3 -c). The peer prints one line first (for
 * example its port); `ready` resolves to that line. `done` resolves to
 * { code, stdout, stderr } when it exits; every peer is killed after `limitMs`.
 */
export function startPeer(kind, code, { args = [], limitMs = 20000 } = {}) {
  const command = kind === "python" ? "python3" : process.execPath;
  const argv = kind === "python" ? ["-c", code, ...args] : ["--input-type=module", "-e", code, ...args];
  const child = spawn(command, argv, {
    env: { ...process.env, USOCKET: path.join(DIST, "index.js"), USOCKET_DIST: DIST },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const ready = new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline >= 0) resolve(stdout.slice(0, newline));
    });
    child.on("exit", (code) => reject(new Error(`peer exited (${code}) before it was ready: ${stderr}`)));
  });
  ready.catch(() => {});
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const done = once(child, "exit").then(([code]) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
  return { child, ready, done };
}

/** A listening TCP socket on loopback (IPv4 unless family says otherwise) and its address. */
export function listener(family = socket.AF_INET) {
  const srv = socket.socket(family, socket.SOCK_STREAM);
  srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  srv.bind([family === socket.AF_INET6 ? "::1" : "127.0.0.1", 0]);
  srv.listen();
  return [srv, srv.getsockname()];
}

/**
 * A connected TCP pair in this process: [client, server side]. A blocking connect to a
 * listening loopback socket completes from the backlog, so nothing waits on a peer.
 */
export function tcpPair(family = socket.AF_INET) {
  const [srv, addr] = listener(family);
  const client = socket.socket(family, socket.SOCK_STREAM);
  client.connect(addr);
  const [server] = srv.accept();
  srv.close();
  return [client, server];
}
