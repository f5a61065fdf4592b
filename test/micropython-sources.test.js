// The bridge's Python (src/micropython/py/) compiles under CPython (as a syntax check any
// Python tool can repeat) and under MicroPython itself, where it runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { ROOT } from "./support/peers.js";
import { startMp } from "./support/micropython.js";

const PY = path.join(ROOT, "src", "micropython", "py");

function pythonFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pythonFiles(path.join(dir, e.name)) : e.name.endsWith(".py") ? [path.join(dir, e.name)] : [],
  );
}

const files = pythonFiles(PY);

test("every .py file of the bridge compiles under CPython", () => {
  assert.ok(files.length >= 6);
  const check = "import sys\nfor f in sys.argv[1:]:\n    compile(open(f, encoding='utf-8').read(), f, 'exec')\n";
  const r = spawnSync("python3", ["-c", check, ...files], { encoding: "utf8" });
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
});

test("every .py file of the bridge compiles under MicroPython", async () => {
  const code = "import sys\nfor f in sys.argv[1:]:\n    compile(open(f).read(), f, 'exec')\nprint(len(sys.argv) - 1)\n";
  const r = await startMp(["-c", code, ...files], { input: "" }).done;
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, `${files.length}\n`);
});
