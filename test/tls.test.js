// usocket-node/ssl against CPython's ssl on loopback: verification outcomes, both sides,
// client certificates, ciphers, the end of a session, timeouts and non-blocking reads,
// bulk transfer, and select seeing decrypted bytes.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPrivateKey, randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import * as select from "../dist/select.js";
import * as ssl from "../dist/ssl.js";
import { createSecureContext } from "node:tls";
import { haveOpenssl, makeCertificates, makeRsa1024, pythonPeer } from "./support/tls.js";
import { fdCount, listener, startPeer } from "./support/peers.js";

const skip = haveOpenssl() ? false : "the openssl command is not installed";
const hasScript = () => spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;
let certs;
before(() => {
  if (!skip) certs = makeCertificates();
});
after(() => certs?.cleanup());

/** Connects a plain socket to a CPython server peer started with cfg. */
async function toPython(cfg) {
  const peer = pythonPeer({ role: "server", ...cfg });
  const port = Number(await peer.ready);
  const s = socket.socket();
  s.connect(["127.0.0.1", port]);
  return [s, peer];
}

function clientContext() {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.load_verify_locations(certs.ca);
  return ctx;
}

describe("client verification against a CPython server", { skip, timeout: 600000 }, () => {
  test("a verified client reads, writes, and reports the session", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, unwrap: true });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    assert.equal(t.version(), "TLSv1.3");
    const [name, proto, bits] = t.cipher();
    assert.match(name, /^TLS_/);
    assert.equal(proto, "TLSv1.3");
    assert.ok(bits >= 128);
    assert.equal(t.server_hostname, "localhost");
    const cert = t.getpeercert();
    assert.deepEqual(cert.subject[0], [["commonName", "localhost"]]);
    assert.deepEqual(cert.subjectAltName, [
      ["DNS", "localhost"],
      ["IP Address", "127.0.0.1"],
    ]);
    assert.equal(cert.version, 3);
    const der = t.getpeercert(true);
    assert.ok(Buffer.isBuffer(der) && der[0] === 0x30);
    assert.equal(t.write("hello"), 5);
    assert.equal(String(t.read(10)), "echo:hello");
    // The peer unwraps: its close_notify is a clean end of stream.
    assert.equal(t.read().length, 0);
    t.close();
    await peer.done;
  });

  test("an IP address as server_hostname is checked against the IP entries", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
    const t = clientContext().wrap_socket(s, { server_hostname: "127.0.0.1" });
    t.write("x");
    assert.equal(String(t.read(6)), "echo:x");
    t.close();
    await peer.done;
  });

  const failures = [
    ["a hostname mismatch", () => certs.wrongHost, "hostname mismatch", ssl.SSLCertVerificationError],
    ["an unknown CA", () => certs.stranger, "unable to get local issuer certificate", ssl.SSLCertVerificationError],
    ["an expired certificate", () => certs.expired, "certificate has expired", ssl.SSLCertVerificationError],
  ];
  for (const [what, pick, message, kind] of failures) {
    test(`${what} fails the handshake with SSLCertVerificationError`, async () => {
      const [s, peer] = await toPython({ cert: pick().cert, key: pick().key });
      assert.throws(
        () => clientContext().wrap_socket(s, { server_hostname: "localhost" }),
        (e) => {
          assert.ok(e instanceof kind && e instanceof ssl.SSLError && e instanceof socket.OSError);
          assert.equal(e.reason, "CERTIFICATE_VERIFY_FAILED");
          assert.equal(e.verify_message, message);
          assert.equal(typeof e.verify_code, "number");
          assert.equal(e.args[0], e.errno);
          return true;
        },
      );
      s.close();
      const { stdout } = await peer.done;
      assert.match(stdout, /handshake failed/);
    });
  }

  test("CERT_NONE accepts a certificate from an unknown CA, and getpeercert() is then {}", async () => {
    const [s, peer] = await toPython({ cert: certs.stranger.cert, key: certs.stranger.key });
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.verify_mode = ssl.CERT_NONE;
    const t = ctx.wrap_socket(s, { server_hostname: "elsewhere" });
    assert.deepEqual(t.getpeercert(), {});
    assert.ok(t.getpeercert(true).length > 100);
    t.write("y");
    assert.equal(String(t.read(6)), "echo:y");
    t.close();
    await peer.done;
  });

  test("DER data for load_verify_locations and load_cert_chain (MicroPython's extension)", async () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.load_verify_locations(certs.caDer);
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
    const t = ctx.wrap_socket(s, { server_hostname: "localhost" });
    t.write("d");
    assert.equal(String(t.read(6)), "echo:d");
    t.close();
    await peer.done;
    const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    server.load_cert_chain(certs.serverDer.cert, certs.serverDer.key);
  });

  test("load_default_certs reads SSL_CERT_FILE", async () => {
    const saved = process.env.SSL_CERT_FILE;
    process.env.SSL_CERT_FILE = certs.ca;
    try {
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      ctx.load_default_certs();
      const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
      const t = ctx.wrap_socket(s, { server_hostname: "localhost" });
      t.close();
      await peer.done;
    } finally {
      if (saved === undefined) delete process.env.SSL_CERT_FILE;
      else process.env.SSL_CERT_FILE = saved;
    }
  });
});

