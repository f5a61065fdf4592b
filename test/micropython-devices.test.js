// The bridge's fast path (src/micropython/devices.ts): send, recv, recv_into and the stream
// methods read, readinto and write go through a device file of the port's file system. These
// tests hold it to the socket rules the calls path keeps: one system call per recv/send (a
// short transfer ends the call), the stream rules for read/readinto/write, errors, timeouts,
// non-blocking sockets and Ctrl-C raised exactly as before, and the port's descriptors given
// back (close, garbage collection) or missed gracefully (none left).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runMp, startMp } from "./support/micropython.js";

async function check(script, opts) {
  const r = await runMp(script, opts);
  assert.equal(r.stderr, "", r.stderr);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

const PAIR = `
import socket, errno, select
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(4)
def pair():
    a = socket.socket()
    a.connect(srv.getsockname())
    b, _ = srv.accept()
    return a, b
a, b = pair()
`;

test("recv and recv_into return what one system call brings, without waiting for the rest; EOF is b''", async () => {
  const out = await check(`${PAIR}
a.settimeout(5)
b.send(b'hello')
print(a.recv(100))
b.send(b'abc')
buf = bytearray(10)
print(a.recv_into(buf), buf[:3])
b.send(b'0123456789')
print(a.recv(4), a.recv(100))
print(a.recv(1), a.recv(1)) if b.send(b'xy') else None
b.close()
print(a.recv(10), a.recv(10))
print(type(a._io).__name__)
`);
  assert.deepEqual(out, ["b'hello'", "3 bytearray(b'abc')", "b'0123' b'456789'", "b'x' b'y'", "b'' b''", "FileIO"]);
});

test("send on a non-blocking socket: a short send returns its count, a full buffer raises EAGAIN; recv raises EAGAIN", async () => {
  const out = await check(`${PAIR}
a.setblocking(False)
try:
    a.recv(10)
except OSError as e:
    print('recv', e.args[0] == errno.EAGAIN, len(e.args))
big = bytes(8 * 1024 * 1024)
n = a.send(big)
print('short', 0 < n < len(big))
try:
    while True:
        a.send(big)
except OSError as e:
    print('send', e.args[0] == errno.EAGAIN, len(e.args))
# the stream methods answer None instead
print(a.write(big), a.read(10), a.readinto(bytearray(4)))
`);
  assert.deepEqual(out, ["recv True 1", "short True", "send True 1", "None None None"]);
});

test("read, readinto and write keep the stream rules: all asked for on a blocking socket, what there is on a non-blocking one", async () => {
  const out = await check(`${PAIR}
a.settimeout(5)
b.send(b'12')
# the rest comes in a second piece: read(6) waits for it (a partial read would return b'12')
p = select.poll()
p.register(a, select.POLLIN)
p.poll(1000)
b.send(b'3456')
print(a.read(6))
b.send(b'xyz')
buf = bytearray(3)
print(a.readinto(buf), buf)
print(a.write(b'hello'), b.recv(10))
a.setblocking(False)
b.send(b'ab')
p.poll(1000)
print(a.read(10), a.read(10))
b.send(b'cd')
p.poll(1000)
buf = bytearray(8)
print(a.readinto(buf), buf[:2])
b.close()
a.setblocking(True)
print(a.read(5), a.readinto(bytearray(2)))
`);
  assert.deepEqual(out, [
    "b'123456'",
    "3 bytearray(b'xyz')",
    "5 b'hello'",
    "b'ab' None",
    "2 bytearray(b'cd')",
    "b'' 0",
  ]);
});

test("errors and timeouts are the calls path's: ETIMEDOUT, ECONNRESET, ENOTCONN, EBADF after close; str, arrays and MSG_PEEK still work", async () => {
  const out = await check(`${PAIR}
def attempt(name, f):
    try:
        r = f()
        print(name, 'ok', r)
    except Exception as e:
        print(name, type(e).__name__, e.args[0] if isinstance(e, OSError) else '', len(e.args))
a.settimeout(0.2)
attempt('recv timeout', lambda: a.recv(10))
attempt('read timeout', lambda: a.read(10))
attempt('recv_into timeout', lambda: a.recv_into(bytearray(4)))
attempt('send str', lambda: a.send('h\\u00e9'))
attempt('peer got', lambda: b.recv(10))
from array import array
attempt('write array', lambda: a.write(array('h', [1, 2])))
attempt('peer got', lambda: b.recv(10))
attempt('send int', lambda: a.send(5))
attempt('write int', lambda: a.write(5))
b.send(b'peek')
attempt('peek', lambda: a.recv(10, socket.MSG_PEEK))
attempt('after peek', lambda: a.recv(10))
attempt('recv float', lambda: a.recv(1.5))
attempt('recv 0', lambda: a.recv(0))
attempt('send empty', lambda: a.send(b''))
u = socket.socket()
attempt('unconnected recv', lambda: u.recv(1))
attempt('unconnected send', lambda: u.send(b'x'))
c, d = pair()
d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, bytes([1, 0, 0, 0, 0, 0, 0, 0]))
c.send(b'x')
d.close()
import time
time.sleep(0.1)
attempt('reset', lambda: c.recv(10))
a.close()
attempt('closed recv', lambda: a.recv(1))
attempt('closed send', lambda: a.send(b'x'))
attempt('closed read', lambda: a.read(1))
attempt('closed write', lambda: a.write(b'x'))
`);
  assert.deepEqual(out, [
    "recv timeout OSError 110 1",
    "read timeout OSError 110 1",
    "recv_into timeout OSError 110 1",
    "send str ok 3",
    "peer got ok b'h\\xc3\\xa9'",
    "write array ok 4",
    "peer got ok b'\\x01\\x00\\x02\\x00'",
    "send int TypeError  1",
    "write int TypeError  1",
    "peek ok b'peek'",
    "after peek ok b'peek'",
    "recv float TypeError  1",
    "recv 0 ok b''",
    "send empty ok 0",
    "unconnected recv OSError 107 1",
    "unconnected send OSError 32 1",
    "reset OSError 104 1",
    "closed recv OSError 9 1",
    "closed send OSError 9 1",
    "closed read OSError 9 1",
    "closed write OSError 9 1",
  ]);
});

test("a connected UDP socket: recv returns one datagram (shorter than asked, or cut to the size asked)", async () => {
  const out = await check(`
import socket
x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
x.bind(('127.0.0.1', 0))
y = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
y.bind(('127.0.0.1', 0))
y.connect(x.getsockname())
x.connect(y.getsockname())
y.settimeout(5)
x.send(b'one')
x.send(b'second datagram')
x.send(b'')
print(y.recv(100), y.recv(6), y.recv(100))
`);
  assert.deepEqual(out, ["b'one' b'second' b''"]);
});

test("Ctrl-C in a recv blocked on the fast path is KeyboardInterrupt, and the socket still works", async () => {
  const mp = startMp(
    [
      "-c",
      `${PAIR}
a.send(b'x')
print(b.recv(1))
print('ready')
try:
    b.recv(10)
except KeyboardInterrupt:
    print('interrupted recv')
a.send(b'after')
print(b.recv(10))
`,
    ],
    { input: "" },
  );
  assert.equal(await mp.line(), "b'x'");
  assert.equal(await mp.line(), "ready");
  await new Promise((r) => setTimeout(r, 200));
  mp.child.kill("SIGINT");
  const r = await mp.done;
  assert.equal(r.stdout, "b'x'\nready\ninterrupted recv\nb'after'\n", r.stderr);
  assert.equal(r.code, 0);
});

test("the port's descriptors: given back by close; when none is left, sockets use the calls path", async () => {
  const out = await check(`${PAIR}
def used(s):
    s.send(b'x')
    return s._io.fileno()
first = used(a)
for i in range(300):
    c, d = pair()
    used(c)
    d.send(b'y')
    c.recv(1)
    c.write(b'z')
    d.read(1)
    c.close()
    d.close()
c, d = pair()
print('reused after close', used(c) <= first + 2)
c.close()
d.close()
# every descriptor of the port's file system taken: the next socket has no device file
held = []
try:
    while True:
        held.append(open('/dev/usocket-heap', 'wb'))
except OSError as e:
    print('port full', len(held) > 1000)
c, d = pair()
c.send(b'calls')
print(d.recv(10), c._io)
d.send(b'back')
print(c.recv(10), c.read(2) if d.send(b'st') else None, c._st)
c.close()
d.close()
for f in held:
    f.close()
c, d = pair()
print('device again', used(c) > 0, d.recv(1))
`);
  assert.deepEqual(out, [
    "reused after close True",
    "port full True",
    "b'calls' False",
    "b'back' b'st' False",
    "device again True b'x'",
  ]);
});

test("in-process: a socket dropped without close gives its device files back when the interpreter collects", async () => {
  const { loadMicroPython } = await import("../dist/micropython/index.js");
  const printed = [];
  const mp = await loadMicroPython({ stdout: (line) => printed.push(line) });
  const open = () => mp.FS.streams.filter((s) => s != null).length;
  mp.runPython(`${PAIR}
a.send(b'x')
b.recv(1)
`);
  const before = open();
  // the port collects only between calls from JavaScript (never while a script runs)
  mp.runPython(`
nums = []
for i in range(20):
    c, d = pair()
    c.send(b'x')
    d.recv(1)
    c.write(b'y')
    d.read(1)
    nums.append(c._io.fileno())
    socket._close(c._id)  # the host socket closed, the Python object only dropped
    d.close()
print(len(set(nums)))
c = d = None
`);
  assert.deepEqual(printed, ["20"]);
  mp.runPython("import gc\ngc.collect()");
  mp.runPython("pass");
  assert.equal(open(), before);
  mp.runPython("a.close()\nb.close()\nsrv.close()");
  assert.equal(open(), before - 2);
});
