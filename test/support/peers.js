// Shared test support: peers in other processes (a blocking call freezes this one's event
// loop: a scripted sender, any peer that connects back), in-process connected pairs,
// descriptor counts and timing.
import { spawn } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
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

/** This process's open descriptors, each as "number -> what it names" (pipe:[inode],
 * socket:[inode], a path...): inodes are not reused while open, so an entry that was not
 * there before is a descriptor opened since, even where the number was reused. */
export function openDescriptors() {
  const open = new Set();
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      open.add(`${name} -> ${readlinkSync(`/proc/self/fd/${name}`)}`);
    } catch {
      // closed between the listing and the readlink (the listing's own descriptor, too)
    }
  }
  return open;
}

/** The descriptors open now that were not in `before` (an openDescriptors() set): what
 * was opened meanwhile and is still open. Descriptors closed meanwhile by other parts of
 * the process (an earlier test's forgotten socket collected, a Worker's loop going) do not
 * count, in either direction. */
export function openedSince(before) {
  return [...openDescriptors()].filter((entry) => !before.has(entry));
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

/**
 * A peer process that connects to 127.0.0.1:port and follows `plan`, a list of steps:
 * { wait: ms }, { send: "text", repeat?: n } (UTF-8, `repeat` times) or { end: true }
 * (half-close). It prints "ready"
 * once connected and exits by itself when the plan is done and the other side closed,
 * when the connection fails, or after `lingerMs` in any case.
 */
const SENDER = `
import net from "node:net";
const port = Number(process.argv[1]);
const plan = JSON.parse(process.argv[2]);
const lingerMs = Number(process.argv[3]);
setTimeout(() => process.exit(0), lingerMs).unref();
const conn = net.connect(port, "127.0.0.1", async () => {
  console.log("ready");
  for (const step of plan) {
    if (conn.destroyed) break;
    if (step.wait) await new Promise((r) => setTimeout(r, step.wait));
    else if (step.send !== undefined) conn.write(step.send.repeat(step.repeat ?? 1));
    else if (step.end) conn.end();
  }
});
conn.on("data", () => {});
conn.on("error", () => process.exit(0));
conn.on("close", () => process.exit(0));
`;

/**
 * Starts a SENDER peer and accepts its connection. Returns { conn, done }: `conn` is this
 * side (blocking, no timeout); `done` resolves to { code, stdout, stderr } when the peer
 * has exited.
 */
export async function scriptedPeer(plan, { lingerMs = 8000 } = {}) {
  return acceptPeer(SENDER, [JSON.stringify(plan), String(lingerMs)]);
}

/**
 * Starts a Node peer `script` that connects to a fresh loopback listener (its port is the
 * first argument, `args` follow) and prints a line once connected; accepts that connection.
 * Returns { conn, done } as scriptedPeer does.
 */
export async function acceptPeer(script, args) {
  const [srv, [, port]] = listener();
  const peer = startPeer("node", script, { args: [String(port), ...args] });
  try {
    await peer.ready;
    srv.settimeout(5);
    const [conn] = srv.accept();
    return { conn, done: peer.done };
  } finally {
    srv.close();
  }
}

/** `count` steps sending `text` with `everyMs` between them (the first one after everyMs). */
export function trickle(text, count, everyMs) {
  const plan = [];
  for (let i = 0; i < count; i++) plan.push({ wait: everyMs }, { send: text });
  return plan;
}