describe("server side and client certificates with CPython", { skip, timeout: 600000 }, () => {
  /** Accepts one CPython client (cfg) and wraps it with ctx: [SSLSocket or the error, peer]. */
  async function serve(ctx, cfg) {
    const [srv, [, port]] = listener();
    const peer = pythonPeer({ role: "client", port, ...cfg });
    await peer.ready;
    srv.settimeout(10);
    const [conn] = srv.accept();
    srv.close();
    conn.settimeout(10);
    try {
      return [ctx.wrap_socket(conn, { server_side: true }), peer];
    } catch (error) {
      conn.close();
      return [error, peer];
    }
  }

  function serverContext() {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(certs.server.cert, certs.server.key);
    return ctx;
  }

  test("a CPython client verifies this server and exchanges data", async () => {
    const [t, peer] = await serve(serverContext(), { ca: certs.ca, hostname: "localhost", action: "echo" });
    assert.ok(t instanceof ssl.SSLSocket, String(t));
    assert.equal(t.server_side, true);
    assert.equal(t.getpeercert(), null); // the client sent none
    t.sendall("ping");
    assert.equal(String(t.read(9)), "echo:ping");
    t.close();
    assert.equal((await peer.done).code, 0);
  });

  test("bytes a failed read kept back (the client's hello, sniffed with a timeout) start the handshake", async () => {
    const [srv, [, port]] = listener();
    const peer = pythonPeer({ role: "client", port, ca: certs.ca, hostname: "localhost", action: "echo" });
    await peer.ready;
    srv.settimeout(10);
    const [conn] = srv.accept();
    srv.close();
    // A protocol sniffer reads more than the hello holds: it times out and keeps the bytes back.
    conn.settimeout(1);
    assert.throws(
      () => conn.read(1 << 16),
      (e) => e instanceof socket.OSError && e.code === "ETIMEDOUT",
    );
    const sniffed = conn.recv(1, socket.MSG_PEEK);
    assert.equal(sniffed[0], 0x16); // a TLS handshake record
    conn.settimeout(10);
    const t = serverContext().wrap_socket(conn, { server_side: true });
    t.sendall("ping");
    assert.equal(String(t.read(9)), "echo:ping");
    t.close();
    assert.equal((await peer.done).code, 0);
  });

  test("a required client certificate is checked: given, it is read; missing, the handshake fails", async () => {
    const ctx = serverContext();
    ctx.verify_mode = ssl.CERT_REQUIRED;
    ctx.load_verify_locations(certs.ca);
    const [t, peer] = await serve(ctx, {
      ca: certs.ca,
      hostname: "localhost",
      cert: certs.client.cert,
      key: certs.client.key,
    });
    assert.ok(t instanceof ssl.SSLSocket, String(t));
    assert.deepEqual(t.getpeercert().subject[0], [["commonName", "test client"]]);
    t.sendall("x");
    assert.equal(String(t.read(6)), "echo:x");
    t.close();
    await peer.done;

    const [error, peer2] = await serve(ctx, { ca: certs.ca, hostname: "localhost" });
    assert.ok(error instanceof ssl.SSLError, String(error));
    assert.match(error.reason, /CERTIFICATE/);
    await peer2.done;
  });

  test("this client presents its certificate to a CPython server that requires one", async () => {
    const [s, peer] = await toPython({
      cert: certs.server.cert,
      key: certs.server.key,
      ca: certs.ca,
      require_client_cert: true,
      action: "client_cert",
    });
    const ctx = clientContext();
    ctx.load_cert_chain(certs.client.cert, certs.client.key);
    const t = ctx.wrap_socket(s, { server_hostname: "localhost" });
    assert.equal(String(t.read(2)), "ok");
    t.write("z");
    t.close();
    const { stdout } = await peer.done;
    assert.match(stdout, /"commonName", "test client"/);
  });

  test("set_ciphers restricts the suites: one TLS 1.2 suite is what gets negotiated", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
    const ctx = clientContext();
    ctx.set_ciphers(["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
    assert.deepEqual(ctx.get_ciphers(), ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
    const t = ctx.wrap_socket(s, { server_hostname: "localhost" });
    assert.deepEqual(t.cipher(), ["ECDHE-ECDSA-AES128-GCM-SHA256", "TLSv1.2", 128]);
    t.write("c");
    assert.equal(String(t.read(6)), "echo:c");
    t.close();
    await peer.done;
    assert.throws(() => ctx.set_ciphers("NO-SUCH-CIPHER"), ssl.SSLError);
    assert.throws(() => ctx.set_ciphers(42), TypeError);
  });
});

describe("the end of a session", { skip, timeout: 600000 }, () => {
  test("close() sends close_notify: the CPython peer sees a clean end of stream", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "expect_close" });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    t.write("last");
    t.close();
    t.close(); // idempotent
    assert.equal(t.fileno(), -1);
    assert.throws(
      () => t.read(1),
      (e) => e instanceof socket.OSError && e.code === "EBADF",
    );
    const { stdout } = await peer.done;
    assert.match(stdout, /got:b'last':b''/);
  });

  test("a peer that drops TCP without close_notify: SSLError UNEXPECTED_EOF_WHILE_READING, not a silent EOF", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "drop" });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    assert.equal(String(t.read(7)), "partial");
    assert.throws(
      () => t.read(1),
      (e) => e instanceof ssl.SSLError && e.reason === "UNEXPECTED_EOF_WHILE_READING",
    );
    t.close();
    await peer.done;
  });

  test("the peer's close_notify ends read() with the bytes before it", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "close_notify" });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    assert.equal(String(t.read()), "bye");
    assert.equal(t.recv(10).length, 0);
    t.close();
    await peer.done;
  });

  test("unwrap() exchanges close_notify and returns the plain socket", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, unwrap: true });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    t.write("u");
    assert.equal(String(t.read(6)), "echo:u");
    const plain = t.unwrap();
    assert.equal(plain, s);
    assert.equal(t.fileno(), -1);
    assert.equal(plain.recv(10).length, 0); // the peer closed after its unwrap
    plain.close();
    await peer.done;
  });

  test("unwrap() finds the peer's close_notify that arrived with the last data, and the plain socket carries on", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "unwrap_plain" });
    s.settimeout(10);
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    // Let the line and the close_notify behind it both arrive, so one read takes both records.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(String(t.readline()), "plain next\n");
    const plain = t.unwrap();
    plain.sendall("raw");
    assert.equal(String(plain.recv(100)), "plain:raw");
    plain.close();
    await peer.done;
  });

  test("unwrap() on a non-blocking socket succeeds at once when the close_notify is already buffered", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "unwrap_plain" });
    s.settimeout(10);
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(String(t.readline()), "plain next\n");
    t.setblocking(false);
    const plain = t.unwrap();
    plain.setblocking(true);
    plain.sendall("nb");
    assert.equal(String(plain.recv(100)), "plain:nb");
    plain.close();
    await peer.done;
  });
});

