// What MicroPython's unix port has and its WebAssembly port lacks, that network programs
// use, as the bridge provides it: hashlib.sha1 and hashlib.md5 (WebSocket handshakes,
// HMAC), os.getenv/putenv/unsetenv/urandom. Expected digests are CPython's hashlib's;
// behaviours (str accepted, "hash is final", TypeError for a non-buffer) the unix port's.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { scriptDir, startMp } from "./support/micropython.js";

test("hashlib.sha1 and hashlib.md5 (also as uhashlib): digests, any buffer or str, big inputs, final after digest()", async () => {
  const dir = scriptDir({
    "main.py": `import hashlib, uhashlib, binascii
hex = lambda b: binascii.hexlify(b).decode()
print(hex(hashlib.sha1(b"abc").digest()), hex(hashlib.md5().digest()))
h = hashlib.md5()
h.update(b"x" * 100000)
h.update(bytearray(b"y"))
print(hex(h.digest()))
h = hashlib.sha1()
for _ in range(7):
    h.update(memoryview(b"a" * 10000))
print(hex(h.digest()))
print(hashlib.sha1("abc").digest() == hashlib.sha1(bytearray(b"abc")).digest(), uhashlib.sha1 is hashlib.sha1)
print(type(hashlib.sha1()).__name__, type(hashlib.md5()).__name__, repr(hashlib.sha1()), len(hashlib.sha256(b"x").digest()))
for bad in (lambda: h.update(b"more"), lambda: h.digest(), lambda: hashlib.sha1(1)):
    try:
        bad()
    except Exception as e:
        print(type(e).__name__, e)
`,
  });
  const r = await startMp([path.join(dir, "main.py")], { cwd: dir, input: "" }).done;
  assert.equal(
    r.stdout,
    [
      "a9993e364706816aba3e25717850c26c9cd0d89d d41d8cd98f00b204e9800998ecf8427e",
      "1f3bd914815d6feeed1d23711e603189",
      "49dc0e9304ca87f2151de32f6c5291bf09c5e652",
      "True True",
      "sha1 md5 <sha1> 32",
      "ValueError hash is final",
      "ValueError hash is final",
      "TypeError a bytes-like object is required, not 'int'",
      "",
    ].join("\n"),
    r.stderr,
  );
});

test("os.getenv (with a default), putenv, unsetenv and urandom, as the unix port's os", async () => {
  const dir = scriptDir({
    "main.py": `import os, uos
print(os.getenv("USOCKET_TEST_VAR"), os.getenv("USOCKET_TEST_UNSET"), os.getenv("USOCKET_TEST_UNSET", "fallback"))
os.putenv("USOCKET_TEST_SET", "v1")
print(os.getenv("USOCKET_TEST_SET"))
os.unsetenv("USOCKET_TEST_SET")
print(os.getenv("USOCKET_TEST_SET"), uos.getenv is os.getenv)
a, b = os.urandom(32), os.urandom(32)
print(type(a).__name__, len(a), a != b, os.urandom(0))
for bad in (lambda: os.urandom(-1), lambda: os.getenv(5), lambda: os.putenv("A", 5), lambda: os.unsetenv(None)):
    try:
        bad()
    except (TypeError, ValueError) as e:
        print(type(e).__name__, e)
`,
  });
  const env = { ...process.env, USOCKET_TEST_VAR: "from the host" };
  delete env["USOCKET_TEST_UNSET"];
  const r = await startMp([path.join(dir, "main.py")], { cwd: dir, input: "", env }).done;
  assert.equal(
    r.stdout,
    [
      "from the host None fallback",
      "v1",
      "None True",
      "bytes 32 True b''",
      "ValueError ",
      "TypeError can't convert 'int' object to str implicitly",
      "TypeError can't convert 'int' object to str implicitly",
      "TypeError can't convert 'NoneType' object to str implicitly",
      "",
    ].join("\n"),
    r.stderr,
  );
});
