// docs/behaviour.md §4, the stream methods: read, readinto, readline, write: no short reads
// or writes on a blocking socket, readline never consuming past its newline, and the data
// types every data argument takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as socket from "../dist/index.js";
import { DIST, scriptedPeer, tcpPair } from "./support/peers.js";
import { watchdog } from "./support/blocking.js";

// A blocking call that never returns would hang the run: end it instead.
watchdog(60);

/** Sends each piece with a pause before it, then half-closes. */
function pieces(...texts) {
  const plan = [];
  for (const text of texts) plan.push({ wait: 40 }, { send: text });
  plan.push({ wait: 40 }, { end: true });
  return plan;
}

test("read(n) waits across several segments and returns exactly n bytes", async () => {
  const { conn, done } = await scriptedPeer(pieces("ab", "cde", "fghij", "klmnop", "qr"));
  try {
    const got = conn.read(16);
    assert.ok(Buffer.isBuffer(got));
    assert.equal(got.toString(), "abcdefghijklmnop");
    // Fewer than asked only at EOF.
    assert.equal(conn.read(10).toString(), "qr");
    const eof = conn.read(10);
    assert.ok(Buffer.isBuffer(eof));
    assert.equal(eof.length, 0);
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("read(n) larger than 1 MiB returns exactly n bytes and leaves the rest", async () => {
  const n = 1536 * 1024;
  const plan = [
    { send: "a", repeat: 500000 },
    { wait: 40 },
    { send: "b", repeat: 500000 },
    { wait: 40 },
    { send: "c", repeat: n - 1000000 },
    { send: "TAIL" },
    { end: true },
  ];
  const { conn, done } = await scriptedPeer(plan);
  try {
    const got = conn.read(n);
    assert.equal(got.length, n);
    assert.equal(got[0], 0x61);
    assert.equal(got[500000], 0x62);
    assert.equal(got[n - 1], 0x63);
    assert.equal(conn.read(100).toString(), "TAIL");
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("read() with no size reads until EOF", async () => {
  const big = "z".repeat(100000);
  const plan = [
    { send: "start:" },
    { send: "z", repeat: 100000 },
    { wait: 40 },
    { send: ":middle:" },
    { wait: 40 },
    { send: "z", repeat: 100000 },
    { wait: 40 },
    { send: ":end" },
    { end: true },
  ];
  const { conn, done } = await scriptedPeer(plan);
  try {
    const all = conn.read();
    assert.equal(all.length, 6 + 100000 + 8 + 100000 + 4);
    assert.equal(all.toString(), `start:${big}:middle:${big}:end`);
    assert.equal(conn.read().length, 0);
    assert.equal(conn.read(null).length, 0);
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("readinto() fills the buffer across segments; nbytes limits it and is clamped to the buffer", async () => {
  const { conn, done } = await scriptedPeer(pieces("01", "234", "56789", "ABCDEFGHIJ", "KLM"));
  try {
    const backing = new Uint8Array(24).fill(0xee);
    const buf = backing.subarray(4, 20); // 16 bytes
    assert.equal(conn.readinto(buf, 6), 6);
    assert.equal(Buffer.from(buf.subarray(0, 6)).toString(), "012345");
    assert.deepEqual([...buf.subarray(6)], new Array(10).fill(0xee));
    // nbytes larger than the buffer is clamped (MicroPython), unlike recv_into.
    assert.equal(conn.readinto(buf, 1000), 16);
    assert.equal(Buffer.from(buf).toString(), "6789ABCDEFGHIJKL");
    assert.deepEqual([...backing.subarray(0, 4)], [0xee, 0xee, 0xee, 0xee]);
    assert.deepEqual([...backing.subarray(20)], [0xee, 0xee, 0xee, 0xee]);
    // Without nbytes: the whole buffer, or fewer at EOF.
    assert.equal(conn.readinto(buf), 1);
    assert.equal(String.fromCharCode(buf[0]), "M");
    assert.equal(conn.readinto(buf), 0);
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("readline() returns through the newline and never consumes the bytes after it", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("one\ntwo\nthree");
    const line = b.readline();
    assert.ok(Buffer.isBuffer(line));
    assert.equal(line.toString(), "one\n");
    // The next recv gets every byte after the newline.
    assert.equal(b.recv(100).toString(), "two\nthree");
    a.sendall("x\n\ny\n");
    assert.equal(b.readline().toString(), "x\n");
    assert.equal(b.readline().toString(), "\n");
    assert.equal(b.read(2).toString(), "y\n");
  } finally {
    a.close();
    b.close();
  }
});

test("readline() waits across segments for the newline; at EOF it returns empty", async () => {
  const { conn, done } = await scriptedPeer(pieces("he", "llo\nwor", "ld", "\n"));
  try {
    assert.equal(conn.readline().toString(), "hello\n");
    assert.equal(conn.readline().toString(), "world\n");
    const eof = conn.readline();
    assert.ok(Buffer.isBuffer(eof));
    assert.equal(eof.length, 0);
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("readline() of a line longer than any internal buffer", () => {
  const [a, b] = tcpPair();
  try {
    const long = "L".repeat(5000);
    a.sendall(`${long}\nrest`);
    assert.equal(b.readline().toString(), `${long}\n`);
    assert.equal(b.recv(10).toString(), "rest");
  } finally {
    a.close();
    b.close();
  }
});

test("readline(limit) stops after limit bytes and leaves the rest", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("abcdef\nghi\n");
    assert.equal(b.readline(3).toString(), "abc");
    assert.equal(b.readline().toString(), "def\n");
    assert.equal(b.readline(4).toString(), "ghi\n");
    a.sendall("jk\n");
    assert.equal(b.readline(0).length, 0);
    assert.equal(b.readline(-1).toString(), "jk\n");
  } finally {
    a.close();
    b.close();
  }
});

test("readline() at EOF without a newline returns what is left, then empty", () => {
  const [a, b] = tcpPair();
  try {
    a.sendall("first\ntail");
    a.shutdown(socket.SHUT_WR);
    assert.equal(b.readline().toString(), "first\n");
    assert.equal(b.readline().toString(), "tail");
    assert.equal(b.readline().length, 0);
  } finally {
    a.close();
    b.close();
  }
});

test("write() returns the count; strings go out as UTF-8", () => {
  const [a, b] = tcpPair();
  try {
    assert.equal(a.write(Buffer.from("bytes")), 5);
    assert.equal(a.write("héllo €"), Buffer.byteLength("héllo €"));
    assert.equal(a.send("ü"), 2);
    a.sendall("✓");
    assert.equal(a.sendto("ß", b.getsockname()), 2);
    const expected = Buffer.from("byteshéllo €ü✓ß", "utf8");
    const got = b.read(expected.length);
    assert.deepEqual(got, expected);
  } finally {
    a.close();
    b.close();
  }
});

test("a large write() on a blocking socket sends everything (no short writes)", async () => {
  const { conn, done } = await scriptedPeer([{ wait: 5000 }]);
  // The scripted peer reads and discards; it closes when this side closes.
  try {
    const data = Buffer.alloc(2 << 20, 0x42);
    assert.equal(conn.write(data), data.length);
  } finally {
    conn.close();
  }
  assert.equal((await done).code, 0);
});

test("any ArrayBufferView is accepted for sending and receiving", () => {
  const [a, b] = tcpPair();
  try {
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // A DataView and a Uint16Array over a window of a larger buffer: their bytes go out.
    assert.equal(a.send(new DataView(bytes.buffer, 2, 3)), 3);
    assert.equal(a.write(new Uint16Array(bytes.buffer, 4, 2)), 4);
    a.sendall(new Int8Array([-1]));
    assert.deepEqual([...b.recv(100)], [3, 4, 5, 5, 6, 7, 8, 255]);

    a.sendall(new Uint8Array([10, 20, 30, 40, 50, 60, 70, 80]));
    const backing = new ArrayBuffer(12);
    const marks = new Uint8Array(backing).fill(0xee);
    const u16 = new Uint16Array(backing, 2, 2); // bytes 2..6
    assert.equal(b.readinto(u16), 4);
    const dv = new DataView(backing, 8, 2); // bytes 8..10
    assert.equal(b.recv_into(dv), 2);
    assert.deepEqual([...marks], [0xee, 0xee, 10, 20, 30, 40, 0xee, 0xee, 50, 60, 0xee, 0xee]);
    assert.equal(b.readinto(new DataView(backing, 0, 2)), 2);
    assert.deepEqual([...marks.subarray(0, 2)], [70, 80]);
  } finally {
    a.close();
    b.close();
  }
});

test("readline() does not make one system call per byte (counted with strace)", (t) => {
  const strace = ["/usr/bin/strace", "/bin/strace", "/usr/local/bin/strace"].find((p) => existsSync(p));
  if (strace === undefined) {
    t.skip("strace is not installed: the system calls of readline cannot be counted here");
    return;
  }
  const lines = 20;
  const width = 1000;
  const child = `
    const s = await import(process.env.USOCKET);
    const srv = s.socket(); srv.bind(["127.0.0.1", 0]); srv.listen();
    const a = s.socket(); a.connect(srv.getsockname());
    const [b] = srv.accept();
    const line = "x".repeat(${width - 1}) + "\\n";
    a.sendall(line.repeat(${lines}));
    let ok = 0;
    for (let i = 0; i < ${lines}; i++) if (b.readline().toString() === line) ok++;
    console.log("lines " + ok);
  `;
  const out = path.join(tmpdir(), `usocket-readline-strace-${process.pid}.txt`);
  const result = spawnSync(
    strace,
    ["-f", "-qq", "-e", "trace=recvfrom,recvmsg,recv", "-o", out, process.execPath, "--input-type=module", "-e", child],
    {
      env: { ...process.env, USOCKET: path.join(DIST, "index.js") },
      encoding: "utf8",
      timeout: 20000,
    },
  );
  if (result.status !== 0 && /ptrace|Operation not permitted/.test(result.stderr)) {
    t.skip(`strace cannot trace here: ${result.stderr.trim().split("\n")[0]}`);
    return;
  }
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), `lines ${lines}`);
  const calls = readFileSync(out, "utf8")
    .split("\n")
    .filter((l) => /recv(from|msg)?\(/.test(l)).length;
  rmSync(out, { force: true });
  // One call per byte would be 20,000; a buffered readline needs a few per line.
  if (process.env.USOCKET_TEST_DEBUG) console.log(`readline: ${calls} receive calls`);
  assert.ok(calls < (lines * width) / 10, `${calls} receive calls for ${lines * width} bytes in ${lines} lines`);
});