describe("timeouts and non-blocking reads", { skip, timeout: 600000 }, () => {
  test("a read times out with ETIMEDOUT, then reads what comes later", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "silent" });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    t.settimeout(0.3);
    assert.equal(t.gettimeout(), 0.3);
    const start = performance.now();
    assert.throws(
      () => t.readline(),
      (e) => e instanceof socket.OSError && e.code === "ETIMEDOUT",
    );
    const took = (performance.now() - start) / 1000;
    assert.ok(took >= 0.25 && took < 3, `timed out after ${took} s`);
    t.write("!");
    t.settimeout(5);
    assert.equal(String(t.readline()), "late\n");
    t.write("!");
    t.close();
    await peer.done;
  });

  test("non-blocking: read returns null when nothing was decrypted, recv raises EAGAIN", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "silent" });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    t.setblocking(false);
    assert.equal(t.read(5), null);
    assert.equal(t.readline(), null);
    assert.throws(
      () => t.recv(5),
      (e) => e instanceof socket.OSError && e.code === "EAGAIN",
    );
    t.write("!");
    t.setblocking(true);
    assert.equal(String(t.readline()), "late\n");
    t.write("!");
    t.close();
    await peer.done;
  });

  test("non-blocking handshake with do_handshake_on_connect=false proceeds step by step", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
    s.setblocking(false);
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost", do_handshake_on_connect: false });
    assert.equal(t.cipher(), null);
    // Bounded by time (10 s) as well as count: select may report the socket writable while
    // the handshake waits for the peer's flight, so a step can come back at once.
    const deadline = performance.now() + 10000;
    let written = null;
    for (let i = 0; i < 100000 && written === null && performance.now() < deadline; i++) {
      written = t.write("step");
      if (written === null) select.select([t], [t], [], 0.02);
    }
    assert.equal(written, 4);
    let reply = null;
    for (let i = 0; i < 100000 && reply === null && performance.now() < deadline; i++) {
      reply = t.read(9);
      if (reply === null) select.select([t], [], [], 0.02);
    }
    assert.equal(String(reply), "echo:step");
    t.close();
    await peer.done;
  });
});

