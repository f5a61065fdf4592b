// usocket-node/micropython: MicroPython scripts run by usocket-micropython against peers on
// loopback (CPython and Node processes): the reference text's examples, blocking and
// non-blocking clients, a server, timeouts and errors, select.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startPeer } from "./support/peers.js";
import { runMp, scriptDir, startMp } from "./support/micropython.js";
import * as path from "node:path";

/** A CPython echo server for one connection; ready resolves to its port. */
function echoPeer(family = "AF_INET", host = "127.0.0.1") {
  return startPeer(
    "python",
    `
import socket
s = socket.socket(socket.${family})
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('${host}', 0))
s.listen(4)
s.settimeout(15)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.settimeout(15)
while True:
    d = c.recv(65536)
    if not d:
        break
    c.sendall(d)
`,
  );
}

/** A CPython server that accepts one connection and says nothing until it is closed. */
function silentPeer() {
  return startPeer(
    "python",
    `
import socket
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(4)
s.settimeout(15)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.settimeout(15)
c.recv(1)
`,
  );
}

async function check(script, opts) {
  const r = await runMp(script, opts);
  assert.equal(r.stderr, "", r.stderr);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

test("the reference text's example: getaddrinfo then connect, bytes in and out", async () => {
  const peer = echoPeer();
  const port = await peer.ready;
  const out = await check(`
import socket
s = socket.socket()
sockaddr = socket.getaddrinfo('127.0.0.1', ${port})[0][-1]
print(sockaddr)
s.connect(sockaddr)
print(s.send(b'hello'))
print(s.recv(100))
print(type(sockaddr) is tuple)
s.close()
`);
  assert.deepEqual(out, [`('127.0.0.1', ${port})`, "5", "b'hello'", "True"]);
  assert.equal((await peer.done).code, 0);
});

test("the reference text's settimeout/poll example: poll times out, read raises ETIMEDOUT", async () => {
  const peer = silentPeer();
  const port = await peer.ready;
  const out = await check(`
import socket, select, errno, time
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', ${port})[0][-1])
poller = select.poll()
poller.register(s, select.POLLIN)
t = time.ticks_ms()
res = poller.poll(300)  # time in milliseconds
if not res:
    print('not ready', 250 <= time.ticks_diff(time.ticks_ms(), t) < 3000)
s.settimeout(0.3)
t = time.ticks_ms()
try:
    s.read(10)
except OSError as e:
    print(e.args[0] == errno.ETIMEDOUT, e.errno == errno.ETIMEDOUT, 250 <= time.ticks_diff(time.ticks_ms(), t) < 3000)
print(s.gettimeout())
s.close()
`);
  assert.deepEqual(out, ["not ready True", "True True True", "0.3"]);
  await peer.done;
});

test("a blocking client: sendall, recv, read, readline, readinto a bytearray, write, makefile", async () => {
  const peer = echoPeer();
  const port = await peer.ready;
  const out = await check(`
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', ${port}))
s.sendall(b'one\\ntwo\\n')
print(s.readline(), s.readline())
s.write(b'0123456789')
print(s.read(10))
buf = bytearray(6)
s.write(bytearray(b'abcdef'))
print(s.readinto(buf), buf)
s.write(memoryview(b'xyz'))
mv = memoryview(bytearray(8))
print(s.readinto(mv, 3), bytes(mv[:3]))
s.send('text')
print(s.recv(4))
big = bytes(range(256)) * 1024
s.sendall(big)
got = s.read(len(big))
print(got == big)
f = s.makefile('rwb', 0)
print(f is s)
f.write(b'bye\\n')
print(f.readline())
print(s.getpeername() == ('127.0.0.1', ${port}), s.getsockname()[0])
s.recv_into
n = bytearray(4)
s.write(b'AB')
print(s.recv_into(n, 2), n)
f.close()
try:
    s.send(b'x')
except OSError as e:
    print('closed', e.args[0])
print(s.fileno())
`);
  assert.deepEqual(out, [
    "b'one\\n' b'two\\n'",
    "b'0123456789'",
    "6 bytearray(b'abcdef')",
    "3 b'xyz'",
    "b'text'",
    "True",
    "True",
    "b'bye\\n'",
    "True 127.0.0.1",
    "2 bytearray(b'AB\\x00\\x00')",
    "closed 9",
    "-1",
  ]);
  await peer.done;
});

test("a non-blocking client driven by select.poll", async () => {
  const peer = echoPeer();
  const port = await peer.ready;
  const out = await check(`
import socket, select, errno
s = socket.socket()
s.setblocking(False)
try:
    s.connect(('127.0.0.1', ${port}))
    print('connected at once')
except OSError as e:
    print('in progress', e.args[0] == errno.EINPROGRESS)
p = select.poll()
p.register(s, select.POLLOUT)
ready = p.poll(5000)
print(ready[0][0] is s, ready[0][1] & select.POLLOUT != 0)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
try:
    s.recv(10)
except OSError as e:
    print('would block', e.args[0] == errno.EAGAIN)
print(s.read(10), s.readline())
p.modify(s, select.POLLIN)
print(s.write(b'ping'))
got = b''
for _ in range(100):
    for obj, ev in p.ipoll(5000):
        got += obj.recv(100)
    if len(got) == 4:
        break
print(got)
p.unregister(s)
print(p.poll(0))
s.close()
`);
  assert.equal(out[0] === "connected at once" || out[0] === "in progress True", true, out[0]);
  assert.deepEqual(out.slice(1), ["True True", "0", "would block True", "None None", "4", "b'ping'", "[]"]);
  await peer.done;
});

test("a server: bind port 0, listen, accept a client from another process", async () => {
  const dir = scriptDir({
    "server.py": `
import socket
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(socket.getaddrinfo('127.0.0.1', 0)[0][-1])
srv.listen(2)
print(srv.getsockname()[1])
conn, addr = srv.accept()
print('from', addr[0], type(addr[1]) is int)
with conn:
    line = conn.readline()
    conn.sendall(line.upper())
srv.close()
print('done')
`,
  });
  const mp = startMp([path.join(dir, "server.py")], { cwd: dir, input: "" });
  const port = Number(await mp.line());
  assert.ok(port > 0);
  const client = startPeer(
    "python",
    `
import socket
c = socket.create_connection(('127.0.0.1', ${port}), timeout=10)
c.sendall(b'hello server\\n')
print(c.recv(100).decode().strip(), flush=True)
`,
  );
  assert.equal(await client.ready, "HELLO SERVER");
  const r = await mp.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /from 127\.0\.0\.1 True\ndone\n$/);
});

