// MicroPython's `tls` and `ssl` inside usocket-micropython: scripts as TLS clients of
// CPython's ssl and as TLS servers for it, wrap_socket over stream objects that are not
// sockets, the poll rule, and MicroPython's (mbedTLS's) error forms. Certificates are made
// now (test/support/tls.js), so nothing in the repository expires.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { haveOpenssl, makeCertificates, makeRsa1024, pythonPeer } from "./support/tls.js";
import { runMp, scriptDir, startMp } from "./support/micropython.js";
import * as path from "node:path";
import * as net from "node:net";
import * as tls from "node:tls";
import { readFileSync, rmSync } from "node:fs";

const skip = haveOpenssl() ? false : "needs the openssl command to make certificates";
let certs;

before(() => {
  if (!skip) certs = makeCertificates();
});
after(() => certs?.cleanup());

/** A client script: connects to argv[1] and wraps with `setup` (Python lines, `s` is the socket). */
function client(setup) {
  return `import sys, socket, ssl, tls
s = socket.socket()
s.connect(("127.0.0.1", int(sys.argv[1])))
${setup}
`;
}

describe("a MicroPython script as TLS client of CPython's ssl server", { skip }, () => {
  test("verified connection: data both ways, mbedTLS's cipher name, TLS 1.2, the peer's certificate", async () => {
    const peer = pythonPeer({ role: "server", cert: certs.server.cert, key: certs.server.key });
    const port = await peer.ready;
    const r = await runMp(
      client(`ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(cafile=sys.argv[2])
s = ctx.wrap_socket(s, server_hostname="localhost")
name, version = s.cipher()
print(name.startswith("TLS-ECDHE-ECDSA-WITH-"), "_" not in name, version)
print(s.getpeercert(True) == open(sys.argv[3], "rb").read())
s.write(b"hello")
print(s.read(10))
s.close()`),
      { args: [port, certs.ca, path.join(certs.dir, "server.cert.der")] },
    );
    await peer.done;
    assert.equal(r.stdout, "True True TLSv1.2\nTrue\nb'echo:hello'\n", r.stderr);
  });

  for (const [what, leaf, hostname, text] of [
    [
      "a certificate for another name",
      "wrongHost",
      "localhost",
      "The certificate Common Name (CN) does not match with the expected CN",
    ],
    [
      "a certificate from an unknown CA",
      "stranger",
      "localhost",
      "The certificate is not correctly signed by the trusted CA",
    ],
    ["an expired certificate", "expired", "localhost", "The certificate validity has expired"],
  ]) {
    test(`${what}: ValueError with mbedTLS's verification text, and the server sees the alert`, async () => {
      const peer = pythonPeer({ role: "server", cert: certs[leaf].cert, key: certs[leaf].key });
      const port = await peer.ready;
      const r = await runMp(
        client(`ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(open(sys.argv[2], "rb").read())
try:
    ctx.wrap_socket(s, server_hostname="${hostname}")
except ValueError as e:
    print(repr(str(e)))
s.close()`),
        { args: [port, certs.ca] },
      );
      const server = await peer.done;
      assert.equal(r.stdout, `'\\n${text}\\n'\n`, r.stderr);
      assert.match(server.stdout, /handshake failed: .*alert/i);
    });
  }

  // mbedtls_ssl_read returns 0 when the transport ends after the handshake, close_notify or
  // not (MicroPython's unix port prints b'' here): HTTP servers that close without it
  // (CPython's http.server over ssl, for one) are read to the end by urllib.urequest.
  test("a server that drops TCP without close_notify after the handshake: the end of the stream (b''), as mbedTLS", async () => {
    const peer = pythonPeer({ role: "server", cert: certs.server.cert, key: certs.server.key, action: "drop" });
    const port = await peer.ready;
    const r = await runMp(
      client(`ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
s = ctx.wrap_socket(s)
print(s.read(7))
print(s.read(1), s.read(), s.readinto(bytearray(3)), s.readline())`),
      { args: [port] },
    );
    await peer.done;
    assert.equal(r.stdout, "b'partial'\nb'' b'' 0 b''\n", r.stderr);
  });

  test("read() to the end of a server that drops TCP without close_notify keeps every byte: blocking, non-blocking, over a stream object", async () => {
    for (const how of ["blocking", "nonblocking", "stream"]) {
      const peer = pythonPeer({ role: "server", cert: certs.server.cert, key: certs.server.key, action: "drop" });
      const port = await peer.ready;
      const r = await runMp(
        client(`import select
class Stream:
    def __init__(self, s):
        self.s = s
    def readinto(self, b):
        return self.s.readinto(b)
    def write(self, b):
        return self.s.write(b)
how = sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
s = ctx.wrap_socket(Stream(s) if how == "stream" else s)
if how == "nonblocking":
    s.setblocking(False)
    got = b""
    p = select.poll()
    p.register(s, select.POLLIN)
    for _ in range(100):
        p.poll(1000)
        d = s.read(100)
        if d is None:
            continue
        if not d:
            break
        got += d
    print(got, s.read(1))
else:
    print(s.read(), s.read())`),
        { args: [port, how] },
      );
      await peer.done;
      assert.equal(r.stdout, "b'partial' b''\n", `${how}: ${r.stderr}`);
    }
  });

  test("select.poll reports POLLIN for decrypted bytes the socket no longer has", async () => {
    // The server sends two records of 100 bytes and waits: after reading 150 the second
    // record is decrypted and half read, and the descriptor itself has nothing.
    const peer = pythonPeer({ role: "server", cert: certs.server.cert, key: certs.server.key, action: "records" });
    const port = await peer.ready;
    const r = await runMp(
      client(`import select
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
s = ctx.wrap_socket(s)
print(len(s.read(150)))
p = select.poll()
p.register(s, select.POLLIN)
ready = p.poll(0)
print(len(ready), ready[0][0] is s, ready[0][1] & select.POLLIN != 0)
print(s.read(50) == b"b" * 50)
s.write(b"x")
s.close()`),
      { args: [port] },
    );
    await peer.done;
    assert.equal(r.stdout, "150\n1 True True\nTrue\n", r.stderr);
  });

  test("non-blocking with do_handshake_on_connect=False: reads return None until data can be decrypted", async () => {
    // The server answers the handshake only after 0.3 s: the first reads cannot have data.
    const peer = pythonPeer({
      role: "server",
      cert: certs.server.cert,
      key: certs.server.key,
      action: "echo",
      delay: 0.3,
    });
    const port = await peer.ready;
    const r = await runMp(
      client(`import select
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
s = ctx.wrap_socket(s, do_handshake_on_connect=False)
s.setblocking(False)
nones = 0
sent = None
p = select.poll()
p.register(s, select.POLLIN)
for i in range(200):
    if sent is None:
        sent = s.write(b"ping")
    got = s.read(9)
    if got:
        break
    nones += 1
    p.poll(100)
print(nones > 0, sent, got)
s.close()`),
      { args: [port] },
    );
    await peer.done;
    assert.equal(r.stdout, "True 4 b'echo:ping'\n", r.stderr);
  });
});