describe("the order of a non-blocking handshake", { skip, timeout: 600000 }, () => {
  test("a step that sends a flight returns before reading, even with the peer's bytes already in; the next step reads them", async () => {
    const { createServer } = await import("node:net");
    const server = createServer((c) => {
      c.on("error", () => {});
      c.end("this is not TLS\r\n");
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const s = socket.socket();
    try {
      s.connect(["127.0.0.1", server.address().port]);
      // the peer's bytes are in before the hello goes out (the peer is this event loop's)
      for (let i = 0; i < 500 && select.select([s], [], [], 0)[0].length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(select.select([s], [], [], 0)[0].length, 1, "the peer's bytes came");
      s.setblocking(false);
      const t = clientContext().wrap_socket(s, { server_hostname: "localhost", do_handshake_on_connect: false });
      assert.equal(t.write("data"), null, "the hello went out; nothing was read in the same step");
      assert.throws(
        () => t.write("data"),
        (e) => e instanceof ssl.SSLError && !(e instanceof ssl.SSLCertVerificationError),
      );
      t.close();
    } finally {
      s.close();
      server.close();
    }
  });
});

describe("bulk transfer and select", { skip, timeout: 600000 }, () => {
  test("8 MiB each way with uneven writes arrive whole (SHA-256 on both ends)", async () => {
    const size = 8 * 1024 * 1024 + 12345;
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "bulk", size }, 60000);
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    const data = randomBytes(size);
    const h = createHash("sha256").update(data).digest("hex");
    let at = 0;
    let step = 1;
    while (at < size) {
      const n = Math.min(size - at, ((step * 7919) % 150001) + 1);
      t.sendall(data.subarray(at, at + n));
      at += n;
      step++;
    }
    const back = createHash("sha256");
    let got = 0;
    const buf = Buffer.alloc(50000);
    while (got < size) {
      const n = t.readinto(buf, Math.min(buf.length, size - got, (got % 3) * 10000 + 1000));
      assert.ok(n > 0);
      back.update(buf.subarray(0, n));
      got += n;
    }
    t.write("x");
    const { stdout } = await peer.done;
    assert.match(stdout, new RegExp(`received ${size} ${h}`));
    assert.match(stdout, new RegExp(`sent ${size} ${back.digest("hex")}`));
    t.close();
  });

  test("poll and select report POLLIN for decrypted bytes the descriptor no longer has", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, action: "records" });
    const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
    assert.equal(String(t.read(10)), "a".repeat(10));
    // Both records came in one segment; the rest is inside the TLS layer now.
    const p = select.poll();
    p.register(t, select.POLLIN);
    if (t.pending() + 10 < 200) assert.equal(t.read(1).length, 1);
    const ready = p.poll(0);
    assert.equal(ready.length, 1);
    assert.equal(ready[0][0], t);
    assert.ok(ready[0][1] & select.POLLIN);
    assert.deepEqual(select.select([t], [], [], 0)[0], [t]);
    assert.equal(String(t.read(189)), "a".repeat(89) + "b".repeat(100));
    assert.equal(p.poll(0).length, 0);
    t.write("x");
    t.close();
    await peer.done;
  });
});

