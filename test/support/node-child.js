// Running a Node ES module in a child process, with usocket-node importable, for what must
// happen in a fresh process (exit, garbage collection, node options).
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import { DIST } from "./peers.js";

/**
 * Runs a node ES module in a child (`code` as text, `usocket-node` importable from
 * process.env.USOCKET) with extra node options; resolves to { code, stdout, stderr }.
 * Killed after `limitMs`.
 */
export async function runNode(code, { execArgv = [], limitMs = 20000 } = {}) {
  const child = spawn(process.execPath, [...execArgv, "--input-type=module", "-e", code], {
    env: { ...process.env, USOCKET: path.join(DIST, "index.js") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const [status, signal] = await once(child, "exit");
  clearTimeout(timer);
  return { code: status, signal, stdout, stderr };
}
