// Installs the bridge into a loaded instance of the MicroPython WebAssembly port: the
// JavaScript calls as the module `_usocket`, the Python modules written into the
// instance's file system, and a bootstrap that imports them as `socket`/`usocket-node` and
// `select`/`uselect` (in sys.modules, so they win over the port's own `select`).
import { createCalls } from "./calls.js";
import { Heap } from "./heap.js";
import { bootstrap, LIB, SELECT_PY, SOCKET_PY, TIME_PY } from "./python.js";
import type { MicroPythonInstance } from "./types.js";

/** What installSocket() replaces in the port besides `socket` and `select`. */
export interface InstallOptions {
  /** Replace time.sleep/sleep_ms/sleep_us (which spin in this port) with real waits. Default true. */
  time?: boolean;
  /** Replace input() (which hangs in this port) with one that reads a line of sys.stdin. Default false. */
  input?: boolean;
}

const installed = new WeakSet<object>();

/**
 * Makes `import socket` and `import select` (and `usocket`/`uselect`) inside `mp` the
 * usocket bridge, for an instance loaded by hand; loadMicroPython() does it for you.
 * @example installSocket(await portModule.loadMicroPython());
 */
export function installSocket(mp: MicroPythonInstance, options: InstallOptions = {}): void {
  if (installed.has(mp)) return;
  const heap = new Heap();
  heap.attach(mp);
  mp.registerJsModule("_usocket", createCalls(heap));
  mp.FS.mkdirTree(LIB);
  mp.FS.writeFile(`${LIB}/socket.py`, SOCKET_PY);
  mp.FS.writeFile(`${LIB}/select.py`, SELECT_PY);
  mp.FS.writeFile(`${LIB}/_usocket_time.py`, TIME_PY);
  mp.runPython(bootstrap({ time: options.time ?? true, input: options.input ?? false }));
  installed.add(mp);
}
