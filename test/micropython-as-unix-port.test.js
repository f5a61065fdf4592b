// What a script sees in usocket-micropython is what it sees on MicroPython's unix port
// (compared with a build of the port): module listings, tracebacks that show the program's
// frames only (the unix port's socket, select and ssl are C), the asyncio exception
// handler's report, and sys.atexit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runMp } from "./support/micropython.js";

test("dir(socket) lists the option constants (SOL_SOCKET, SO_REUSEADDR, MSG_PEEK, IP_ADD_MEMBERSHIP, ...)", async () => {
  const r = await runMp(`import socket
names = dir(socket)
for n in ("AF_INET", "AF_INET6", "SOCK_DGRAM", "SOCK_RAW", "SOL_SOCKET", "SO_REUSEADDR", "SO_BROADCAST",
          "SO_KEEPALIVE", "SO_ERROR", "SO_LINGER", "MSG_PEEK", "MSG_DONTWAIT", "IP_ADD_MEMBERSHIP",
          "IP_DROP_MEMBERSHIP", "getaddrinfo", "socket"):
    if n not in names:
        print("missing", n)
print(socket.SOL_SOCKET, socket.SO_REUSEADDR, socket.MSG_PEEK)
`);
  assert.equal(r.stdout, "1 2 2\n", r.stderr);
});

test("sys.print_exception shows the program's frames, not the bridge's (to a file or stdout)", async () => {
  const r = await runMp(`import socket, sys, io
def connect():
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 1))
    finally:
        s.close()
try:
    connect()
except OSError as e:
    sys.print_exception(e)
    out = io.StringIO()
    sys.print_exception(e, out)
    print(out.getvalue() == 'Traceback (most recent call last):\\n  File "' + __file__ + '", line 9, in <module>\\n  File "' + __file__ + '", line 5, in connect\\nOSError: [Errno 111] ECONNREFUSED\\n')
try:
    socket.socket().send(None)
except TypeError as e:
    sys.print_exception(e, sys.stdout)
`);
  assert.equal(r.stderr, "");
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], "Traceback (most recent call last):");
  assert.match(lines[1], /^ {2}File "[^"]*main\.py", line 9, in <module>$/);
  assert.match(lines[2], /^ {2}File "[^"]*main\.py", line 5, in connect$/);
  assert.deepEqual(lines.slice(3), [
    "OSError: [Errno 111] ECONNREFUSED",
    "True",
    "Traceback (most recent call last):",
    lines[6],
    "TypeError: a bytes-like object is required, not 'NoneType'",
    "",
  ]);
  assert.match(lines[6], /^ {2}File "[^"]*main\.py", line 16, in <module>$/);
});

test("asyncio's default exception handler: <Task>, the coroutine, and the task's own frames only", async () => {
  const r = await runMp(`import asyncio
async def boom():
    await asyncio.sleep_ms(1)
    raise ValueError("boom")
async def main():
    asyncio.create_task(boom())
    await asyncio.sleep_ms(50)
    print("main done")
asyncio.run(main())
`);
  assert.equal(r.stdout, "main done\n");
  assert.match(
    r.stderr,
    /^Task exception wasn't retrieved\nfuture: <Task> coro= <generator object 'boom' at [0-9a-f]+>\nTraceback \(most recent call last\):\n {2}File "[^"]*main\.py", line 4, in boom\nValueError: boom\n$/,
  );
});

test("sys.atexit: the function registered last runs when the program ends, after an uncaught exception's traceback too", async () => {
  const r = await runMp(`import sys
def first():
    print("first")
def bye():
    print("atexit ran")
print(sys.atexit(first))
print(sys.atexit(bye) is first)
print("body")
raise ValueError("x")
`);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^None\nTrue\nbody\nTraceback \(most recent call last\):\n[^\n]*\nValueError: x\natexit ran\n$/,
  );
  const off = await runMp("import sys\nsys.atexit(print)\nsys.atexit(None)\nsys.exit(3)\n");
  assert.deepEqual([off.code, off.stdout], [3, ""]);
});