describe("a MicroPython script as TLS server for CPython's ssl client", { skip }, () => {
  test("ssl.SSLContext with certificate files: the CPython client verifies it and echoes", async () => {
    const dir = scriptDir({
      "server.py": `import socket, ssl, sys
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
print(ls.getsockname()[1])
c, _ = ls.accept()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
c = ctx.wrap_socket(c, server_side=True)
c.write(b"hello")
print(c.read(10), c.cipher()[1])
c.close()
ls.close()
`,
    });
    const mp = startMp([path.join(dir, "server.py"), certs.server.cert, certs.server.key], { cwd: dir });
    const port = Number(await mp.line());
    const peer = pythonPeer({ role: "client", port, ca: certs.ca, hostname: "localhost", action: "echo" });
    assert.equal(await peer.ready, "ready");
    const done = await mp.done;
    await peer.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, `${port}\nb'echo:hello' TLSv1.2\n`);
  });
});

describe("wrap_socket over stream objects that are not sockets", { skip }, () => {
  const PIPES = `import io, ssl, select
class Pipe(io.IOBase):
    # one direction of an in-memory connection; None when empty (non-blocking)
    def __init__(self):
        self.inbox = None
        self.out = []
    def readinto(self, buf):
        if not self.inbox.out:
            return None
        chunk = self.inbox.out[0]
        n = min(len(buf), len(chunk))
        buf[:n] = chunk[:n]
        if n == len(chunk):
            self.inbox.out.pop(0)
        else:
            self.inbox.out[0] = chunk[n:]
        return n
    def write(self, buf):
        self.out.append(bytes(buf))
        return len(buf)
a, b = Pipe(), Pipe()
a.inbox, b.inbox = b, a
`;

  test("a handshake and data both ways between two in-memory pipes, step by step", async () => {
    const r = await runMp(
      `${PIPES}
key = open("server.key.der", "rb").read()
cert = open("server.cert.der", "rb").read()
client = ssl.wrap_socket(a, do_handshake=False)
server = ssl.wrap_socket(b, server_side=True, key=key, cert=cert, do_handshake=False)
steps = 0
while steps < 20 and (client.read(10) is None) and (a.out or b.out):
    server.read(10)
    steps += 1
print(steps > 0, client.cipher()[1])
print(client.write(b"to server"), server.read(9))
print(server.write(b"to client!"), client.read(4), client.read(6))
client.close()
print(server.read(5))
`,
      { files: { "server.key.der": certs.serverDer.key, "server.cert.der": certs.serverDer.cert } },
    );
    assert.equal(r.stdout, "True TLSv1.2\n9 b'to server'\n10 b'to c' b'lient!'\nb''\n", r.stderr);
  });

  test("a 1024-bit RSA key, as MicroPython's own tests use, loads and serves a handshake on every Node.js (mbedTLS's floor, not OpenSSL's level 2)", async () => {
    const rsa = makeRsa1024();
    const r = await runMp(
      `${PIPES}
key = open("key.der", "rb").read()
cert = open("cert.der", "rb").read()
client = ssl.wrap_socket(a, do_handshake=False)
server = ssl.wrap_socket(b, server_side=True, key=key, cert=cert, do_handshake=False)
steps = 0
while steps < 20 and (client.read(10) is None) and (a.out or b.out):
    server.read(10)
    steps += 1
print(client.cipher()[0])
print(client.write(b"rsa"), server.read(3))
`,
      { files: { "key.der": rsa.keyDer, "cert.der": rsa.certDer } },
    );
    assert.match(r.stdout, /^TLS-ECDHE-RSA-WITH-[A-Z0-9-]+\n3 b'rsa'\n$/, r.stderr);
  });

  test("ioctl: POLLIN from bytes already decrypted without asking the stream; POLLNVAL once closed", async () => {
    const r = await runMp(
      `${PIPES}
class Watched(Pipe):
    asked = 0
    def ioctl(self, req, arg):
        Watched.asked += 1
        return arg & 1 if self.inbox.out else 0
w = Watched()
w.inbox, b.inbox = b, w
key = open("server.key.der", "rb").read()
cert = open("server.cert.der", "rb").read()
client = ssl.wrap_socket(w, do_handshake=False)
server = ssl.wrap_socket(b, server_side=True, key=key, cert=cert, do_handshake=False)
for i in range(20):
    if client.read(1) is None and server.read(1) is None and not (w.out or b.out):
        break
server.write(b"abcdef")
print(client.read(2))
before = Watched.asked
print(client.ioctl(3, 1), Watched.asked == before)
client.close()
print(client.ioctl(3, 1))
`,
      { files: { "server.key.der": certs.serverDer.key, "server.cert.der": certs.serverDer.cert } },
    );
    assert.equal(r.stdout, "b'ab'\n1 True\n32\n", r.stderr);
  });

  test("a stream that ends during the handshake: OSError(-29312, 'MBEDTLS_ERR_SSL_CONN_EOF')", async () => {
    const r = await runMp(`import io, ssl
try:
    ssl.wrap_socket(io.BytesIO())
except OSError as e:
    print(e.args)
`);
    assert.equal(r.stdout, "(-29312, 'MBEDTLS_ERR_SSL_CONN_EOF')\n", r.stderr);
  });
});

