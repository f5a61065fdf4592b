// CPython as the oracle: running a python3 program on JSON in and out.
import { spawnSync } from "node:child_process";

/**
 * Runs python3 with `code`, feeding `input` (a JSON value) on stdin; returns the JSON value
 * the program prints. Synchronous: use it only when no peer in this process needs serving.
 */
export function python(code, input = null, timeoutMs = 20000) {
  const run = spawnSync("python3", ["-c", code], {
    input: JSON.stringify(input),
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Whether python3 runs here. */
export function hasPython() {
  const run = spawnSync("python3", ["-c", "import socket, json, zlib"], { timeout: 10000 });
  return run.status === 0;
}