describe("CPython's wrap-then-connect: wrap_socket of a socket not yet connected, then connect()", {
  skip,
  timeout: 600000,
}, () => {
  test("the handshake waits for connect(), which makes it; then the session works", async () => {
    const peer = pythonPeer({ role: "server", cert: certs.server.cert, key: certs.server.key });
    const port = Number(await peer.ready);
    const t = clientContext().wrap_socket(socket.socket(), { server_hostname: "localhost" });
    assert.equal(t.version(), null); // not connected: no handshake yet
    t.settimeout(10);
    t.connect(["127.0.0.1", port]);
    assert.match(t.version(), /^TLSv1\.[23]$/);
    assert.equal(t.getpeername()[0], "127.0.0.1");
    t.write("c");
    assert.equal(String(t.read(6)), "echo:c");
    t.close();
    await peer.done;
  });

  test("connect() of an SSLSocket reports a refused connection as the socket does, and a closed one EBADF", () => {
    const [holder, port] = (() => {
      const h = socket.socket();
      h.bind(["127.0.0.1", 0]);
      return [h, h.getsockname()[1]];
    })();
    const t = clientContext().wrap_socket(socket.socket(), { server_hostname: "localhost" });
    assert.throws(
      () => t.connect(["127.0.0.1", port]),
      (e) => e instanceof socket.OSError && e.code === "ECONNREFUSED",
    );
    t.close();
    holder.close();
    assert.throws(
      () => t.connect(["127.0.0.1", port]),
      (e) => e instanceof socket.OSError && e.code === "EBADF",
    );
  });

  test("a handshake that fails in connect() closes the SSLSocket and its socket: no descriptor left", async () => {
    const before = fdCount();
    const peer = pythonPeer({ role: "server", cert: certs.server.cert, key: certs.server.key });
    const port = Number(await peer.ready);
    const t = clientContext().wrap_socket(socket.socket(), { server_hostname: "not-this-host.example" });
    t.settimeout(10);
    assert.throws(
      () => t.connect(["127.0.0.1", port]),
      (e) => e instanceof ssl.SSLCertVerificationError,
    );
    assert.equal(t.fileno(), -1);
    t.close();
    await peer.done;
    assert.equal(fdCount(), before);
  });
});

describe("protocol versions: minimum_version and maximum_version (CPython's)", { skip, timeout: 600000 }, () => {
  test("they start at MINIMUM_SUPPORTED/MAXIMUM_SUPPORTED, take TLSVersion values, and refuse others", () => {
    const ctx = clientContext();
    assert.equal(ctx.minimum_version, ssl.TLSVersion.MINIMUM_SUPPORTED);
    assert.equal(ctx.maximum_version, ssl.TLSVersion.MAXIMUM_SUPPORTED);
    assert.deepEqual(
      [
        ssl.TLSVersion.TLSv1_2,
        ssl.TLSVersion.TLSv1_3,
        ssl.TLSVersion.MINIMUM_SUPPORTED,
        ssl.TLSVersion.MAXIMUM_SUPPORTED,
      ],
      [0x0303, 0x0304, -2, -1],
    );
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2;
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3;
    assert.equal(ctx.minimum_version, ssl.TLSVersion.TLSv1_2);
    assert.equal(ctx.maximum_version, ssl.TLSVersion.TLSv1_3);
    assert.throws(() => (ctx.minimum_version = 0x0305), RangeError);
    assert.throws(() => (ctx.maximum_version = "TLSv1_2"), TypeError);
    assert.throws(() => (new ssl.SSLContext(ssl.PROTOCOL_DTLS_CLIENT).minimum_version = 0x0303), RangeError);
  });

  test("maximum_version TLSv1_2 negotiates TLS 1.2 with a CPython server; minimum_version TLSv1_3 fails against a 1.2-only one", async () => {
    {
      const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
      const ctx = clientContext();
      ctx.maximum_version = ssl.TLSVersion.TLSv1_2;
      const t = ctx.wrap_socket(s, { server_hostname: "localhost" });
      assert.equal(t.version(), "TLSv1.2");
      t.write("v");
      assert.equal(String(t.read(6)), "echo:v");
      t.close();
      await peer.done;
    }
    {
      const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key, max_tls12: true });
      s.settimeout(10);
      const ctx = clientContext();
      ctx.minimum_version = ssl.TLSVersion.TLSv1_3;
      assert.throws(
        () => ctx.wrap_socket(s, { server_hostname: "localhost" }),
        (e) => e instanceof ssl.SSLError,
      );
      s.close();
      await peer.done;
    }
  });

  test("set_ciphers' limits and the version limits combine: TLS 1.2 suites only with maximum_version left alone", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
    const ctx = clientContext();
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2;
    ctx.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256");
    assert.equal(ctx.minimum_version, ssl.TLSVersion.TLSv1_2);
    const t = ctx.wrap_socket(s, { server_hostname: "localhost" });
    assert.equal(t.version(), "TLSv1.2");
    t.close();
    await peer.done;
  });
});

