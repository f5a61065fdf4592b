// The host's file system inside usocket-micropython: real files relative to the real working
// directory, host errno numbers, imports from disk (folders with or without __init__.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { scriptDir, startMp } from "./support/micropython.js";

const run = (dir, code, input = "") => startMp(["-c", code], { cwd: dir, input }).done;

test("files: read next to the working directory, written files reach the disk (w, a, wb, seek)", async () => {
  const dir = scriptDir({ "config.json": '{"port": 1883}' });
  const r = await run(
    dir,
    `
import json
print(json.load(open('config.json'))['port'])
with open('out.txt', 'w') as f:
    f.write('one\\n')
with open('out.txt', 'a') as f:
    f.write('two\\n')
with open('data.bin', 'wb') as f:
    f.write(bytes(range(256)) * 40)
with open('data.bin', 'rb') as f:
    f.seek(-3, 2)
    print(f.read(), f.tell())
`,
  );
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "1883\nb'\\xfd\\xfe\\xff' 10240\n");
  assert.equal(fs.readFileSync(path.join(dir, "out.txt"), "utf8"), "one\ntwo\n");
  assert.equal(fs.statSync(path.join(dir, "data.bin")).size, 10240);
  // created as open(2) would: 0666 less the umask, never more
  assert.equal(fs.statSync(path.join(dir, "out.txt")).mode & 0o022, 0);
});

test("files: os.listdir/stat/mkdir/rename/remove/rmdir/getcwd/chdir act on the host", async () => {
  const dir = fs.realpathSync(scriptDir({ "a.txt": "12345" }));
  fs.mkdirSync(path.join(dir, "sub"));
  const r = await run(
    dir,
    `
import os
print(os.getcwd())
print(sorted(os.listdir()), os.stat('a.txt')[6], os.stat('sub')[0] & 0o170000 == 0o040000)
os.mkdir('new')
os.rename('a.txt', 'new/b.txt')
os.chdir('new')
print(os.getcwd(), os.listdir(), open('b.txt').read())
os.remove('b.txt')
os.chdir('..')
os.rmdir('new')
print(sorted(os.listdir('.')))
`,
  );
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, `${dir}\n['a.txt', 'sub'] 5 True\n${dir}/new ['b.txt'] 12345\n['sub']\n`);
  assert.deepEqual(fs.readdirSync(dir), ["sub"]);
});

test("files: errors carry the host's errno numbers, which errno.ENOENT and friends match", async () => {
  const dir = scriptDir({ "f.txt": "" });
  fs.mkdirSync(path.join(dir, "d"));
  fs.writeFileSync(path.join(dir, "d", "x"), "");
  const r = await run(
    dir,
    `
import errno, os
def code(f, *a):
    try:
        f(*a)
    except OSError as e:
        return e.errno
print(code(open, 'missing.txt') == errno.ENOENT, code(open, 'missing.txt'))
print(code(os.stat, 'missing') == errno.ENOENT, code(os.remove, 'missing') == errno.ENOENT)
print(code(os.mkdir, 'd') == errno.EEXIST, code(os.listdir, 'f.txt') == 20)  # ENOTDIR: not in MicroPython's errno
print(code(open, 'd', 'w') == errno.EISDIR, code(os.rmdir, 'd'), code(os.chdir, 'missing') == errno.ENOENT)
try:
    open('missing.txt')
except OSError as e:
    print(e)
`,
  );
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "True 2\nTrue True\nTrue True\nTrue 39 True\n[Errno 2] ENOENT\n");
});

test("imports from the real disk: modules, packages, and folders without __init__.py (as micropython-lib installs them)", async () => {
  const dir = scriptDir({
    "main.py":
      "from umqtt.simple import NAME\nimport urllib.urequest as u\nimport plain\nprint(NAME, u.NAME, plain.NAME)\n",
  });
  fs.mkdirSync(path.join(dir, "umqtt"));
  fs.writeFileSync(path.join(dir, "umqtt", "simple.py"), "NAME = 'simple'\n");
  fs.mkdirSync(path.join(dir, "lib", "urllib"), { recursive: true });
  fs.writeFileSync(path.join(dir, "lib", "urllib", "urequest.py"), "NAME = 'urequest'\n");
  fs.writeFileSync(path.join(dir, "lib", "plain.py"), "NAME = 'plain'\n");
  const other = scriptDir();
  const r = await startMp([path.join(dir, "main.py")], {
    cwd: other,
    env: { ...process.env, MICROPYPATH: path.join(dir, "lib") },
    input: "",
  }).done;
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "simple urequest plain\n");
});

test("files: a relative AF_UNIX address after os.chdir is relative to the new working directory", async () => {
  const dir = fs.realpathSync(scriptDir());
  fs.mkdirSync(path.join(dir, "run"));
  const r = await run(
    dir,
    `
import os, socket
os.chdir('run')
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind('sock')
print(sorted(os.listdir()))
s.close()
os.remove('sock')
`,
  );
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "['sock']\n");
  assert.deepEqual(fs.readdirSync(path.join(dir, "run")), []);
});
