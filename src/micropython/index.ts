/**
 * The `socket` and `select` modules inside MicroPython's WebAssembly port:
 * `loadMicroPython()`, `installSocket(mp)`, and the `usocket-micropython` command's `main`.
 *
 * @module usocket-node/micropython
 */
// usocket-node/micropython: MicroPython's socket and select, backed by usocket, inside the
// MicroPython WebAssembly port (docs/behaviour.md §8).
export { installSocket, type InstallOptions } from "./install.js";
export { loadMicroPython, DEFAULT_HEAPSIZE } from "./loader.js";
export { main } from "./cli.js";
export type { EmscriptenFS, LoadOptions, MicroPythonInstance } from "./types.js";
