// A single-threaded echo server built only from non-blocking sockets and one Poll serves
// 400 concurrent loopback clients (examples/poll-echo/client.js in a child process, which
// checks each echo against a SHA-256 of what it sent). The run time is reported, not judged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import { poll, POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL } from "../dist/select.js";
import { ROOT } from "./support/peers.js";

const CLIENT = path.join(ROOT, "examples", "poll-echo", "client.js");
const SERVER = path.join(ROOT, "examples", "poll-echo", "server.js");

/** Runs a node program; resolves to { code, stdout, stderr }; killed after limitMs. */
function run(file, args, limitMs = 25000) {
  const child = spawn(process.execPath, [file, ...args.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const done = once(child, "exit").then(([code]) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
  return { child, done };
}

/**
 * The server: accepts, reads, echoes, closes after the client's EOF, all from one
 * Poll. Returns when `expected` connections have finished or at `deadline`.
 */
function serveEcho(listener, expected, deadline) {
  const poller = poll();
  poller.register(listener, POLLIN);
  const states = new Map();
  const stats = { finished: 0, failed: 0, echoed: 0, polls: 0, maxOpen: 0 };
  const close = (conn, failed) => {
    poller.unregister(conn);
    states.delete(conn);
    conn.close();
    stats.finished++;
    if (failed) stats.failed++;
  };
  while (stats.finished < expected && performance.now() < deadline) {
    stats.polls++;
    for (const [obj, revents] of poller.poll(Math.max(1, Math.min(500, deadline - performance.now())))) {
      if (obj === listener) {
        for (let i = 0; i < 1000; i++) {
          let conn;
          try {
            [conn] = listener.accept();
          } catch (error) {
            if (error.code === "EAGAIN") break;
            throw error;
          }
          conn.setblocking(false);
          states.set(conn, { out: [], eof: false });
          poller.register(conn, POLLIN);
        }
        stats.maxOpen = Math.max(stats.maxOpen, states.size);
        continue;
      }
      const conn = obj;
      const state = states.get(conn);
      if (revents & POLLNVAL) throw new Error("a closed socket stayed registered");
      try {
        if (revents & (POLLIN | POLLHUP | POLLERR)) {
          for (let i = 0; i < 16; i++) {
            let data;
            try {
              data = conn.recv(65536);
            } catch (error) {
              if (error.code === "EAGAIN") break;
              throw error;
            }
            if (data.length === 0) {
              state.eof = true;
              break;
            }
            state.out.push(data);
          }
        }
        while (state.out.length > 0) {
          let sent;
          try {
            sent = conn.send(state.out[0]);
          } catch (error) {
            if (error.code === "EAGAIN") break;
            throw error;
          }
          stats.echoed += sent;
          if (sent < state.out[0].length) {
            state.out[0] = state.out[0].subarray(sent);
            break;
          }
          state.out.shift();
        }
      } catch {
        close(conn, true);
        continue;
      }
      if (state.eof && state.out.length === 0) close(conn, false);
      else poller.modify(conn, (state.eof ? 0 : POLLIN) | (state.out.length > 0 ? POLLOUT : 0));
    }
  }
  for (const conn of [...states.keys()]) close(conn, true);
  return stats;
}

test("one Poll serves 400 concurrent loopback clients, echoing every byte", async (t) => {
  const CLIENTS = 400;
  const BYTES = 16384;
  const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  srv.bind(["127.0.0.1", 0]);
  srv.listen(1024);
  srv.setblocking(false);
  const port = srv.getsockname()[1];
  const client = run(CLIENT, [port, CLIENTS, BYTES, 20, "--quiet"]);
  const start = performance.now();
  // Synchronous from here: this thread is the server until every client is done (≤ 20 s).
  const stats = serveEcho(srv, CLIENTS, start + 20000);
  const serverMs = performance.now() - start;
  srv.close();
  const { code, stdout, stderr } = await client.done;
  const summary = JSON.parse(stdout.trim().split("\n").at(-1));
  const line =
    `400 clients × ${BYTES} bytes: server done in ${serverMs.toFixed(0)} ms ` +
    `(${stats.polls} polls, up to ${stats.maxOpen} connections open); clients done in ${summary.ms} ms`;
  t.diagnostic(line);
  console.log(line);
  assert.equal(code, 0, stderr);
  assert.deepEqual(summary, { clients: CLIENTS, ok: CLIENTS, failed: 0, bytes: CLIENTS * BYTES, ms: summary.ms });
  assert.equal(stats.finished, CLIENTS);
  assert.equal(stats.failed, 0);
  assert.equal(stats.echoed, CLIENTS * BYTES);
});

test("the examples: poll-echo-server and poll-echo-client talk to each other", async () => {
  const server = run(SERVER, [20, 20]);
  const port = await new Promise((resolve, reject) => {
    let seen = "";
    server.child.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+)\n/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    server.child.once("exit", () => reject(new Error("server exited early")));
  });
  const client = await run(CLIENT, [port, 20, 100000, 20]).done;
  const result = await server.done;
  assert.equal(client.code, 0, client.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(client.stdout.trim().split("\n").at(-1)).failed, 0);
  assert.match(client.stdout, /client: 20 of 20 echoed intact \(2000000 bytes\)/);
  assert.match(result.stdout, /server: 20 connection\(s\) served, 2000000 bytes echoed/);
});
