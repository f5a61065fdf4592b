// usocket-node/micropython: MicroPython's socket and select, backed by usocket, inside the
// MicroPython WebAssembly port (docs/behaviour.md §8).
export { installSocket, type InstallOptions } from "./install.js";
export { loadMicroPython, DEFAULT_HEAPSIZE } from "./loader.js";
export { main } from "./cli.js";
export type { LoadOptions, MicroPythonInstance } from "./types.js";
