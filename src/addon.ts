// Finds and loads a native addon of this package by name, with no dependency and no
// compiler: a local node-gyp build first (it exists only because the prebuilt one did not
// load, or because this is a development checkout), then the prebuilt file packed for this
// platform under prebuilds/<platform>-<arch>/, the directory convention of prebuildify and
// node-gyp-build. scripts/install.js makes the same choice at install time.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const packageRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const requireAddon = createRequire(import.meta.url);

/** Where `loadAddon(name)` looks, in order. */
export function addonCandidates(name: string): string[] {
  // The sanitizer run points every addon at its instrumented build, and must never fall
  // back to the regular one.
  const override = process.env["USOCKET_NATIVE_DIR"];
  if (override) return [path.resolve(override, `${name}.node`)];
  return [
    path.join(packageRoot, "build", "Release", `${name}.node`),
    path.join(packageRoot, "prebuilds", `${process.platform}-${process.arch}`, `${name}.node`),
  ];
}

/**
 * Loads `<name>.node` (a `target_name` of binding.gyp). Throws one error that names what
 * was tried and how to fix it, instead of a bare "Cannot find module".
 */
export function loadAddon<T>(name: string): T {
  const failures: string[] = [];
  for (const file of addonCandidates(name)) {
    if (!existsSync(file)) {
      failures.push(`${file}: not there`);
      continue;
    }
    try {
      return requireAddon(file) as T;
    } catch (error) {
      // A prebuilt file for another C library (musl) or an older Node-API fails here.
      failures.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(
    `usocket-node: the native core ${name}.node is not built for this system ` +
      `(${process.platform}-${process.arch}, Node.js ${process.version}). Tried:\n  ${failures.join("\n  ")}\n` +
      "No prebuilt core fits, and the package's install script, which compiles one, was skipped or failed. " +
      "To fix: install python3, make and a C compiler (Debian/Ubuntu: apt-get install python3 make g++; " +
      "macOS: xcode-select --install), then run `npm rebuild usocket-node`; to have npm install compile it, " +
      "allow the script (npm 11: `npm install-scripts approve usocket-node`; pnpm: `pnpm approve-builds`; " +
      "not under --ignore-scripts).",
    { cause: failures },
  );
}
