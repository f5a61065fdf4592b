// OSError: its shape, the kernel's errors passed through (refused connect, peer reset while
// writing), the resolver's negative EAI_* errors with their messages, usocket-node/errno's
// errorcode, and the EAI_* constants (docs/behaviour.md §3, §5, §10).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as socket from "../dist/index.js";
import * as errno from "../dist/errno.js";
import { startPeer, tcpPair } from "./support/peers.js";
import { runNode } from "./support/node-child.js";
import { hasPython, python } from "./support/python.js";
import { endianness } from "node:os";

const { AF_INET, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, SO_LINGER } = socket;
const noPython = hasPython() ? false : "python3 is not available";

/** A loopback TCP port that was just free: bound, read back, closed. */
function closedPort() {
  const s = socket.socket(AF_INET, SOCK_STREAM);
  s.bind(["127.0.0.1", 0]);
  const port = s.getsockname()[1];
  s.close();
  return port;
}

/** struct linger { int l_onoff; int l_linger; } in this machine's byte order. */
function linger(onoff, seconds) {
  const b = Buffer.alloc(8);
  if (endianness() === "LE") {
    b.writeInt32LE(onoff, 0);
    b.writeInt32LE(seconds, 4);
  } else {
    b.writeInt32BE(onoff, 0);
    b.writeInt32BE(seconds, 4);
  }
  return b;
}

/** Calls fn, which must throw; returns what it threw. */
function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an exception");
}

/** The system's own text for some errno values and resolver errors (CPython asks the C library). */
const systemText = noPython
  ? null
  : python(
      `
import json, os, socket, sys
req = json.load(sys.stdin)
out = {"strerror": {str(n): os.strerror(n) for n in req["errno"]}, "gai": {}}
for name, args in req["gai"].items():
    try:
        socket.getaddrinfo(*args)
        out["gai"][name] = None
    except socket.gaierror as e:
        out["gai"][name] = [e.errno, e.strerror]
out["eai"] = {n: getattr(socket, n) for n in dir(socket) if n.startswith("EAI_")}
print(json.dumps(out))
`,
      {
        errno: [errno.ECONNREFUSED, errno.EADDRINUSE, errno.EPIPE, errno.ECONNRESET, errno.EINVAL],
        gai: {
          numericHost: ["localhost", null, 0, 0, 0, socket.AI_NUMERICHOST],
          unknownService: ["127.0.0.1", "no-such-service-usocket"],
          numericServ: ["127.0.0.1", "http", 0, 0, 0, socket.AI_NUMERICSERV],
          family: ["127.0.0.1", 80, 12345],
          socktype: ["127.0.0.1", 80, 0, 12345],
          flags: ["127.0.0.1", 80, 0, 0, 0, 0x7fff0000],
          nothing: [null, null],
        },
      },
    );

test("OSError's shape: errno, code, args, syscall, address, message, an Error", () => {
  const port = closedPort();
  const s = socket.socket(AF_INET, SOCK_STREAM);
  const address = ["127.0.0.1", port];
  const error = thrown(() => s.connect(address));
  s.close();
  assert.ok(error instanceof socket.OSError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "OSError");
  assert.equal(error.errno, errno.ECONNREFUSED);
  assert.equal(error.code, "ECONNREFUSED");
  assert.deepEqual(error.args, [errno.ECONNREFUSED]);
  assert.equal(error.args[0], error.errno);
  assert.equal(error.syscall, "connect");
  assert.deepEqual(error.address, address);
  assert.equal(typeof error.message, "string");
  assert.match(error.message, new RegExp(`\\b${errno.ECONNREFUSED}\\b`));
  assert.match(error.message, /ECONNREFUSED/);
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  if (systemText) assert.ok(error.message.includes(systemText.strerror[errno.ECONNREFUSED]), error.message);
  assert.equal(typeof error.stack, "string");
  assert.equal(error.written, undefined);
});

