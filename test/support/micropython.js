// Running MicroPython scripts through usocket-micropython, as child processes.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ROOT } from "./peers.js";

export const CLI = path.join(ROOT, "bin", "usocket-micropython.js");

/** A fresh folder for scripts; `files` maps names to contents. */
export function scriptDir(files = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "usocket-mp-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/**
 * Starts usocket-micropython with `args`. `lines` resolves, one by one, to the lines it
 * prints (as they come); `done` to { code, stdout, stderr } when it exits. Killed after
 * `limitMs` so that no test waits forever.
 */
export function startMp(args, { cwd, input, env, limitMs = 15000 } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiting = [];
  const queued = [];
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    partial += chunk;
    let nl;
    while ((nl = partial.indexOf("\n")) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const w = waiting.shift();
      if (w) w.resolve(line);
      else queued.push(line);
    }
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const done = new Promise((resolve) => {
    // "close", not "exit": only then has everything the child wrote been read from its
    // pipes (on a loaded machine its last stderr lines can come after "exit").
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      for (const w of waiting.splice(0))
        w.reject(new Error(`exited (${code ?? signal}) before printing a line: ${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  if (input !== undefined) child.stdin.end(input);
  /** The next line printed. */
  const line = () => {
    if (queued.length > 0) return Promise.resolve(queued.shift());
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
  return { child, line, done };
}

/** Runs a script (text) to its end: { code, stdout, stderr }. */
export function runMp(script, { args = [], files = {}, input, limitMs } = {}) {
  const dir = scriptDir({ ...files, "main.py": script });
  return startMp([path.join(dir, "main.py"), ...args], { cwd: dir, input: input ?? "", limitMs }).done;
}
