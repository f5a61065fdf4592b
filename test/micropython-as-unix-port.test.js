// What a script sees in usocket-micropython is what it sees on MicroPython's unix port
// (compared with a build of the port): module listings, tracebacks that show the program's
// frames only (the unix port's socket, select and ssl are C), the asyncio exception
// handler's report, and sys.atexit.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { runMp, scriptDir, startMp } from "./support/micropython.js";

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

// The unix port reads standard input a byte at a time, so lines that arrive together stay in
// the pipe for poll(2) to see; the command line here reads blocks, and select counts them.
test("standard input: lines that arrive together are each readable at once to select.poll and asyncio.StreamReader(sys.stdin)", async () => {
  const dir = scriptDir({
    "main.py": `import asyncio, select, sys, time
print("ready")
p = select.poll()
p.register(sys.stdin, select.POLLIN)
got = []
t0 = time.ticks_ms()
while len(got) < 2 and p.poll(5000):
    got.append(sys.stdin.readline())
print(got, time.ticks_diff(time.ticks_ms(), t0) < 2000)
async def main():
    s = asyncio.StreamReader(sys.stdin)
    t0 = time.ticks_ms()
    print(await s.readline(), await s.readline(), time.ticks_diff(time.ticks_ms(), t0) < 2000)
asyncio.run(main())
`,
  });
  const mp = startMp([path.join(dir, "main.py")], { cwd: dir });
  assert.equal(await mp.line(), "ready");
  mp.child.stdin.write("a\nb\nc\nd\n");
  // the rest comes much later: nothing above may wait for it
  const later = setTimeout(() => mp.child.stdin.end("e\n"), 4000);
  try {
    assert.equal(await mp.line(), "['a\\n', 'b\\n'] True");
    assert.equal(await mp.line(), "b'c\\n' b'd\\n' True");
  } finally {
    clearTimeout(later);
    mp.child.stdin.end();
  }
  const r = await mp.done;
  assert.equal(r.code, 0, r.stderr);
});

// The WebAssembly port's localtime/mktime are UTC with 8 fields; the unix port's are C's:
// 9 fields (isdst last) in the host's zone (TZ), mktime honouring isdst as glibc does.
// Expected values are glibc's, from the unix port run with the same TZ.
test("time.localtime/gmtime/mktime as the unix port's: 9 fields, the host's time zone (TZ), isdst", async () => {
  const dir = scriptDir({
    "main.py": `import time
print(time.localtime(1719835200), time.localtime(1704067200))
print(time.gmtime(0), time.gmtime(-1), time.localtime(1.7e9))
print(time.mktime((2024, 7, 1, 12, 0, 0, 0, 0)), time.mktime((2024, 7, 1, 12, 0, 0, 0, 0, 0)),
      time.mktime((2024, 1, 1, 0, 0, 0, 0, 0, 1)), time.mktime([2024, 2, 30, 25, 61, 0, 0, 0]))
print(time.mktime(time.localtime(1234567890)), len(time.localtime()))
for bad in ((2000, 1, 1), 5):
    try:
        time.mktime(bad)
    except TypeError as e:
        print(e)
`,
  });
  const run = (tz) =>
    startMp([path.join(dir, "main.py")], { cwd: dir, input: "", env: { ...process.env, TZ: tz } }).done;
  const berlin = await run("Europe/Berlin");
  assert.equal(
    berlin.stdout,
    [
      "(2024, 7, 1, 14, 0, 0, 0, 183, 1) (2024, 1, 1, 1, 0, 0, 0, 1, 0)",
      "(1970, 1, 1, 0, 0, 0, 3, 1, 0) (1969, 12, 31, 23, 59, 59, 2, 365, 0) (2023, 11, 14, 23, 13, 20, 1, 318, 0)",
      "1719828000 1719831600 1704060000 1709341260",
      "1234567890 9",
      "mktime needs a tuple of length 8 or 9",
      "object 'int' isn't a tuple or list",
      "",
    ].join("\n"),
    berlin.stderr,
  );
  const utc = await run("UTC");
  assert.match(utc.stdout, /^\(2024, 7, 1, 12, 0, 0, 0, 183, 0\) \(2024, 1, 1, 0, 0, 0, 0, 1, 0\)\n/, utc.stderr);
  assert.match(utc.stdout, /\n1719835200 1719835200 1704063600 1709344860\n/);
});
