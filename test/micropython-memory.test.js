// The port never collects garbage while a script runs, so a script that keeps allocating
// reaches the end of the port's memory (2 GiB): there it gets MemoryError, as the unix port
// at its heap's end, in bounded time, with no message from Emscripten and no hang
// (src/micropython/heap-limit.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runMp } from "./support/micropython.js";

// Each test allocates about 1.8 GB of Python objects: one at a time, and with a deadline.
const BOUNDED = { timeout: 120_000, concurrency: 1 };
const LIMIT = { limitMs: 110_000 };

// The scripts keep no reference to what they allocated: the port's collection when the script
// ends then has little to mark (a list of 1.7 million objects would take it most of a minute).
test(
  "allocating until MemoryError: caught, gc.mem_alloc() counts past 1 GiB, then the script goes on",
  BOUNDED,
  async () => {
    const started = Date.now();
    const r = await runMp(
      "import gc\n" +
        "n = 0\n" +
        "try:\n" +
        "    while True:\n" +
        "        b = bytearray(1000)\n" +
        "        n += 1\n" +
        "except MemoryError as e:\n" +
        "    print('caught', n * 1000 // 2**20, 'MiB:', e)\n" +
        // past 1 GiB, as the unix port counts (the port's own count turns negative at 2**30)
        "    print('gc', gc.mem_alloc() // 2**20, gc.mem_free() >= 0)\n" +
        // the port reclaims nothing before the script ends, but one more region opens for it
        "more = [bytearray(1000) for i in range(50000)]\n" +
        "print('went on', len(more))\n",
      LIMIT,
    );
    assert.equal(r.stderr, "", "no message from Emscripten");
    assert.equal(r.code, 0);
    const m =
      /^caught (\d+) MiB: memory allocation failed, allocating 1000 bytes\ngc (\d+) True\nwent on 50000\n$/.exec(
        r.stdout,
      );
    assert.ok(m, r.stdout);
    // the first MemoryError comes after about 1.6 GiB of bytearrays, not before 1.5 GiB
    assert.ok(Number(m[1]) > 1500, m[1]);
    assert.ok(Number(m[2]) >= Number(m[1]), m[2]);
    assert.ok(Date.now() - started < 110_000);
  },
);

test("an uncaught MemoryError: the unix port's traceback on stdout and status 1, no hang", BOUNDED, async () => {
  const r = await runMp("while True:\n    b = bytearray(1000)\n", LIMIT);
  assert.equal(r.stderr, "", "no message from Emscripten");
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^Traceback \(most recent call last\):\n {2}File "[^"]*main.py", line 2, in <module>\nMemoryError: memory allocation failed, allocating 1000 bytes\n$/,
  );
});

test("MemoryError caught, then again uncaught: the traceback and status 1", BOUNDED, async () => {
  const r = await runMp(
    "try:\n    while True:\n        b = bytearray(1000)\n" +
      "except MemoryError:\n    print('caught')\nwhile True:\n    b = bytearray(1000)\n",
    LIMIT,
  );
  assert.equal(r.stderr, "");
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^caught\nTraceback \(most recent call last\):\n.*line 7, in <module>\nMemoryError: memory allocation failed, allocating 1000 bytes\n$/s,
  );
});

test("MemoryError caught every time: the run still ends, with a message and status 1", BOUNDED, async () => {
  const r = await runMp(
    "for i in range(5):\n    try:\n        while True:\n            b = bytearray(1000)\n" +
      "    except MemoryError:\n        print('caught', i)\n",
    LIMIT,
  );
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^caught 0\ncaught 1\ncaught 2\n/);
  assert.match(r.stderr, /MemoryError: the interpreter's memory is exhausted \(2 GiB\)/);
});

test("in-process: runPython throws MemoryError at the limit, and the instance runs on", BOUNDED, async () => {
  const { loadMicroPython } = await import("../dist/micropython/index.js");
  const printed = [];
  const mp = await loadMicroPython({ stdout: (line) => printed.push(line) });
  assert.throws(() => mp.runPython("while True:\n    b = bytearray(1000)\n"), /MemoryError: memory allocation failed/);
  // the port collected when the call ended: the next call has memory again
  mp.runPython("print('runs on', len([bytearray(1000) for i in range(100000)]))");
  assert.match(printed.join(""), /runs on 100000/);
});
