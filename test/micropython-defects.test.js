// The bridge's own defects (issue 11: 1, 4, 5, 10), MicroPython's stream arguments, and
// Ctrl-C as KeyboardInterrupt in a script blocked in a socket call or a sleep.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runMp, startMp } from "./support/micropython.js";

const check = async (code) => {
  const r = await runMp(code);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  return r.stdout;
};

const PAIR = `
import socket
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(1)
a = socket.socket()
a.connect(srv.getsockname())
b, _ = srv.accept()
def got(n):
    out = b''
    while len(out) < n:
        out += b.recv(n - len(out))
    return out
`;

test("memoryviews over multi-byte arrays cross as their bytes: send, sendall, write, recv_into, readinto (defect 1)", async () => {
  const out = await check(`${PAIR}
from array import array
ints = array('i', [7, 8, 9])
print(a.send(memoryview(ints)), len(got(12)))
a.sendall(memoryview(ints))
print(len(got(12)))
a.sendall(ints)
print(len(got(12)))
print(a.write(memoryview(ints)), len(got(12)))
into = array('i', [0, 0, 0])
b.send(bytes(range(12)))
print(a.recv_into(memoryview(into)), list(into) == list(array('i', bytes(range(12)))))
into2 = array('h', [0, 0, 0, 0])
b.send(bytes(range(8)))
print(a.readinto(into2), bytes(into2) == bytes(range(8)))
`);
  assert.equal(out, "12 12\n12\n12\n12 12\n12 True\n8 True\n");
});

test("write(buf, max_len), write(buf, off, max_len) and readinto(buf, nbytes) as MicroPython's streams", async () => {
  const out = await check(`${PAIR}
print(a.write(b'0123456789', 4), got(4))
print(a.write(b'0123456789', 3, 5), got(5))
print(a.write(b'0123456789', 8, 100), got(2))
print(a.write(b'0123456789', 20, 5), a.write(bytearray(b'xyz'), 0))
buf = bytearray(10)
b.send(b'abcdefghij')
print(a.readinto(buf, 3), buf[:3], a.readinto(buf, 7), buf[:7])
`);
  assert.equal(out, "4 b'0123'\n5 b'34567'\n2 b'89'\n0 0\n3 bytearray(b'abc') 7 bytearray(b'defghij')\n");
});

test("a read-only buffer or a non-buffer is a TypeError, as CPython (defect 10)", async () => {
  const out = await check(`${PAIR}
def kind(f, *args):
    try:
        f(*args)
        return 'accepted'
    except Exception as e:
        return type(e).__name__
print(kind(a.send, [1, 2]), kind(a.sendall, 5), kind(a.recv_into, b'abc'), kind(a.recv_into, memoryview(b'abc')))
print(kind(socket.inet_pton, socket.AF_INET, b'1.2.3.4'), kind(socket.inet_ntop, socket.AF_INET, 'str4'))
print(socket.inet_ntop(socket.AF_INET, memoryview(bytearray(b'\\x7f\\x00\\x00\\x01'))))
`);
  assert.equal(out, "TypeError TypeError TypeError TypeError\nTypeError TypeError\n127.0.0.1\n");
});

test("NUL in a host is refused, never cut: bind, connect, getaddrinfo, inet_pton (defect 4)", async () => {
  const out = await check(`
import socket
def kind(f, *args):
    try:
        f(*args)
        return 'accepted'
    except Exception as e:
        return type(e).__name__
s = socket.socket()
print(kind(s.bind, ('\\x00', 0)), kind(s.connect, ('127.0.0.1\\x00evil', 80)))
print(kind(socket.getaddrinfo, '127.0.0.1\\x00evil', 80), kind(socket.inet_pton, socket.AF_INET, '1.2.3.4\\x00'))
print(s.getsockname())
`);
  assert.equal(out, "TypeError TypeError\nTypeError ValueError\n('0.0.0.0', 0)\n");
});

test("ints beyond 32 bits are an OverflowError, never wrapped: shutdown, flags, register, setsockopt (defect 5)", async () => {
  const out = await check(`${PAIR}
import select
def kind(f, *args):
    try:
        f(*args)
        return 'accepted'
    except Exception as e:
        return type(e).__name__
p = select.poll()
print(kind(a.shutdown, 2**32 + 1), kind(a.send, b'x', 2**32 + 2), kind(a.recv, 1, 2**33), kind(p.register, 2**32 + a.fileno()))
print(kind(a.setsockopt, 2**32 + 1, 1, 1), kind(socket.socket, 2**32 + 2))
a.send(b'still fine')
print(got(10))
`);
  assert.equal(
    out,
    "OverflowError OverflowError OverflowError OverflowError\nOverflowError OverflowError\nb'still fine'\n",
  );
});

test("select.select's timeout: too large is OverflowError, negative or NaN is ValueError, as CPython", async () => {
  const out = await check(`${PAIR}
import select
def kind(t):
    try:
        select.select([a], [a], [], t)
        return 'accepted'
    except Exception as e:
        return type(e).__name__
print(kind(2**64), kind(1e300), kind(-1), kind(float('nan')), kind(0), kind(0.01))
`);
  assert.equal(out, "OverflowError OverflowError ValueError ValueError accepted accepted\n");
});

test("Ctrl-C: a script blocked in accept() or time.sleep gets KeyboardInterrupt (caught, or the unix port's traceback and status 130)", async () => {
  const caught = startMp(
    [
      "-c",
      `
import socket, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(1)
print('ready')
try:
    s.accept()
except KeyboardInterrupt:
    print('interrupted accept')
print('ready')
try:
    time.sleep(30)
except KeyboardInterrupt:
    print('interrupted sleep')
`,
    ],
    { input: "" },
  );
  assert.equal(await caught.line(), "ready");
  caught.child.kill("SIGINT");
  assert.equal(await caught.line(), "interrupted accept");
  assert.equal(await caught.line(), "ready");
  await new Promise((r) => setTimeout(r, 200));
  caught.child.kill("SIGINT");
  const r = await caught.done;
  assert.equal(r.stdout, "ready\ninterrupted accept\nready\ninterrupted sleep\n", r.stderr);
  assert.equal(r.code, 0);

  const uncaught = startMp(
    ["-c", "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(1)\nprint('ready')\ns.accept()\n"],
    { input: "" },
  );
  assert.equal(await uncaught.line(), "ready");
  uncaught.child.kill("SIGINT");
  const u = await uncaught.done;
  // the unix port (1.27's pyexec): the traceback on stdout and status 130, as for SIGINT
  assert.equal(u.code, 130);
  assert.match(
    u.stdout,
    /^ready\nTraceback \(most recent call last\):\n {2}File "<stdin>", line 6, in <module>\nKeyboardInterrupt: \n$/,
  );
});
