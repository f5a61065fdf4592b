// usocket-micropython, the command: arguments, exit statuses, streamed output, standard
// input as MicroPython's test runners use it, imports from the script's folder; and the
// in-process API of usocket-node/micropython.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { CLI, runMp, scriptDir, startMp } from "./support/micropython.js";

test("-c runs code with sys.argv set, exit status 0", async () => {
  const r = await startMp(["-c", "import sys\nprint('hi', sys.argv)", "a", "b c"], { input: "" }).done;
  assert.equal(r.stdout, "hi ['-c', 'a', 'b c']\n");
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});

// MicroPython 1.27's unix port (the WebAssembly port's version) runs a script and -c through
// pyexec: a SystemExit value that is not an int is printed to stderr, the traceback of an
// uncaught exception goes to stdout, and an uncaught KeyboardInterrupt is status 130.
// -m and standard input keep handle_uncaught_exception's rule: stderr, status 1.
test("exit statuses: sys.exit(3), sys.exit(), sys.exit('message'), an uncaught exception", async () => {
  const three = await runMp("import sys\nprint('before')\nsys.exit(3)\nprint('after')");
  assert.equal(three.code, 3);
  assert.equal(three.stdout, "before\n");
  const zero = await runMp("import sys\nsys.exit()");
  assert.equal(zero.code, 0);
  // a SystemExit value that is not an int: printed to stderr (bool too), status 1
  const message = await runMp("raise SystemExit('went wrong')");
  assert.deepEqual([message.code, message.stdout, message.stderr], [1, "", "went wrong\n"]);
  const truth = await runMp("import sys\nsys.exit(True)");
  assert.deepEqual([truth.code, truth.stderr], [1, "True\n"]);
  const big = await runMp("import sys\nsys.exit(258)");
  assert.equal(big.code, 2);
  const negative = await startMp(["-c", "import sys\nsys.exit(-1)"], { input: "" }).done;
  assert.deepEqual([negative.code, negative.stderr], [255, ""]);
  const crash = await runMp("def f():\n    return 1 / 0\nprint('started')\nf()\n");
  assert.equal(crash.code, 1);
  assert.equal(crash.stderr, "");
  assert.match(crash.stdout, /^started\nTraceback \(most recent call last\):\n/);
  assert.match(crash.stdout, /main\.py", line 4/);
  assert.match(crash.stdout, /ZeroDivisionError: divide by zero\n$/);
  const c = await startMp(["-c", "raise ValueError(3)"], { input: "" }).done;
  assert.deepEqual(
    [c.code, c.stdout, c.stderr],
    [1, 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nValueError: 3\n', ""],
  );
});

test("-m and standard input: the traceback on stderr, a SystemExit message not printed, status 1 (the unix port's older rule)", async () => {
  const dir = scriptDir({ "bad.py": "print('ran')\nraise ValueError(2)\n", "quits.py": "raise SystemExit('x')\n" });
  const m = await startMp(["-m", "bad"], { cwd: dir, input: "" }).done;
  assert.deepEqual(
    [m.code, m.stdout, m.stderr],
    [1, "ran\n", 'Traceback (most recent call last):\n  File "bad.py", line 2, in <module>\nValueError: 2\n'],
  );
  const q = await startMp(["-m", "quits"], { cwd: dir, input: "" }).done;
  assert.deepEqual([q.code, q.stdout, q.stderr], [1, "", ""]);
  const stdin = await startMp([], { cwd: dir, input: "raise ValueError(4)\n" }).done;
  assert.deepEqual(
    [stdin.code, stdin.stdout, stdin.stderr],
    [1, "", 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nValueError: 4\n'],
  );
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

test("a program read from standard input when there are no arguments (sys.argv empty, as the unix port), or with -", async () => {
  const r = await startMp([], { input: "import sys\nprint(sys.argv, 1 + 1)\n" }).done;
  assert.equal(r.stdout, "[] 2\n");
  assert.equal(r.code, 0);
  const dash = await startMp(["-", "x"], { input: "import sys\nprint(sys.argv, sys.path[0] == '')\n" }).done;
  assert.equal(dash.stdout, "['-', 'x'] True\n");
});

test("the script's folder replaces '' first in sys.path, and is importable (and its packages)", async () => {
  const dir = scriptDir({ "helper.py": "VALUE = 42\n" });
  const pkg = path.join(dir, "pkg");
  (await import("node:fs")).mkdirSync(pkg);
  (await import("node:fs")).writeFileSync(path.join(pkg, "__init__.py"), "NAME = 'pkg'\n");
  (await import("node:fs")).writeFileSync(
    path.join(dir, "main.py"),
    "import sys, helper, pkg\nprint(helper.VALUE, pkg.NAME, '' not in sys.path, sys.path[0] == __file__.rsplit('/', 1)[0] or sys.path[0])\n",
  );
  const other = scriptDir();
  const r = await startMp([path.join(dir, "main.py")], { cwd: other, input: "" }).done;
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "42 pkg True True\n");
});

test("time.sleep waits instead of spinning; sleep_ms too", async () => {
  const start = performance.now();
  const r = await runMp(
    "import time\nt = time.ticks_ms()\ntime.sleep(0.2)\ntime.sleep_ms(100)\nprint(time.ticks_diff(time.ticks_ms(), t) >= 290)\n",
  );
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
  assert.match(
    r.stdout,
    /^Traceback \(most recent call last\):\n {2}File "[^"]*main\.py", line 3, in <module>\nOSError: \[Errno 111\] ECONNREFUSED\n$/,
  );
});

test("command line as the unix port: sys.path from MICROPYPATH (~/ expanded, .frozen kept), sys.platform the host's", async () => {
  const dir = scriptDir();
  const code = "import sys\nprint(sys.path, sys.platform)";
  const env = { ...process.env, HOME: "/home/someone", MICROPYPATH: "~/lib:.frozen:rel:~x" };
  const r = await startMp(["-c", code], { cwd: dir, env, input: "" }).done;
  assert.equal(r.stdout, "['', '/home/someone/lib', '.frozen', 'rel', '~x'] linux\n", r.stderr);
  // the unix port's default, and MicroPython's test runners' way (a leading ':' adds no second '')
  const { MICROPYPATH: _, ...plain } = env;
  const d = await startMp(["-c", code], { cwd: dir, env: plain, input: "" }).done;
  assert.equal(d.stdout, "['', '.frozen', '/home/someone/.micropython/lib', '/usr/lib/micropython'] linux\n");
  const lead = await startMp(["-c", "import sys\nsys.path.remove('')\nprint(sys.path)"], {
    cwd: dir,
    env: { ...env, MICROPYPATH: ":.frozen" },
    input: "",
  }).done;
  assert.equal(lead.stdout, "['.frozen']\n", lead.stderr);
});

test("-m runs a module from sys.path as __main__ (a package's __main__ too); a missing one is an ImportError", async () => {
  const dir = scriptDir({ "tool.py": "import sys\nprint(__name__, sys.argv)\nsys.exit(4)\n" });
  const fs = await import("node:fs");
  fs.mkdirSync(path.join(dir, "pkg"));
  fs.writeFileSync(path.join(dir, "pkg", "__init__.py"), "print('init', __name__)\n");
  fs.writeFileSync(path.join(dir, "pkg", "__main__.py"), "print('main', __name__)\n");
  fs.writeFileSync(path.join(dir, "pkg", "sub.py"), "print('sub', __name__)\n");
  const tool = await startMp(["-m", "tool", "a"], { cwd: dir, input: "" }).done;
  assert.deepEqual([tool.code, tool.stdout], [4, "__main__ ['tool', 'a']\n"], tool.stderr);
  const pkg = await startMp(["-m", "pkg"], { cwd: dir, input: "" }).done;
  assert.equal(pkg.stdout, "init __main__\nmain __main__\n", pkg.stderr);
  const sub = await startMp(["-m", "pkg.sub"], { cwd: dir, input: "" }).done;
  assert.equal(sub.stdout, "init pkg\nsub __main__\n", sub.stderr);
  const missing = await startMp(["-m", "nowhere"], { cwd: dir, input: "" }).done;
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, "ImportError: no module named 'nowhere'\n");
});

test("-X heapsize: k, M, G and w suffixes; too small or too large is a message and status 1, never a crash", async () => {
  for (const size of ["700", "256k", "16M", "1G", "64wk"]) {
    const r = await startMp(["-X", `heapsize=${size}`, "-c", "print(sum(range(10)))"], { input: "" }).done;
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "45\n", ""], size);
  }
  for (const [size, why] of [
    ["64", /too small/],
    ["699", /too small/],
    ["2G", /more than/],
    ["9999999999", /more than/],
    ["12q", /expected a number/],
  ]) {
    const r = await startMp(["-X", `heapsize=${size}`, "-c", "print(1)"], { input: "" }).done;
    assert.equal(r.code, 1, size);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stderr, /memory access|RuntimeError|at .*\.js/);
  }
});

