// Every program in examples/ (examples/README.md) runs by itself on loopback, prints what
// it did and exits 0; .py files run through usocket-micropython. A new example is picked
// up by its file name; one that prints nothing, hangs or exits non-zero fails here.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { ROOT } from "./support/peers.js";

const EXAMPLES = path.join(ROOT, "examples");
const CLI = path.join(ROOT, "bin", "usocket-micropython.js");
const files = readdirSync(EXAMPLES)
  .filter((name) => /\.(js|py)$/.test(name))
  .sort();

/** Runs one example the way its header says; resolves to { code, signal, stdout, stderr }. */
async function runExample(file) {
  const args = file.endsWith(".py") ? [CLI, path.join(EXAMPLES, file)] : [path.join(EXAMPLES, file)];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
  const [code, signal] = await once(child, "exit");
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

describe("examples/ run by themselves", () => {
  test("the folder holds the examples the README lists", () => {
    for (const name of [
      "http-get.js",
      "poll-echo.js",
      "udp-request-response.js",
      "udp-multicast.js",
      "nonblocking-connect.js",
      "async-echo-server.js",
      "micropython-echo.py",
      "micropython-tls.py",
      "demo.js",
    ]) {
      assert.ok(files.includes(name), `examples/${name}`);
    }
  });

  for (const file of files) {
    test(`${file}: exits 0 and reports what it did`, async () => {
      const { code, signal, stdout, stderr } = await runExample(file);
      assert.equal(signal, null, `${file} was killed after 60 s\n${stdout}${stderr}`);
      assert.equal(code, 0, `${file} exited ${code}\n${stdout}${stderr}`);
      assert.ok(stdout.trim().split("\n").length >= 2, `${file} prints its steps:\n${stdout}`);
      assert.equal(stderr.trim(), "", `${file} wrote to stderr`);
    });
  }
});
