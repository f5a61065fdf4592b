// The bridge's asyncio (src/micropython/py/asyncio/) against CPython peers on loopback:
// servers and clients, many connections at once, a peer that resets, a refused connection,
// wait_for timeouts on a silent peer, cancellation of tasks blocked on sockets, large
// writes that need drain(), and tasks created before the loop runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startPeer } from "./support/peers.js";
import { runMp, scriptDir, startMp } from "./support/micropython.js";
import * as path from "node:path";

/** Runs a bridge script that prints its server's port first; returns { port, done }. */
async function mpServer(script) {
  const dir = scriptDir({ "server.py": script });
  const mp = startMp([path.join(dir, "server.py")], { cwd: dir, input: "" });
  const first = await mp.line();
  const port = Number(first);
  assert.ok(port > 0, `expected a port, got ${first}`);
  return { port, mp };
}

const ECHO_SERVER = `
import asyncio

served = 0
all_done = asyncio.Event()

async def echo(reader, writer):
    global served
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()
    served += 1
    if served == 20:
        all_done.set()

async def main():
    srv = await asyncio.start_server(echo, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1])
    async with srv:
        await asyncio.wait_for(all_done.wait(), 20)
    print("closed", served)

asyncio.run(main())
`;

test("server: 20 CPython clients at once, each a conversation of lines, served concurrently", async () => {
  const { port, mp } = await mpServer(ECHO_SERVER);
  const peer = startPeer(
    "python",
    `
import socket, sys, threading
port = int(sys.argv[1])
results = [None] * 20
def client(i):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rwb")
    got = []
    for j in range(10):
        f.write(b"client %d line %d\\n" % (i, j)); f.flush()
        got.append(f.readline())
    s.shutdown(socket.SHUT_WR)
    rest = f.read()
    results[i] = (got == [b"CLIENT %d LINE %d\\n" % (i, j) for j in range(10)], rest)
    s.close()
ts = [threading.Thread(target=client, args=(i,)) for i in range(20)]
for t in ts: t.start()
for t in ts: t.join()
print("ok" if all(r == (True, b"") for r in results) else results)
`,
    { args: [String(port)] },
  );
  assert.equal(await peer.ready, "ok");
  const r = await mp.done;
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, `${port}\nclosed 20\n`);
  assert.equal(r.code, 0);
});

test("server: a peer that resets (SO_LINGER 0) gives ECONNRESET in the handler; the server keeps serving", async () => {
  const { port, mp } = await mpServer(`
import asyncio
done = asyncio.Event()
async def handler(reader, writer):
    first = await reader.read(5)
    try:
        while True:
            more = await reader.read(100)
            if not more:
                print("eof")
                break
    except OSError as e:
        print("OSError", e.errno, first)
    writer.close()
    done.set()
async def main():
    srv = await asyncio.start_server(handler, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1])
    await asyncio.wait_for(done.wait(), 10)
    done.clear()
    await asyncio.wait_for(done.wait(), 10)
    srv.close()
    await srv.wait_closed()
asyncio.run(main())
`);
  const peer = startPeer(
    "python",
    `
import socket, struct, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"hello")
time.sleep(0.2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
time.sleep(0.2)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"again")
s.close()
print("sent")
`,
    { args: [String(port)] },
  );
  assert.equal(await peer.ready, "sent");
  const r = await mp.done;
  assert.equal(r.stdout, `${port}\nOSError 104 b'hello'\neof\n`);
  assert.equal(r.code, 0, r.stderr);
});

test("client: open_connection to a CPython server, 4 MiB through write+drain over small socket buffers to a peer that reads late, read to EOF", async () => {
  const peer = startPeer(
    "python",
    `
import hashlib, socket, time
srv = socket.socket()
# a small receive window (the accepted socket inherits it): the writer must wait on it
srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
srv.bind(("127.0.0.1", 0)); srv.listen(1)
print(srv.getsockname()[1], flush=True)
c, _ = srv.accept()
time.sleep(0.3)
h = hashlib.sha256(); n = 0
while n < 4 << 20:
    b = c.recv(1 << 20)
    if not b: break
    h.update(b); n += len(b)
c.sendall(h.hexdigest().encode() + b" %d" % n)
c.close()
`,
  );
  const port = Number(await peer.ready);
  const r = await runMp(`
import asyncio, hashlib, binascii, socket
async def main():
    reader, writer = await asyncio.open_connection("127.0.0.1", ${port})
    # a small send buffer too: a 64 KiB write cannot all go at once, however fast the peer
    writer.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    chunk = bytes(range(256)) * 256
    h = hashlib.sha256()
    held = 0
    for i in range(64):
        writer.write(chunk)
        if writer.out_buf:
            held += 1
        h.update(chunk)
        await writer.drain()
    reply = await reader.read()
    print(reply == binascii.hexlify(h.digest()) + b" %d" % (64 * len(chunk)), held > 0)
    await writer.wait_closed()
asyncio.run(main())
`);
  assert.equal(r.stdout, "True True\n", r.stderr);
  assert.equal((await peer.done).code, 0, r.stderr);
});