test("a script that cannot be opened: the unix port's message and status 2; bad options: status 1", async () => {
  const r = await startMp(["no-such-script.py"], { input: "" }).done;
  assert.equal(r.code, 2);
  assert.match(r.stderr, /can't open file 'no-such-script\.py': \[Errno 2\] No such file or directory\n$/);
  const bad = await startMp(["--frobnicate"], { input: "" }).done;
  assert.deepEqual([bad.code, bad.stderr], [1, "Invalid command line arguments. Use -h option for help.\n"]);
  const c = await startMp(["-c"], { input: "" }).done;
  assert.equal(c.code, 1);
});

test("tracebacks as the unix port prints them: the script's frames under the name it was given, none of the bridge's", async () => {
  const dir = scriptDir({
    "boom.py": "import socket\ndef f():\n    s = socket.socket()\n    s.connect(('127.0.0.1', 1))\nf()\n",
  });
  const r = await startMp(["boom.py"], { cwd: dir, input: "" }).done;
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    'Traceback (most recent call last):\n  File "boom.py", line 5, in <module>\n  File "boom.py", line 4, in f\nOSError: [Errno 111] ECONNREFUSED\n',
  );
});

test("stdout and stderr into one file keep the program's order, partial lines included (2>&1)", async () => {
  const dir = scriptDir({
    "main.py": `import sys
sys.stdout.write("partial")
sys.stderr.write("E\\n")
print(" end")
print("to err", file=sys.stderr, end="")
print("out")
`,
  });
  const file = path.join(dir, "both.txt");
  const fd = openSync(file, "w");
  try {
    const r = spawnSync(process.execPath, [CLI, path.join(dir, "main.py")], {
      stdio: ["ignore", fd, fd],
      timeout: 15000,
    });
    assert.equal(r.status, 0);
  } finally {
    closeSync(fd);
  }
  // the unix port's output for the same program
  assert.equal(readFileSync(file, "utf8"), "partialE\n end\nto errout\n");
});

test("a partial line is written before the program waits (time.sleep, select.poll, asyncio), as the unix port shows it", async () => {
  const dir = scriptDir({
    "main.py": `import asyncio, select, time
print("sleep", end="")
time.sleep(1)
print(" poll", end="")
select.poll().poll(1000)
async def main():
    print(" asyncio", end="")
    await asyncio.sleep(1)
asyncio.run(main())
print(" end")
`,
  });
  const mp = startMp([path.join(dir, "main.py")], { cwd: dir, input: "" });
  const start = performance.now();
  const seen = [];
  mp.child.stdout.on("data", (chunk) => seen.push([String(chunk), performance.now() - start]));
  const r = await mp.done;
  assert.equal(r.stdout, "sleep poll asyncio end\n", r.stderr);
  // each piece arrived before the waits after it were over (3 s, 2 s, 1 s; margins for a
  // loaded machine's late reads)
  const at = (text) => seen.find(([chunk]) => chunk.includes(text))?.[1];
  assert.ok(at(" end") - at("sleep") >= 1500, JSON.stringify(seen));
  assert.ok(at(" end") - at(" poll") >= 1000, JSON.stringify(seen));
  assert.ok(at(" end") - at(" asyncio") >= 300, JSON.stringify(seen));
});
