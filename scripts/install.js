// npm's install step. A packed usocket-node carries its native core prebuilt for the
// platform it was packed on (prebuilds/<platform>-<arch>/, see scripts/prebuild.js): when
// every addon there loads in this Node, nothing is compiled. Otherwise node-gyp builds
// them into build/Release/, which src/addon.ts prefers. When that fails too, the user
// gets one message that says what is missing and how to fix it, not node-gyp's stack.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const platform = `${process.platform}-${process.arch}`;

/** Why the prebuilt addons cannot be used here, or null when they all load. */
function prebuiltProblem() {
  const folder = path.join(root, "prebuilds", platform);
  const addons = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith(".node")) : [];
  if (addons.length === 0) return `no prebuilt core for ${platform}`;
  const load = createRequire(import.meta.url);
  for (const addon of addons) {
    try {
      load(path.join(folder, addon));
    } catch (error) {
      return `the prebuilt ${addon} does not load here: ${error.message.split("\n")[0]}`;
    }
  }
  return null;
}

/** node-gyp as npm ships it (npm_config_node_gyp), else whatever is on PATH. */
function nodeGyp(args) {
  const bundled = process.env.npm_config_node_gyp;
  return bundled
    ? spawnSync(process.execPath, [bundled, ...args], { cwd: root, encoding: "utf8" })
    : spawnSync("node-gyp", args, { cwd: root, encoding: "utf8" });
}

/** The one line of node-gyp's output that says what is missing. */
function diagnose(output) {
  if (/gyp ERR! find Python/.test(output)) return "python3 was not found";
  const missing = /not found: (\S+)/.exec(output) ?? /(\S+): (?:command )?not found/.exec(output);
  if (missing) return `${missing[1]} was not found`;
  const compiler = output.split("\n").find((line) => /\berror:/.test(line));
  if (compiler) return compiler.trim();
  const stack = output.split("\n").find((line) => line.startsWith("gyp ERR! stack Error:"));
  return stack ? stack.replace("gyp ERR! stack ", "").trim() : "node-gyp failed";
}

const problem = prebuiltProblem();
if (problem === null) process.exit(0);

const build = nodeGyp(["rebuild"]);
if (build.status === 0) process.exit(0);

const log = path.join(tmpdir(), `usocket-node-build-${process.pid}.log`);
const output = `${build.stdout ?? ""}${build.stderr ?? ""}`;
writeFileSync(log, build.error ? `${build.error.message}\n${output}` : output);
const reason = build.error
  ? `node-gyp could not be started (${build.error.code ?? build.error.message})`
  : diagnose(output);
console.error(
  [
    "",
    `usocket-node: cannot set up the native core: ${problem}, and compiling it failed.`,
    `  ${reason.trim()}`,
    "  Compiling needs python3, make and a C compiler:",
    "    Debian/Ubuntu: apt-get install python3 make g++    Fedora: dnf install python3 make gcc-c++",
    "    Alpine: apk add python3 make g++                    macOS: xcode-select --install",
    "  then run: npm rebuild usocket-node",
    `  Full build output: ${log}`,
    "",
  ].join("\n"),
);
process.exit(1);