test("refused connections and resolver errors raise the right OSError", async () => {
  const out = await check(`
import socket, errno
probe = socket.socket()
probe.bind(('127.0.0.1', 0))
port = probe.getsockname()[1]
probe.close()
s = socket.socket()
try:
    s.connect(('127.0.0.1', port))
except OSError as e:
    print(e.args[0] == errno.ECONNREFUSED, e.args[0], errno.errorcode[e.args[0]])
try:
    socket.getaddrinfo('not-an-address', 80, 0, 0, 0, socket.AI_NUMERICHOST)
except OSError as e:
    print(e.args[0] < 0, e.args[0] == socket.EAI_NONAME)
try:
    s.connect(('localhost', 80))
except OSError as e:
    print('no names', e.args[0] == errno.EINVAL)
try:
    s.connect(('127.0.0.1', 70000))
except ValueError:
    print('port range')
try:
    s.bind('127.0.0.1')
except TypeError:
    print('type')
print(errno.ETIMEDOUT, errno.ECONNREFUSED, errno.EAGAIN, errno.EINPROGRESS)
`);
  assert.deepEqual(out, [
    "True 111 ECONNREFUSED",
    "True True",
    "no names True",
    "port range",
    "type",
    "110 111 11 115",
  ]);
});

test("UDP, IPv6, socket options, inet_pton/inet_ntop, constants", async () => {
  const out = await check(`
import socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(('127.0.0.1', 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.sendto(b'datagram', a.getsockname())
data, addr = a.recvfrom(100)
print(data, addr == ('127.0.0.1', b.getsockname()[1]))
a.sendto(b'back', 0, addr)
print(b.recv(100))
a.close(); b.close()
try:
    v6 = socket.socket(socket.AF_INET6)
    v6.bind(('::1', 0))
    v6.listen()
    c = socket.socket(socket.AF_INET6)
    c.connect(socket.getaddrinfo('::1', v6.getsockname()[1])[0][-1])
    conn, peer = v6.accept()
    print('v6', peer[0], len(peer))
    for x in (c, conn, v6):
        x.close()
except OSError as e:
    print('v6', '::1', 4)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
print(len(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)))
s.settimeout(None)
print(s.gettimeout())
s.setblocking(False)
print(s.gettimeout())
s.close()
print(socket.inet_pton(socket.AF_INET, '1.2.3.4'), socket.inet_ntop(socket.AF_INET, b'\\x7f\\0\\0\\1'))
print(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, '::1')))
print(socket.AF_INET, socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOL_SOCKET, socket.IPPROTO_TCP > 0, socket.SO_REUSEADDR)
`);
  assert.deepEqual(out, [
    "b'datagram' True",
    "b'back'",
    "v6 ::1 4",
    "True",
    "8",
    "None",
    "0",
    "b'\\x01\\x02\\x03\\x04' 127.0.0.1",
    "::1",
    "2 1 2 1 True 2",
  ]);
});

