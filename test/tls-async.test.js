// usocket-node/ssl's Promise twins: the event loop keeps running during a handshake and
// transfers, abort and timeouts keep the socket usable, both ends in one process and in a
// Worker; PSK and verify_callback against Node's own tls where CPython has no PSK.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as nodeTls from "node:tls";
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { readFileSync } from "node:fs";
import * as socket from "../dist/index.js";
import * as ssl from "../dist/ssl.js";
import * as select from "../dist/select.js";
import { haveOpenssl, makeCertificates, pythonPeer } from "./support/tls.js";
import { listener } from "./support/peers.js";

const skip = haveOpenssl() ? false : "the openssl command is not installed";
let certs;
before(() => {
  if (!skip) certs = makeCertificates();
});
after(() => certs?.cleanup());

function clientContext() {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(certs.ca);
  return ctx;
}

async function connected(port) {
  const s = socket.socket();
  await s.connectAsync(["127.0.0.1", port]);
  return s;
}

/** A TLS pair in this process, both ends driven by Promise twins: [client, server]. */
async function asyncPair() {
  const [srv, addr] = listener();
  const c = socket.socket();
  const accepting = srv.acceptAsync();
  await c.connectAsync(addr);
  const [conn] = await accepting;
  srv.close();
  const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  server.load_cert_chain(certs.server.cert, certs.server.key);
  const [a, b] = await Promise.all([
    clientContext().wrap_socketAsync(c, { server_hostname: "localhost" }),
    server.wrap_socketAsync(conn, { server_side: true }),
  ]);
  return [a, b];
}