describe("an encrypted private key", { skip, timeout: 600000 }, () => {
  /** The server key, encrypted with `secret` (PKCS#8 PEM), and the certificate and that key in one file. */
  function encrypted() {
    const pem = createPrivateKey(readFileSync(certs.server.key)).export({
      format: "pem",
      type: "pkcs8",
      cipher: "aes-256-cbc",
      passphrase: "secret",
    });
    return [Buffer.from(pem), Buffer.concat([readFileSync(certs.server.cert), Buffer.from(pem)])];
  }

  test("load_cert_chain(cert, key, password) takes the password as text, bytes or a function (CPython's)", async () => {
    const [key, combined] = encrypted();
    for (const password of [
      "secret",
      Buffer.from("secret"),
      () => "secret",
      () => new TextEncoder().encode("secret"),
    ]) {
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      ctx.load_cert_chain(readFileSync(certs.server.cert), key, password);
    }
    // The key inside the certificate file, as CPython allows.
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(combined, null, "secret");
    // And it serves: a CPython client verifies this server.
    const [srv, [, port]] = listener();
    const peer = pythonPeer({ role: "client", port, ca: certs.ca, hostname: "localhost", action: "echo" });
    await peer.ready;
    srv.settimeout(10);
    const [conn] = srv.accept();
    srv.close();
    conn.settimeout(10);
    const t = ctx.wrap_socket(conn, { server_side: true });
    t.sendall("ping");
    assert.equal(String(t.read(9)), "echo:ping");
    t.close();
    assert.equal((await peer.done).code, 0);
  });

  test("a wrong or missing password is an SSLError, and a bad password argument a TypeError", () => {
    const [key] = encrypted();
    const cert = readFileSync(certs.server.cert);
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    assert.throws(
      () => ctx.load_cert_chain(cert, key, "wrong"),
      (e) => e instanceof ssl.SSLError && e.syscall === "load_cert_chain",
    );
    assert.throws(
      () => ctx.load_cert_chain(cert, key),
      (e) => e instanceof ssl.SSLError && e.syscall === "load_cert_chain",
    );
    assert.throws(() => ctx.load_cert_chain(cert, key, 42), TypeError);
    assert.throws(() => ctx.load_cert_chain(cert, key, () => 42), TypeError);
  });

  test("without a password, an encrypted key never prompts on the terminal (OpenSSL's default would wait there)", {
    skip: hasScript() ? false : "the script command (util-linux) is not installed",
  }, () => {
    const [key] = encrypted();
    const dir = mkdtempSync(path.join(tmpdir(), "usocket-enc-"));
    try {
      writeFileSync(path.join(dir, "enc.key"), key);
      const code = `import("${new URL("../dist/ssl.js", import.meta.url).href}").then((ssl) => {
        const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
        try { ctx.load_cert_chain(${JSON.stringify(certs.server.cert)}, ${JSON.stringify(path.join(dir, "enc.key"))}); }
        catch (e) { console.log("raised " + e.name); }
      })`;
      writeFileSync(path.join(dir, "run.mjs"), code);
      // script(1) gives the child a terminal: OpenSSL's own prompt would wait on it.
      const out = spawnSync("script", ["-qec", `${process.execPath} ${path.join(dir, "run.mjs")}`, "/dev/null"], {
        encoding: "utf8",
        timeout: 20000,
        input: "",
      });
      assert.equal(out.signal, null, `the child was killed (waiting at a prompt?): ${out.stdout}`);
      assert.match(out.stdout, /raised SSLError/);
      assert.doesNotMatch(out.stdout, /pass phrase/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("OpenSSL's security level is the running Node's, as CPython's is OpenSSL's", { skip }, () => {
  test("security_level: a 1024-bit RSA key is refused exactly where Node's own tls refuses it; @SECLEVEL in set_ciphers changes it", () => {
    const rsa = makeRsa1024();
    let nodeRefuses = false;
    try {
      createSecureContext({ key: rsa.keyPem, cert: rsa.certPem });
    } catch (error) {
      assert.match(String(error), /too small/, "Node refuses it for its size");
      nodeRefuses = true;
    }
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    const level = ctx.security_level;
    assert.ok(Number.isInteger(level) && level >= 1 && level <= 5, `level ${level}`);
    assert.equal(level >= 2, nodeRefuses, `level ${level}, Node ${process.version} refuses: ${nodeRefuses}`);
    if (nodeRefuses) assert.throws(() => ctx.load_cert_chain(rsa.certPem, rsa.keyPem), ssl.SSLError);
    else ctx.load_cert_chain(rsa.certPem, rsa.keyPem);
    const lowered = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    lowered.set_ciphers("DEFAULT:@SECLEVEL=1");
    assert.equal(lowered.security_level, 1);
    lowered.load_cert_chain(rsa.certPem, rsa.keyPem);
    lowered.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256");
    assert.equal(lowered.security_level, 1, "a list without @SECLEVEL leaves the level alone");
    lowered.set_ciphers("DEFAULT:@SECLEVEL=3");
    assert.equal(lowered.security_level, 3);
  });
});

describe("bad input", { skip, timeout: 600000 }, () => {
  test("wrong types and values are TypeError / RangeError", () => {
    assert.throws(() => new ssl.SSLContext("client"), TypeError);
    assert.throws(() => new ssl.SSLContext(7), RangeError);
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    assert.throws(() => {
      ctx.verify_mode = 5;
    }, RangeError);
    assert.throws(() => {
      ctx.check_hostname = "yes";
    }, TypeError);
    assert.throws(() => {
      ctx.verify_callback = 3;
    }, TypeError);
    assert.throws(() => {
      ctx.server_psk_keys = 3;
    }, TypeError);
    assert.throws(() => ctx.load_cert_chain(42), TypeError);
    assert.throws(() => ctx.load_verify_locations(), TypeError);
    assert.throws(() => ctx.wrap_socket({}), TypeError);
    const s = socket.socket();
    assert.throws(() => ctx.wrap_socket(s, { server_hostname: 5 }), TypeError);
    assert.throws(() => ctx.wrap_socket(s, { client_id: "x" }), TypeError);
    s.close();
  });

  test("garbage certificates and keys, a key that does not match, a missing file", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    assert.throws(() => ctx.load_cert_chain(Buffer.from("not a certificate"), Buffer.from("nor a key")), ssl.SSLError);
    assert.throws(
      () =>
        ctx.load_verify_locations(
          null,
          Buffer.from("-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n"),
        ),
      ssl.SSLError,
    );
    assert.throws(
      () => ctx.load_cert_chain(certs.server.cert, certs.client.key),
      (e) => e instanceof ssl.SSLError && /KEY|MISMATCH/.test(e.reason),
    );
    assert.throws(
      () => ctx.load_cert_chain("/nonexistent/cert.pem"),
      (e) => e instanceof socket.OSError && e.code === "ENOENT",
    );
    assert.throws(() => ctx.load_cert_chain(randomBytes(300), randomBytes(100)), ssl.SSLError);
  });

  test("closed and UDP sockets are OSErrors", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const closed = socket.socket();
    closed.close();
    assert.throws(
      () => ctx.wrap_socket(closed),
      (e) => e instanceof socket.OSError && e.code === "EBADF",
    );
    const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    assert.throws(
      () => ctx.wrap_socket(udp),
      (e) => e instanceof socket.OSError && e.code === "EPROTOTYPE",
    );
    udp.close();
    // A client socket not connected yet is wrapped for a later connect() (CPython's
    // wrap-then-connect); reading from it before that is an OSError.
    const unconnected = ctx.wrap_socket(socket.socket());
    assert.throws(() => unconnected.read(1), socket.OSError);
    unconnected.close();
    // A server side needs its connection now.
    const serverSide = socket.socket();
    assert.throws(
      () => new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).wrap_socket(serverSide, { server_side: true }),
      socket.OSError,
    );
    serverSide.close();
  });

  test("a plain-text peer gives SSLError, not a crash", async () => {
    const [srv, addr] = listener();
    const c = socket.socket();
    c.connect(addr);
    const [conn] = srv.accept();
    conn.sendall("HTTP/1.0 400 Bad Request\r\n\r\n");
    conn.close();
    srv.close();
    c.settimeout(5);
    assert.throws(
      () => clientContext().wrap_socket(c, { server_hostname: "localhost" }),
      (e) => e instanceof ssl.SSLError && typeof e.reason === "string" && e.reason.length > 0,
    );
    c.close();
  });
});

describe("MicroPython's module wrap_socket and the socket methods of SSLSocket", { skip, timeout: 600000 }, () => {
  test("wrap_socket(sock, {cadata, cert_reqs, server_hostname}) verifies with DER CA data", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
    const t = ssl.wrap_socket(s, { cadata: certs.caDer, cert_reqs: ssl.CERT_REQUIRED, server_hostname: "localhost" });
    t.write("m");
    assert.equal(String(t.read(6)), "echo:m");
    t.close();
    await peer.done;
    const [s2, peer2] = await toPython({ cert: certs.stranger.cert, key: certs.stranger.key });
    assert.throws(
      () => ssl.wrap_socket(s2, { cadata: certs.caDer, cert_reqs: ssl.CERT_REQUIRED, server_hostname: "localhost" }),
      ssl.SSLCertVerificationError,
    );
    s2.close();
    await peer2.done;
    const [s3, peer3] = await toPython({ cert: certs.stranger.cert, key: certs.stranger.key });
    const t3 = ssl.wrap_socket(s3); // CERT_NONE by default, as MicroPython's
    t3.write("n");
    assert.equal(String(t3.read(6)), "echo:n");
    t3.close();
    await peer3.done;
  });

  test("fileno, getsockname, getpeername, pending, makefile, timeouts, getblocking and Symbol.dispose", async () => {
    const [s, peer] = await toPython({ cert: certs.server.cert, key: certs.server.key });
    const fd = s.fileno();
    let peerAddress;
    {
      const t = clientContext().wrap_socket(s, { server_hostname: "localhost" });
      assert.equal(t.fileno(), fd);
      assert.deepEqual(t.getsockname(), s.getsockname());
      peerAddress = t.getpeername();
      assert.equal(peerAddress[0], "127.0.0.1");
      assert.equal(t.pending(), 0);
      assert.equal(t.makefile("rwb"), t);
      assert.throws(() => t.makefile("x"), RangeError);
      t.settimeout(2.5);
      assert.equal(t.gettimeout(), 2.5);
      assert.equal(s.gettimeout(), 2.5);
      assert.equal(t.getblocking(), true);
      t.setblocking(false);
      assert.equal(t.getblocking(), false);
      t.setblocking(true);
      assert.equal(t.gettimeout(), null);
      assert.equal(t.getblocking(), true);
      t.write("w");
      assert.equal(String(t.read(6)), "echo:w");
      t[Symbol.dispose](); // what `using` calls
      t[Symbol.dispose]();
    }
    assert.equal(s.fileno(), -1); // disposing the SSLSocket closed the socket under it
    await peer.done;
  });

  test("failed handshakes and closed SSLSockets leave no descriptor behind", async () => {
    const before = fdCount();
    for (let i = 0; i < 20; i++) {
      const [srv, addr] = listener();
      const c = socket.socket();
      c.connect(addr);
      const [conn] = srv.accept();
      srv.close();
      conn.sendall("not TLS at all\r\n");
      conn.close();
      assert.throws(() => clientContext().wrap_socket(c, { server_hostname: "localhost" }), ssl.SSLError);
      c.close();
    }
    assert.equal(fdCount(), before);
  });
});

describe("signals", { skip, timeout: 600000 }, () => {
  test("SIGINT ends a blocking TLS handshake with OSError(EINTR), and the listener runs", async () => {
    const peer = startPeer(
      "node",
      `
      const socket = await import(process.env.USOCKET);
      const ssl = await import(process.env.USOCKET_DIST + "/ssl.js");
      const [a, b] = socket.socketpair();
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      ctx.verify_mode = ssl.CERT_NONE;
      process.on("SIGINT", () => console.log("listener ran"));
      console.log("ready");
      try { ctx.wrap_socket(a); console.log("handshake returned"); }
      catch (e) { console.log("caught " + e.code + " " + e.syscall); }
      a.close(); b.close();
    `,
      { limitMs: 15000 },
    );
    await peer.ready;
    await new Promise((resolve) => setTimeout(resolve, 200));
    peer.child.kill("SIGINT");
    const { code, stdout, stderr } = await peer.done;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /caught EINTR do_handshake/);
    assert.match(stdout, /listener ran/);
  });
});
