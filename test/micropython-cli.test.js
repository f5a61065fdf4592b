// usocket-micropython, the command: arguments, exit statuses, streamed output, standard
// input as MicroPython's test runners use it, imports from the script's folder; and the
// in-process API of usocket-node/micropython.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { runMp, scriptDir, startMp } from "./support/micropython.js";

test("-c runs code with sys.argv set, exit status 0", async () => {
  const r = await startMp(["-c", "import sys\nprint('hi', sys.argv)", "a", "b c"], { input: "" }).done;
  assert.equal(r.stdout, "hi ['-c', 'a', 'b c']\n");
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});

test("exit statuses: sys.exit(3), sys.exit(), sys.exit('message'), an uncaught exception", async () => {
  const three = await runMp("import sys\nprint('before')\nsys.exit(3)\nprint('after')");
  assert.equal(three.code, 3);
  assert.equal(three.stdout, "before\n");
  const zero = await runMp("import sys\nsys.exit()");
  assert.equal(zero.code, 0);
  const message = await runMp("raise SystemExit('went wrong')");
  assert.equal(message.code, 1);
  assert.equal(message.stderr, "went wrong\n");
  const crash = await runMp("def f():\n    return 1 / 0\nprint('started')\nf()\n");
  assert.equal(crash.code, 1);
  assert.equal(crash.stdout, "started\n");
  assert.match(crash.stderr, /^Traceback \(most recent call last\):\n/);
  assert.match(crash.stderr, /main\.py", line 4/);
  assert.match(crash.stderr, /ZeroDivisionError: divide by zero\n$/);
});

test("run-multitests protocol: -c with the script, output streamed, BROADCAST lines on stdin", async () => {
  // The runner's way: the whole test (with its multitest class) as the -c argument; the
  // instance prints NEXT, the runner answers on standard input.
  const script = `
import sys
class multitest:
    @staticmethod
    def next():
        print("NEXT")
    @staticmethod
    def wait(msg):
        msg = "BROADCAST " + msg
        for _ in range(100):  # the runner loops forever; bounded here
            if sys.stdin.readline().rstrip() == msg:
                return
def instance0():
    multitest.next()
    multitest.wait("go")
    print("got go")
    print(input())
    try:
        input()
    except EOFError:
        print("eof")
instance0()
`;
  const mp = startMp(["-c", script]);
  assert.equal(await mp.line(), "NEXT"); // printed while the instance waits: streamed
  mp.child.stdin.write("BROADCAST other\r\nBROADCAST go\r\n");
  assert.equal(await mp.line(), "got go");
  mp.child.stdin.end("last line\n");
  const r = await mp.done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "NEXT\ngot go\nlast line\neof\n");
});

test("a program read from standard input when there are no arguments", async () => {
  const r = await startMp([], { input: "import sys\nprint(sys.argv, 1 + 1)\n" }).done;
  assert.equal(r.stdout, "[''] 2\n");
  assert.equal(r.code, 0);
});

test("the script's folder is importable (and its packages); '' is on sys.path", async () => {
  const dir = scriptDir({ "helper.py": "VALUE = 42\n" });
  const pkg = path.join(dir, "pkg");
  (await import("node:fs")).mkdirSync(pkg);
  (await import("node:fs")).writeFileSync(path.join(pkg, "__init__.py"), "NAME = 'pkg'\n");
  (await import("node:fs")).writeFileSync(path.join(dir, "main.py"),
    "import sys, helper, pkg\nprint(helper.VALUE, pkg.NAME, '' in sys.path, sys.path[0] == __file__.rsplit('/', 1)[0] or sys.path[0])\n");
  const other = scriptDir();
  const r = await startMp([path.join(dir, "main.py")], { cwd: other, input: "" }).done;
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "42 pkg True True\n");
});