test("OSError can be made directly, and errors without an address carry none", () => {
  const made = new socket.OSError(errno.EPIPE, "send");
  assert.ok(made instanceof Error);
  assert.equal(made.errno, errno.EPIPE);
  assert.equal(made.code, "EPIPE");
  assert.deepEqual(made.args, [errno.EPIPE]);
  assert.equal(made.syscall, "send");
  assert.equal("address" in made, false);
  if (systemText) assert.ok(made.message.includes(systemText.strerror[errno.EPIPE]));

  const s = socket.socket(AF_INET, SOCK_DGRAM);
  const noPeer = thrown(() => s.getpeername());
  s.close();
  assert.equal(noPeer.code, "ENOTCONN");
  assert.equal(noPeer.syscall, "getpeername");
  assert.equal(noPeer.address, undefined);
});

test("strerror is CPython's e.strerror: the system's text for an errno, the resolver's for EAI_*", {
  skip: noPython,
}, () => {
  const refused = thrown(() => {
    const s = socket.socket(AF_INET, SOCK_STREAM);
    try {
      s.connect(["127.0.0.1", closedPort()]);
    } finally {
      s.close();
    }
  });
  assert.equal(refused.strerror, systemText.strerror[errno.ECONNREFUSED]);
  assert.equal(new socket.OSError(errno.EPIPE, "send").strerror, systemText.strerror[errno.EPIPE]);
  const gai = thrown(() => socket.getaddrinfo("localhost", null, 0, 0, 0, socket.AI_NUMERICHOST));
  assert.equal(gai.strerror, systemText.gai.numericHost[1]);
  // A message given by the caller is the text.
  assert.equal(new socket.OSError(errno.EINVAL, "bind", { message: "resolve first" }).strerror, "resolve first");
});

test("bind errors carry the address: EADDRINUSE on a port another socket holds", () => {
  const holder = socket.socket(AF_INET, SOCK_STREAM);
  holder.bind(["127.0.0.1", 0]);
  holder.listen();
  const address = holder.getsockname();
  const s = socket.socket(AF_INET, SOCK_STREAM);
  try {
    const error = thrown(() => s.bind(address));
    assert.ok(error instanceof socket.OSError);
    assert.equal(error.errno, errno.EADDRINUSE);
    assert.equal(error.code, "EADDRINUSE");
    assert.equal(error.syscall, "bind");
    assert.deepEqual(error.address, address);
    if (systemText) assert.ok(error.message.includes(systemText.strerror[errno.EADDRINUSE]));
    // A second bind of a bound socket is EINVAL, with its address too.
    const again = thrown(() => holder.bind(["127.0.0.1", 0]));
    assert.equal(again.code, "EINVAL");
    assert.deepEqual(again.address, ["127.0.0.1", 0]);
  } finally {
    s.close();
    holder.close();
  }
});

test("connect to a port bound then closed: ECONNREFUSED, blocking and with a timeout", () => {
  for (const timeout of [null, 2]) {
    const port = closedPort();
    const s = socket.socket(AF_INET, SOCK_STREAM);
    s.settimeout(timeout);
    const error = thrown(() => s.connect(["127.0.0.1", port]));
    s.close();
    assert.ok(error instanceof socket.OSError, String(error));
    assert.equal(error.errno, errno.ECONNREFUSED, `timeout ${timeout}: ${error.message}`);
    assert.equal(error.syscall, "connect");
    assert.deepEqual(error.address, ["127.0.0.1", port]);
  }
});