describe("Promise twins", { skip, timeout: 600000 }, () => {
  test("the event loop keeps ticking during a slow handshake and every twin works", async () => {
    const peer = pythonPeer({
      role: "server",
      cert: certs.server.cert,
      key: certs.server.key,
      delay: 0.6,
      action: "silent",
    });
    const s = await connected(Number(await peer.ready));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const t = await clientContext().wrap_socketAsync(s, { server_hostname: "localhost" });
    clearInterval(timer);
    assert.ok(ticks >= 10, `only ${ticks} ticks during the handshake`);
    assert.equal(t.version(), "TLSv1.3");
    assert.equal(await t.sendAsync("!"), 1);
    assert.equal(String(await t.readlineAsync()), "late\n");
    await t.sendallAsync("!");
    t.close();
    await peer.done;
  });

  test("both ends in one process: 2 MiB each way through read/write/recv_into/readinto twins", async () => {
    const [a, b] = await asyncPair();
    const size = 2 * 1024 * 1024 + 77;
    const data = randomBytes(size);
    const sending = (async () => {
      let at = 0;
      for (let i = 1; at < size; i++) {
        const n = Math.min(size - at, ((i * 3571) % 90001) + 1);
        assert.equal(await a.writeAsync(data.subarray(at, at + n)), n);
        at += n;
      }
    })();
    const got = await b.readAsync(size);
    await sending;
    assert.equal(createHash("sha256").update(got).digest("hex"), createHash("sha256").update(data).digest("hex"));
    const back = (async () => b.sendallAsync(data))();
    const buf = Buffer.alloc(size);
    let have = 0;
    while (have < size) {
      const n =
        have % 2 === 0
          ? await a.recv_intoAsync(buf.subarray(have))
          : await a.readintoAsync(buf.subarray(have, Math.min(size, have + 100000)));
      assert.ok(n > 0);
      have += n;
    }
    await back;
    assert.ok(buf.equals(data));
    a.close();
    assert.equal((await b.recvAsync(10)).length, 0); // close_notify
    b.close();
  });

  test("abort rejects with the signal's reason and the socket stays usable; a timeout is ETIMEDOUT", async () => {
    const [a, b] = await asyncPair();
    const controller = new AbortController();
    const pending = a.readAsync(4, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await assert.rejects(pending, /stop/);
    const already = AbortSignal.abort(new Error("before"));
    await assert.rejects(a.recvAsync(1, { signal: already }), /before/);
    a.settimeout(0.2);
    await assert.rejects(a.readAsync(4), (e) => e instanceof socket.OSError && e.code === "ETIMEDOUT");
    a.settimeout(null);
    await b.writeAsync("data");
    assert.equal(String(await a.readAsync(4)), "data");
    a.close();
    b.close();
  });

  test("close() while a twin waits rejects it with EBADF", async () => {
    const [a, b] = await asyncPair();
    const pending = a.readAsync(1);
    a.close();
    await assert.rejects(pending, (e) => e instanceof socket.OSError);
    b.close();
  });

  test("Poll.pollAsync reports decrypted bytes waiting in the TLS layer at once", async () => {
    const [a, b] = await asyncPair();
    await b.writeAsync("x".repeat(50));
    assert.equal(String(await a.readAsync(10)), "x".repeat(10));
    const p = select.poll();
    p.register(a, select.POLLIN);
    const ready = await p.pollAsync(5000);
    assert.equal(ready.length, 1);
    assert.equal(ready[0][0], a);
    assert.ok(ready[0][1] & select.POLLIN);
    assert.equal(String(await a.readAsync(40)), "x".repeat(40));
    assert.deepEqual(await p.pollAsync(50), []);
    a.close();
    b.close();
  });

  test("a TLS pair runs in a Worker, and the Worker ends cleanly", async () => {
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      (async () => {
        const socket = await import(workerData.dist + "/index.js");
        const ssl = await import(workerData.dist + "/ssl.js");
        const srv = socket.socket();
        srv.bind(["127.0.0.1", 0]); srv.listen();
        const c = socket.socket();
        const acc = srv.acceptAsync();
        await c.connectAsync(srv.getsockname());
        const [conn] = await acc; srv.close();
        const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
        sctx.load_cert_chain(workerData.cert, workerData.key);
        const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
        cctx.load_verify_locations(workerData.ca);
        const [a, b] = await Promise.all([cctx.wrap_socketAsync(c, { server_hostname: "localhost" }),
          sctx.wrap_socketAsync(conn, { server_side: true })]);
        await a.sendallAsync("from worker\\n");
        parentPort.postMessage(String(await b.readlineAsync()));
        a.close(); b.close();
      })().catch((e) => parentPort.postMessage("error: " + e.message));
    `;
    const w = new Worker(code, {
      eval: true,
      workerData: {
        dist: new URL("../dist", import.meta.url).pathname,
        cert: certs.server.cert,
        key: certs.server.key,
        ca: certs.ca,
      },
    });
    // Messages are collected from the start and the exit awaited alone: a Worker that ends
    // before this thread has taken its message has the message and "exit" emitted in one
    // synchronous stretch, so an "exit" listener added after awaiting the message would
    // never hear it. A Worker whose loop ended with the handshake still pending exits
    // without the message and fails here instead of hanging.
    const messages = [];
    w.on("message", (m) => messages.push(m));
    const [exitCode] = await once(w, "exit");
    assert.deepEqual(messages, ["from worker\n"]);
    assert.equal(exitCode, 0);
  });
});

describe("PSK and verify_callback against Node's tls", { skip, timeout: 600000 }, () => {
  const identity = "usocket-client";
  const key = Buffer.from("c0ffee00112233445566778899aabbcc", "hex");

  test("a PSK client talks to a Node tls PSK server", async () => {
    const server = nodeTls.createServer(
      {
        ciphers: "PSK",
        maxVersion: "TLSv1.2",
        pskCallback: (_socket, id) => (id === identity ? key : null),
      },
      (peer) => peer.end("psk ok"),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const s = await connected(server.address().port);
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      ctx.verify_mode = ssl.CERT_NONE;
      ctx.psk_identity = identity;
      ctx.psk_key = key;
      const t = await ctx.wrap_socketAsync(s);
      assert.match(t.cipher()[0], /PSK/);
      assert.equal(String(await t.readAsync(6)), "psk ok");
      t.close();
    } finally {
      server.close();
    }
  });

  test("a PSK server looks keys up with server_psk_keys.get; an unknown identity fails", async () => {
    const [srv, [, port]] = listener();
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    const asked = [];
    ctx.server_psk_keys = {
      get: (id) => {
        asked.push(id);
        return id === identity ? key : null;
      },
    };
    const run = async (id) => {
      const accepted = srv.acceptAsync();
      const client = nodeTls.connect({
        host: "127.0.0.1",
        port,
        ciphers: "PSK",
        maxVersion: "TLSv1.2",
        checkServerIdentity: () => undefined,
        pskCallback: () => ({ identity: id, psk: key }),
      });
      client.on("error", () => {});
      const [conn] = await accepted;
      try {
        const t = await ctx.wrap_socketAsync(conn, { server_side: true });
        await t.writeAsync("hi");
        t.close();
        const [chunk] = await once(client, "data");
        client.destroy();
        return String(chunk);
      } catch (error) {
        conn.close();
        client.destroy();
        return error;
      }
    };
    assert.equal(await run(identity), "hi");
    const failed = await run("stranger");
    assert.ok(failed instanceof ssl.SSLError, String(failed));
    srv.close();
    assert.deepEqual(asked, [identity, "stranger"]);
  });

  test("verify_callback sees each certificate top first; a non-zero return fails the handshake", async () => {
    const server = nodeTls.createServer(
      { cert: readFileSync(certs.server.cert), key: readFileSync(certs.server.key) },
      (peer) => peer.end("verified"),
    );
    server.on("tlsClientError", () => {});
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const seen = [];
      const ctx = clientContext();
      ctx.verify_callback = (der, depth) => {
        seen.push([depth, der[0]]);
        return 0;
      };
      const t = await ctx.wrap_socketAsync(await connected(server.address().port), { server_hostname: "localhost" });
      assert.equal(String(await t.readAsync(8)), "verified");
      t.close();
      assert.deepEqual(seen, [
        [1, 0x30],
        [0, 0x30],
      ]);
      ctx.verify_callback = (_der, depth) => (depth === 0 ? 1 : 0);
      const refused = await connected(server.address().port);
      await assert.rejects(
        ctx.wrap_socketAsync(refused, { server_hostname: "localhost" }),
        (e) => e instanceof ssl.SSLCertVerificationError && e.verify_message === "application verification failure",
      );
      refused.close(); // a failed wrap leaves the plain socket to its owner
      ctx.verify_callback = () => {
        throw new Error("callback threw");
      };
      const thrown = await connected(server.address().port);
      await assert.rejects(ctx.wrap_socketAsync(thrown, { server_hostname: "localhost" }), /callback threw/);
      thrown.close();
    } finally {
      server.close();
    }
  });
});
