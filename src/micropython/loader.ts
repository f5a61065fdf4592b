// Creates an instance of the MicroPython WebAssembly port with the bridge installed. The
// port is an optional peer dependency, imported only here, when this is first called.
import { installSocket, type InstallOptions } from "./install.js";
import { restoreStackOnThrow } from "./sjlj.js";
import { type PortGlue, takePortExports, withTableCopy } from "./table.js";
import type { LoadOptions, MicroPythonInstance } from "./types.js";

const PACKAGE = "@micropython/micropython-webassembly-pyscript";

/** The first heap: garbage is only collected between calls from JavaScript, so be generous. */
export const DEFAULT_HEAPSIZE = 64 * 1024 * 1024;

/**
 * Loads MicroPython's WebAssembly port (the optional peer dependency
 * `@micropython/micropython-webassembly-pyscript`) with a 64 MiB first heap and installs
 * the `socket` and `select` modules in it.
 * @throws Error with the install command when the port package is not installed.
 * @example const mp = await loadMicroPython({ stdout: (s) => process.stdout.write(s) }); mp.runPython("import socket");
 */
export async function loadMicroPython(options: LoadOptions & InstallOptions = {}): Promise<MicroPythonInstance> {
  let port: { loadMicroPython(options: LoadOptions): Promise<MicroPythonInstance> };
  try {
    port = (await import(PACKAGE as string)) as typeof port;
  } catch (error) {
    throw new Error(`usocket-node/micropython needs the MicroPython WebAssembly port: npm install ${PACKAGE}`, {
      cause: error,
    });
  }
  const { time, input, hostfs, asyncio, ...load } = options;
  const mp = await withTableCopy(() => port.loadMicroPython({ heapsize: DEFAULT_HEAPSIZE, ...load }));
  const glue = (mp as { _module?: PortGlue & { ccall?: unknown } })._module;
  const exports = glue === undefined ? null : takePortExports(glue);
  if (glue !== undefined && exports !== null) restoreStackOnThrow(glue, exports);
  installSocket(mp, { time, input, hostfs, asyncio });
  return mp;
}