test("writing to a peer that reset the connection: EPIPE or ECONNRESET, and the process lives", () => {
  // In-process: the peer closes with SO_LINGER {on, 0}, which sends a RST at once.
  const [client, server] = tcpPair();
  server.setsockopt(SOL_SOCKET, SO_LINGER, linger(1, 0));
  const got = server.getsockopt(SOL_SOCKET, SO_LINGER, 8);
  assert.ok(got.equals(linger(1, 0)), `SO_LINGER read back ${got.toString("hex")}`);
  server.close();
  client.settimeout(2);
  const codes = new Set();
  for (let i = 0; i < 20; i++) {
    try {
      client.send(Buffer.alloc(1024, i));
    } catch (error) {
      assert.ok(error instanceof socket.OSError, String(error));
      assert.ok(error.errno === errno.EPIPE || error.errno === errno.ECONNRESET, error.message);
      assert.equal(error.syscall, "send");
      codes.add(error.code);
    }
  }
  assert.ok(codes.size > 0, "no send failed after the reset");
  // Once the reset is reported, the socket stays broken: EPIPE from then on.
  assert.throws(() => client.sendall("more"), { code: "EPIPE", syscall: "sendall" });
  client.close();
  assert.equal(process.exitCode ?? 0, 0);
});

test("sendall to a peer process that resets mid-transfer: EPIPE/ECONNRESET with `written`", {
  skip: noPython,
}, async () => {
  const peer = startPeer(
    "python",
    `
import socket, struct, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(15)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(15)
got = 0
while got < 100000:
    chunk = conn.recv(65536)
    if not chunk:
        break
    got += len(chunk)
conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
conn.close()
srv.close()
`,
  );
  const port = Number(await peer.ready);
  const s = socket.socket(AF_INET, SOCK_STREAM);
  s.connect(["127.0.0.1", port]);
  s.settimeout(10); // bounds the test even if the peer misbehaves
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let failure = null;
  let total = 0;
  for (let i = 0; i < 2000 && failure === null; i++) {
    try {
      s.sendall(chunk);
      total += chunk.length;
    } catch (error) {
      failure = error;
    }
  }
  s.close();
  const { code, stderr } = await peer.done;
  assert.equal(code, 0, stderr);
  assert.ok(failure !== null, "2000 × 64 KiB went out to a peer that reset after 100 kB");
  assert.ok(failure instanceof socket.OSError, String(failure));
  assert.ok(failure.errno === errno.EPIPE || failure.errno === errno.ECONNRESET, failure.message);
  assert.equal(failure.syscall, "sendall");
  assert.ok(
    Number.isInteger(failure.written) && failure.written >= 0 && failure.written <= chunk.length,
    `written = ${failure.written}`,
  );
  assert.ok(total >= 0);
});

test("writing to a gone peer raises no SIGPIPE (the signal is counted in a child process)", async () => {
  // Node ignores SIGPIPE, so a stray signal would go unnoticed here; the child installs a
  // handler that counts it, and checks first that a real SIGPIPE is counted.
  const { code, stdout, stderr } = await runNode(`
const s = await import(process.env.USOCKET);
let sigpipes = 0;
process.on("SIGPIPE", () => sigpipes++);
const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5)); };
process.kill(process.pid, "SIGPIPE");
await settle();
const control = sigpipes;
const codes = [];
const [a, b] = s.socketpair();
b.close();
const srv = s.socket();
srv.bind(["127.0.0.1", 0]);
srv.listen();
const c = s.socket();
c.connect(srv.getsockname());
const [conn] = srv.accept();
conn.close();
srv.close();
for (const sock of [a, c]) {
  for (const call of [() => sock.send("x"), () => sock.sendall("xy"), () => sock.write("xyz"), () => sock.send("x", s.MSG_DONTWAIT)]) {
    for (let i = 0; i < 3; i++) {
      try { call(); } catch (e) { codes.push(e.code); }
    }
  }
}
await settle();
console.log(JSON.stringify({ control, raised: sigpipes - control, codes }));
`);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout);
  assert.equal(result.control, 1, "the child could not see a SIGPIPE at all");
  assert.equal(result.raised, 0, "a send raised SIGPIPE");
  assert.ok(result.codes.length >= 12, JSON.stringify(result.codes));
  for (const c of result.codes) assert.ok(c === "EPIPE" || c === "ECONNRESET", c);
});