test("time.sleep waits instead of spinning; sleep_ms too", async () => {
  const start = performance.now();
  const r = await runMp("import time\nt = time.ticks_ms()\ntime.sleep(0.2)\ntime.sleep_ms(100)\nprint(time.ticks_diff(time.ticks_ms(), t) >= 290)\n");
  assert.equal(r.stdout, "True\n", r.stderr);
  assert.ok(performance.now() - start >= 290);
});

test("usocket-node/micropython in-process: loadMicroPython, and installSocket on the port's own instance", async () => {
  const { loadMicroPython, installSocket } = await import("../dist/micropython/index.js");
  const printed = [];
  const mp = await loadMicroPython({ stdout: (line) => printed.push(line) });
  mp.runPython(`
import socket, select
a = socket.socket()
a.bind(('127.0.0.1', 0))
a.listen(1)
b = socket.socket()
b.connect(a.getsockname())
c, _ = a.accept()
b.sendall(b'in process')
p = select.poll()
p.register(c, select.POLLIN)
print(len(p.poll(1000)), c.recv(100))
for s in (a, b, c):
    s.close()
`);
  assert.deepEqual(printed, ["1 b'in process'"]);
  const port = await import("@micropython/micropython-webassembly-pyscript");
  const lines = [];
  const own = await port.loadMicroPython({ stdout: (line) => lines.push(line) });
  installSocket(own);
  installSocket(own); // a second install changes nothing
  own.runPython("import select, socket\nprint(select.__file__, hasattr(socket, 'getaddrinfo'))");
  assert.deepEqual(lines, ["/usocket/lib/select.py True"]);
});

test("two instances the run-multitests way: a server and a client, coordinated over stdin/stdout", async () => {
  // The runner's protocol, in brief: each instance gets the test plus a multitest class as
  // -c; "SET name = value" lines become globals of the instances started later, "NEXT"
  // lets the runner start the next instance, "BROADCAST msg" is copied to the others' stdin.
  const multitest = `
import sys
class multitest:
    @staticmethod
    def next():
        print("NEXT")
    @staticmethod
    def globals(**gs):
        for g in gs:
            print("SET {} = {!r}".format(g, gs[g]))
    @staticmethod
    def broadcast(msg):
        print("BROADCAST", msg)
    @staticmethod
    def wait(msg):
        msg = "BROADCAST " + msg
        for _ in range(100):
            if sys.stdin.readline().rstrip() == msg:
                return
`;
  const test = `
import socket

def instance0():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
    s.listen(1)
    multitest.globals(PORT=s.getsockname()[1])
    multitest.next()
    conn, _ = s.accept()
    print(conn.recv(16))
    conn.send(b"server to client")
    multitest.wait("client done")
    conn.close()
    s.close()

def instance1():
    multitest.next()
    s = socket.socket()
    s.connect(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
    s.send(b"client to server")
    print(s.recv(16))
    multitest.broadcast("client done")
    s.close()
`;
  const server = startMp(["-c", `${multitest}${test}\ninstance0()\n`]);
  const set = await server.line();
  assert.match(set, /^SET PORT = \d+$/);
  assert.equal(await server.line(), "NEXT");
  const client = startMp(["-c", `${set.slice(4)}\n${multitest}${test}\ninstance1()\n`]);
  assert.equal(await client.line(), "NEXT");
  assert.equal(await client.line(), "b'server to client'");
  const broadcast = await client.line();
  assert.equal(broadcast, "BROADCAST client done");
  server.child.stdin.end(`${broadcast}\r\n`);
  client.child.stdin.end();
  const [s, c] = await Promise.all([server.done, client.done]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(s.stdout.split("\n")[2], "b'client to server'");
});

test("an uncaught OSError from the bridge: the script's traceback only, as on a board", async () => {
  const r = await runMp("import socket\ns = socket.socket()\ns.connect(('127.0.0.1', 1))\n");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Traceback \(most recent call last\):\n {2}File "[^"]*main\.py", line 3, in <module>\nOSError: \[Errno 111\] ECONNREFUSED\n$/);
});