test("client: a refused connection surfaces as ECONNREFUSED on the first read, as on the unix port", async () => {
  const peer = startPeer(
    "python",
    "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\nprint(s.getsockname()[1])\ns.close()\n",
  );
  const port = Number(await peer.ready);
  const r = await runMp(`
import asyncio
async def main():
    reader, writer = await asyncio.open_connection("127.0.0.1", ${port})
    try:
        await reader.read(10)
    except OSError as e:
        print("OSError", e.errno)
asyncio.run(main())
`);
  assert.equal(r.stdout, "OSError 111\n", r.stderr);
});

test("timeouts: wait_for on a read from a silent peer raises TimeoutError; the stream still reads later", async () => {
  const peer = startPeer(
    "python",
    `
import socket, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
print(srv.getsockname()[1], flush=True)
c, _ = srv.accept()
c.recv(1)
c.sendall(b"late")
time.sleep(0.5)
c.close()
`,
  );
  const port = Number(await peer.ready);
  const r = await runMp(`
import asyncio, time
async def main():
    reader, writer = await asyncio.open_connection("127.0.0.1", ${port})
    t0 = time.ticks_ms()
    try:
        await asyncio.wait_for(reader.read(10), 0.3)
    except asyncio.TimeoutError:
        print("timeout", 250 <= time.ticks_diff(time.ticks_ms(), t0) < 2000)
    try:
        await asyncio.wait_for_ms(reader.readexactly(4), 100)
    except asyncio.TimeoutError:
        print("timeout again")
    writer.write(b"!")
    await writer.drain()
    print(await asyncio.wait_for(reader.readexactly(4), 5))
    print(await reader.read())
asyncio.run(main())
`);
  assert.equal(r.stdout, "timeout True\ntimeout again\nb'late'\nb''\n", r.stderr);
});

test("cancellation: a handler blocked in read is cancelled; Server.close() stops accepting", async () => {
  const { port, mp } = await mpServer(`
import asyncio
handlers = []
started = asyncio.Event()
async def handler(reader, writer):
    try:
        await reader.read(10)
        print("read returned")
    except asyncio.CancelledError:
        print("handler cancelled")
        writer.close()
        raise
async def accepted(reader, writer):
    handlers.append(asyncio.create_task(handler(reader, writer)))
    started.set()
async def main():
    srv = await asyncio.start_server(accepted, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1])
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.sleep_ms(50)
    print("cancel", handlers[0].cancel())
    try:
        await handlers[0]
    except asyncio.CancelledError:
        print("awaited: CancelledError")
    print("done", handlers[0].done(), "cancel again", handlers[0].cancel())
    srv.close()
    await srv.wait_closed()
    print("closed")
    await asyncio.sleep(1)
asyncio.run(main())
`);
  const peer = startPeer(
    "python",
    `
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
print("eof" if s.recv(10) == b"" else "data", flush=True)
time.sleep(0.1)
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
    print("connected")
except ConnectionRefusedError:
    print("refused")
`,
    { args: [String(port)] },
  );
  assert.equal(await peer.ready, "eof");
  assert.equal((await peer.done).stdout, "eof\nrefused\n");
  const r = await mp.done;
  assert.equal(
    r.stdout,
    `${port}\ncancel True\nhandler cancelled\nawaited: CancelledError\ndone True cancel again False\nclosed\n`,
    r.stderr,
  );
});

test("scheduling: tasks created at module level run when the loop later runs; gather collects results and errors", async () => {
  const r = await runMp(`
import asyncio
async def job(n):
    await asyncio.sleep_ms(10 * n)
    if n == 2:
        raise ValueError(n)
    return n * 10
early = asyncio.create_task(job(1))
print("created")
async def main():
    print(await asyncio.gather(job(3), job(2), early, return_exceptions=True))
    try:
        await asyncio.gather(job(1), job(2))
    except ValueError as e:
        print("ValueError", e)
asyncio.run(main())
`);
  assert.equal(r.stdout, "created\n[30, ValueError(2,), 10]\nValueError 2\n", r.stderr);
});

test("an unretrieved task exception is printed by the default handler, as MicroPython prints it", async () => {
  const r = await runMp(`
import asyncio
async def fails():
    raise OSError(5)
async def main():
    asyncio.create_task(fails())
    await asyncio.sleep_ms(20)
    print("main done")
asyncio.run(main())
`);
  assert.equal(r.stdout, "main done\n");
  assert.match(
    r.stderr,
    /^Task exception wasn't retrieved\nfuture: <Task> coro= <generator object 'fails' at [0-9a-f]+>\nTraceback \(most recent call last\):\n {2}File "[^"]*main\.py", line 4, in fails\nOSError: \[Errno 5\] EIO\n$/,
  );
});