test("getaddrinfo errors are OSErrors with the resolver's negative EAI_* number and message", () => {
  const cases = {
    numericHost: [() => socket.getaddrinfo("localhost", null, 0, 0, 0, socket.AI_NUMERICHOST), "EAI_NONAME"],
    unknownService: [() => socket.getaddrinfo("127.0.0.1", "no-such-service-usocket"), "EAI_SERVICE"],
    numericServ: [() => socket.getaddrinfo("127.0.0.1", "http", 0, 0, 0, socket.AI_NUMERICSERV), "EAI_NONAME"],
    family: [() => socket.getaddrinfo("127.0.0.1", 80, 12345), "EAI_FAMILY"],
    socktype: [() => socket.getaddrinfo("127.0.0.1", 80, 0, 12345), "EAI_SOCKTYPE"],
    flags: [() => socket.getaddrinfo("127.0.0.1", 80, 0, 0, 0, 0x7fff0000), "EAI_BADFLAGS"],
    nothing: [() => socket.getaddrinfo(null, null), "EAI_NONAME"],
  };
  for (const [name, [call, code]] of Object.entries(cases)) {
    const error = thrown(call);
    assert.ok(error instanceof socket.OSError, `${name}: ${String(error)}`);
    assert.ok(error instanceof Error);
    assert.ok(error.errno < 0, `${name}: errno ${error.errno} is not negative`);
    assert.equal(error.errno, socket[code], name);
    assert.equal(error.code, code, name);
    assert.deepEqual(error.args, [error.errno]);
    assert.equal(error.syscall, "getaddrinfo");
    if (systemText) {
      // The same number and text as CPython's socket.gaierror on this machine.
      const [pyErrno, pyText] = systemText.gai[name];
      assert.equal(error.errno, pyErrno, name);
      assert.ok(error.message.includes(pyText), `${name}: ${error.message} lacks ${pyText}`);
    }
  }
});

test("the EAI_* constants: the system's negative values, distinct, as CPython has them", () => {
  const names = [
    "EAI_AGAIN",
    "EAI_BADFLAGS",
    "EAI_FAIL",
    "EAI_FAMILY",
    "EAI_MEMORY",
    "EAI_NONAME",
    "EAI_SERVICE",
    "EAI_SOCKTYPE",
  ];
  const values = new Set();
  for (const name of names) {
    const value = socket[name];
    assert.ok(Number.isInteger(value) && value < 0, `${name} = ${value}`);
    values.add(value);
  }
  assert.equal(values.size, names.length, "the EAI_* values are distinct");
  if (systemText) {
    for (const [name, value] of Object.entries(systemText.eai)) {
      if (socket[name] !== undefined) assert.equal(socket[name], value, name);
    }
    for (const name of names) assert.equal(socket[name], systemText.eai[name], name);
  }
});

test("errorcode maps positive errno values only, to their usual names", () => {
  const { errorcode } = errno;
  const keys = Object.keys(errorcode).map(Number);
  assert.ok(keys.length > 30);
  for (const key of keys) {
    assert.ok(Number.isInteger(key) && key > 0, `errorcode has key ${key}`);
    assert.match(errorcode[key], /^E[A-Z0-9]+$/);
    assert.equal(errno[errorcode[key]], key, `${errorcode[key]} names ${key}`);
  }
  for (const name of ["ETIMEDOUT", "ECONNREFUSED", "EINPROGRESS", "EBADF", "EINVAL", "EPIPE", "ENOENT"]) {
    assert.equal(errorcode[errno[name]], name);
  }
  // Aliases keep the usual name.
  assert.equal(errorcode[errno.EAGAIN], "EAGAIN");
  assert.equal(errno.EWOULDBLOCK, errno.EAGAIN);
  // Resolver errors are not errno values.
  for (const eai of [socket.EAI_NONAME, socket.EAI_SERVICE, socket.EAI_FAMILY, -1]) {
    assert.equal(errorcode[eai], undefined);
  }
  assert.equal(errorcode[0], undefined);
  // An OSError's code agrees with errorcode.
  const s = socket.socket(AF_INET, SOCK_STREAM);
  s.close();
  const error = thrown(() => s.recv(1));
  assert.equal(error.code, errorcode[error.errno]);
});