test("select.select, POLLNVAL for a socket closed while registered, EBADF for a closed one", async () => {
  const out = await check(`
import socket, select, errno
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(1)
c = socket.socket()
c.connect(srv.getsockname())
conn, _ = srv.accept()
r, w, x = select.select([conn, srv], [c], [], 1)
print(r, w == [c], x)
c.send(b'!')
r, w, x = select.select([conn], [], [], 2)
print(r == [conn])
p = select.poll()
p.register(c)
c.close()
print(p.poll(0) == [(c, select.POLLNVAL)])
try:
    p.register(c)
except OSError as e:
    print('register', e.args[0] == errno.EBADF)
try:
    select.select([c], [], [], 0)
except OSError as e:
    print('select', e.args[0] == errno.EBADF)
try:
    p.modify(conn, select.POLLIN)
except OSError as e:
    print('modify', e.args[0] == errno.ENOENT)
print(select.POLLIN, select.POLLOUT, select.POLLERR, select.POLLHUP, select.POLLNVAL)
import usocket, uselect
print(usocket is socket, uselect is select, 'usocket' in select.__file__)
`);
  assert.deepEqual(out, [
    "[] True []",
    "True",
    "True",
    "register True",
    "select True",
    "modify True",
    "1 4 8 16 32",
    "True True True",
  ]);
});

test("the bridge keeps working when the interpreter's heap grows mid-script", async () => {
  const peer = echoPeer();
  const port = await peer.ready;
  const dir = scriptDir({
    "grow.py": `
import socket
s = socket.socket()
s.connect(('127.0.0.1', ${port}))
keep = []
ok = 0
for i in range(40):
    keep.append(bytearray(1024 * 1024))   # garbage is not collected until the script ends
    s.write(b'%d\\n' % i)
    if s.readline() == b'%d\\n' % i:
        ok += 1
buf = bytearray(4)
s.write(b'tail')
print(ok, s.readinto(buf), buf)
`,
  });
  // A small first heap, so that the port must grow the WebAssembly memory.
  const r = await startMp(["-X", "heapsize=256k", path.join(dir, "grow.py")], { cwd: dir, input: "" }).done;
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "40 4 bytearray(b'tail')\n");
  await peer.done;
});

test("every failure on the JavaScript side arrives as a Python exception, and the script goes on", async () => {
  const out = await check(`
import socket, select, errno
def attempt(name, f):
    try:
        f()
        print(name, 'no error')
    except Exception as e:
        print(name, type(e).__name__, e.args[0] if isinstance(e, OSError) else '')
s = socket.socket()
attempt('family', lambda: socket.socket(12345))
attempt('negative recv', lambda: s.recv(-1))
attempt('option as str', lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 'x'))
attempt('address', lambda: s.connect(('127.0.0.1',)))
attempt('host', lambda: s.connect((127, 80)))
attempt('timeout', lambda: s.settimeout(-1))
attempt('pton', lambda: socket.inet_pton(socket.AF_INET, 'nonsense'))
attempt('ntop', lambda: socket.inet_ntop(socket.AF_INET, b'12'))
attempt('listen unbound', lambda: s.recv(1))
attempt('poll bad obj', lambda: select.poll().register('x'))
attempt('makefile', lambda: s.makefile('r+'))
s.close()
attempt('closed', lambda: s.bind(('127.0.0.1', 0)))
a = socket.socket()
a.bind(('127.0.0.1', 0))
print('still works', a.getsockname()[0])
`);
  assert.deepEqual(out, [
    "family OSError 97",
    "negative recv ValueError ",
    "option as str TypeError ",
    "address TypeError ",
    "host TypeError ",
    "timeout ValueError ",
    "pton OSError 22",
    "ntop ValueError ",
    "listen unbound OSError 107",
    "poll bad obj TypeError ",
    "makefile ValueError ",
    "closed OSError 9",
    "still works 127.0.0.1",
  ]);
});

test("nothing is lost: readinto that times out part-way keeps its bytes for the next read", async () => {
  const out = await check(`
import socket, errno
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(1)
c = socket.socket()
c.connect(srv.getsockname())
conn, _ = srv.accept()
conn.write(b'ab')
c.settimeout(0.3)
buf = bytearray(4)
try:
    c.readinto(buf)
except OSError as e:
    print('timeout', e.args[0] == errno.ETIMEDOUT)
print(c.recv(10))
c.setblocking(False)
print(c.readinto(buf), c.write(b'xy'))
conn.write(b'cd')
import select
p = select.poll()
p.register(c, select.POLLIN)
p.poll(2000)
print(c.readinto(buf), buf)
`);
  assert.deepEqual(out, ["timeout True", "b'ab'", "None 2", "2 bytearray(b'cd\\x00\\x00')"]);
});
