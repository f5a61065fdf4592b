// Installs the bridge into a loaded instance of the MicroPython WebAssembly port: the
// JavaScript calls as the module `_usocket`, the Python modules of src/micropython/py/
// copied into the instance's file system, and _usocket_boot.py run once to put them in
// sys.modules (so they win over the port's own `select`, `time` and `asyncio`).
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createCalls } from "./calls.js";
import { Heap } from "./heap.js";
import { attachLastRoom } from "./heap-limit.js";
import { mountHost } from "./hostfs.js";
import type { MicroPythonInstance } from "./types.js";

/** What installSocket() replaces in the port besides `socket` and `select`. */
export interface InstallOptions {
  /** Replace time.sleep/sleep_ms/sleep_us (which spin in this port) with real waits. Default true. */
  time?: boolean;
  /** Replace input() (which hangs in this port) with one that reads a line of sys.stdin. Default false. */
  input?: boolean;
  /** Mount the host's file system (all but /dev, /proc, /sys) and start in its working directory. Default false. */
  hostfs?: boolean;
  /** Replace the port's asyncio (driven by JavaScript's event loop) with the project's own. Default true. */
  asyncio?: boolean;
}

/** Where the bridge's Python files are, in the package (shipped as source, read at install). */
export const PY_SOURCE = fileURLToPath(new URL("../../src/micropython/py/", import.meta.url));

/** Where they are copied in the instance's file system. */
export const LIB = "/usocket/lib";

/** How deep package folders under py/ are copied (asyncio/ is one level). */
const DEPTH = 3;

const installed = new WeakSet<object>();

/** The .py files under `dir`, as paths relative to it (read once per process). */
function pythonFiles(dir: string, depth = 0): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".py")) out.push(entry.name);
    else if (entry.isDirectory() && depth < DEPTH && entry.name !== "__pycache__") {
      for (const f of pythonFiles(path.join(dir, entry.name), depth + 1)) out.push(path.join(entry.name, f));
    }
  }
  return out;
}

let sources: Map<string, Buffer> | null = null;

function pythonSources(): Map<string, Buffer> {
  if (sources === null) {
    sources = new Map(pythonFiles(PY_SOURCE).map((f) => [f, fs.readFileSync(path.join(PY_SOURCE, f))]));
  }
  return sources;
}

/**
 * Makes `import socket` and `import select` (and `usocket`/`uselect`) inside `mp` the
 * usocket bridge, for an instance loaded by hand; loadMicroPython() does it for you.
 * @example installSocket(await portModule.loadMicroPython());
 */
export function installSocket(mp: MicroPythonInstance, options: InstallOptions = {}): void {
  if (installed.has(mp)) return;
  const heap = new Heap();
  heap.attach(mp);
  attachLastRoom(mp);
  mp.registerJsModule("_usocket", createCalls(heap, mp.FS));
  if (options.hostfs === true) mountHost(mp);
  const files = pythonSources();
  for (const [name, data] of files) {
    const target = `${LIB}/${name}`;
    mp.FS.mkdirTree(path.posix.dirname(target));
    mp.FS.writeFile(target, data);
  }
  const asyncio = (options.asyncio ?? true) && files.has("asyncio/__init__.py");
  const flag = (b: boolean): string => (b ? "True" : "False");
  mp.runPython(
    `import sys\nsys.path.insert(0, '${LIB}')\nimport _usocket_boot\nsys.path.pop(0)\n` +
      `_usocket_boot.install('${LIB}', ${flag(options.time ?? true)}, ${flag(options.input ?? false)}, ${flag(asyncio)}, ${flag(options.hostfs === true)})\n` +
      `del sys.modules['_usocket_boot'], _usocket_boot, sys\n`,
  );
  installed.add(mp);
}