describe("asyncio over TLS: MicroPython's order of events", { skip }, () => {
  // multi_net/asyncio_tls_server_client_verify_error.py's order, made certain: the peer's
  // answer is already in when write() runs (here: bytes sent on accept, before any hello).
  // A write that starts the handshake sends the hello and returns with the data buffered,
  // as mbedTLS's does (its read right after the hello finds nothing), so the failure is
  // drain()'s; before, it depended on whether the peer had answered yet.
  test("write() that starts the handshake buffers even when the peer's answer is already in; drain() meets the failure", async () => {
    const server = net.createServer((c) => {
      c.on("error", () => {});
      c.end("this is not TLS\r\n");
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const r = await runMp(
        `import sys, asyncio, ssl
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection("127.0.0.1", int(sys.argv[1]), ssl=ctx)
    await asyncio.sleep_ms(300)
    try:
        writer.write(b"data")
        print("buffered")
        await writer.drain()
        print("drained")
    except OSError as e:
        print("drain:", e)
    writer.close()
asyncio.run(main())
`,
        { args: [String(server.address().port)] },
      );
      assert.equal(r.stdout, "buffered\ndrain: (-29184, 'MBEDTLS_ERR_SSL_INVALID_RECORD')\n", r.stderr);
    } finally {
      server.close();
    }
  });
});

describe("asyncio over TLS: waits without spinning", { skip }, () => {
  /** The CPU time (user + system, in ms) a Linux process has used so far. */
  const cpuMs = (pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime: in USER_HZ (100)
  };

  // A write that starts the handshake waits for the server's flight (OpenSSL wants to read):
  // asyncio then polls the socket for writing, which the descriptor always is. Poll is to
  // wait for what TLS waits for instead (MicroPython's ssl poll_mask), or drain() spins a core.
  test("drain() while the server takes a second to answer the hello uses little CPU", {
    skip: process.platform !== "linux" && "reads /proc",
  }, async () => {
    const { cert, key } = { cert: readFileSync(certs.server.cert), key: readFileSync(certs.server.key) };
    const server = net.createServer({ pauseOnConnect: true }, (raw) => {
      raw.on("error", () => {});
      const timer = setTimeout(() => {
        const t = new tls.TLSSocket(raw, { isServer: true, cert, key });
        t.on("error", () => {});
        t.on("data", (d) => t.end(Buffer.concat([Buffer.from("echo:"), d])));
      }, 1000);
      raw.on("close", () => clearTimeout(timer));
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const dir = scriptDir({
      "main.py": `import sys, asyncio, ssl
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection("127.0.0.1", int(sys.argv[1]), ssl=ctx)
    print("connected")
    writer.write(b"hello")
    await writer.drain()
    print(await reader.read(20))
    await asyncio.sleep_ms(500)
    writer.close()
asyncio.run(main())
`,
    });
    const mp = startMp([path.join(dir, "main.py"), String(server.address().port)], { cwd: dir });
    try {
      assert.equal(await mp.line(), "connected");
      const start = cpuMs(mp.child.pid);
      const began = performance.now();
      const echoed = await mp.line();
      const cpu = cpuMs(mp.child.pid) - start;
      const wall = performance.now() - began;
      assert.equal(echoed, "b'echo:hello'");
      assert.ok(wall >= 900, `the server's wait: ${wall} ms`);
      assert.ok(cpu < 0.3 * wall, `${cpu} ms of CPU over ${Math.round(wall)} ms`);
      const r = await mp.done;
      assert.equal(r.code, 0, r.stderr);
    } finally {
      mp.child.kill();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("MicroPython's error forms from the bridge's one table", { skip }, () => {
  test("bad input to contexts: invalid key/cert (ValueError), unknown cipher (MBEDTLS_ERR_SSL_BAD_CONFIG), CERT_REQUIRED without a name", async () => {
    const r = await runMp(`import tls, socket
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
for call in (lambda: ctx.load_cert_chain(b"!", b"!"), lambda: ctx.load_verify_locations(b"not a cert"),
             lambda: ctx.set_ciphers(["TLS-NOT-A-SUITE"]), lambda: ctx.set_ciphers("TLS-RSA-WITH-AES-128-CBC-SHA"),
             lambda: ctx.wrap_socket(socket.socket())):
    try:
        call()
        print("no error")
    except Exception as e:
        print(type(e).__name__, e.args)
ctx.psk_identity = b"me"
try:
    ctx.psk_key = bytes(49)
except OSError as e:
    print(e.args)
`);
    assert.equal(
      r.stdout,
      [
        "ValueError ('invalid key',)",
        "ValueError ('invalid cert',)",
        "OSError (-24192, 'MBEDTLS_ERR_SSL_BAD_CONFIG')",
        "TypeError ('ciphers must be a list or tuple',)",
        "ValueError ('CERT_REQUIRED requires server_hostname',)",
        "(-28928, 'MBEDTLS_ERR_SSL_BAD_INPUT_DATA')",
        "",
      ].join("\n"),
      r.stderr,
    );
  });
});
