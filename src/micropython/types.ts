// The parts of the MicroPython WebAssembly port's instance that the bridge uses
// (npm @micropython/micropython-webassembly-pyscript; it ships no type declarations).

/** The part of the port's Emscripten file system (`mp.FS`) that the bridge uses: devices
 * for standard streams and the files of src/micropython/py/ it copies in. */
export interface EmscriptenFS {
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: Record<string, unknown>): void;
  mkdev(path: string, mode: number, dev: number): void;
  mkdirTree(path: string): void;
  writeFile(path: string, data: string | Uint8Array): void;
  unlink(path: string): void;
  /** The class of the errors a device operation throws: `new ErrnoError(errno)`. */
  ErrnoError: new (
    errno: number,
  ) => Error;
}

/** A loaded MicroPython instance: run code with runPython(). */
export interface MicroPythonInstance {
  FS: EmscriptenFS;
  registerJsModule(name: string, module: object): void;
  runPython(code: string): unknown;
  pyimport(name: string): unknown;
  globals: { get(key: string): unknown; set(key: string, value: unknown): void };
}

/** Options of the port's loadMicroPython. */
export interface LoadOptions {
  /** Bytes of the first MicroPython heap (the port grows it when it fills). */
  heapsize?: number;
  pystack?: number;
  url?: string;
  stdin?: () => number | null;
  stdout?: (data: string | Uint8Array) => void;
  stderr?: (data: string | Uint8Array) => void;
  linebuffer?: boolean;
}
