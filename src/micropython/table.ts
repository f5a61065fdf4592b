// The watch on WebAssembly.instantiate while the port loads, and the port's function table
// read without its debug check. While watched, the port's module is rewritten so its
// setjmp/longjmp runs in WebAssembly (sjlj.ts), its memory's growth is bounded
// (heap-limit.ts), and the instance's exports are kept for takePortExports() (loader.ts).
//
// The table: the npm build of the port has Emscripten's assertions on, so each of the
// invoke_* imports that emulate setjmp/longjmp (the interpreter's bytecode loop makes almost
// every call through one) looks an entry up in its own copy of the table and then asks the
// table for the same entry again, to check the copy. That second look-up is a call into V8's
// C++ API, about an eighth of the interpreter's time in W1 (docs/performance.md). On the
// rewritten module no invoke_* runs; when the rewrite does not apply, it is the hot path
// again. Entries change only when the table is set or grown from JavaScript (C code compiled
// by Emscripten never changes it), so the table of the instance the port makes gets its own
// get(), answered from a copy that set() and grow() drop. Nothing else changes: the same
// function objects, the same errors.

import { limitHeapGrowth } from "./heap-limit.js";
import { instantiateRewritten } from "./sjlj.js";

/** The parts of WebAssembly's JavaScript API used here (the project's lib has no DOM types). */
interface WasmTable {
  readonly length: number;
  get(index: number): unknown;
  set(index: number, value?: unknown): void;
  grow(delta: number, value?: unknown): number;
}

interface WasmInstance {
  exports: Record<string, unknown>;
}

type Instantiate = (source: unknown, imports?: unknown) => Promise<WasmInstance | { instance: WasmInstance }>;

interface WasmApi {
  instantiate: Instantiate;
  Table: (new (...args: never[]) => WasmTable) & { prototype: WasmTable };
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let loading = 0;
let original: Instantiate | null = null;

/** The exports of the port instances made while watched, until takePortExports() claims them. */
const ports = new Set<Record<string, unknown>>();

/** The parts of the port's glue (its `Module`) that tell which instance it drives. */
export interface PortGlue {
  _malloc?: unknown;
  _free?: unknown;
  setValue?: unknown;
}

/**
 * The exports of the port instance that `glue` drives, or null; each is handed out once. The
 * glue does not show its memory (reading an unexported runtime symbol aborts), so a byte it
 * writes is looked for in each instance's memory.
 */
export function takePortExports(glue: PortGlue): Record<string, unknown> | null {
  const { _malloc: malloc, _free: free, setValue } = glue;
  if (typeof malloc !== "function" || typeof free !== "function" || typeof setValue !== "function") return null;
  const at = malloc(1) as number;
  try {
    for (const exports of ports) {
      const memory = exports["memory"] as { buffer?: unknown } | undefined;
      if (!(memory?.buffer instanceof ArrayBuffer) || at + 1 > memory.buffer.byteLength) continue;
      const seen = (value: number) => {
        setValue(at, value, "i8");
        return new Uint8Array(memory.buffer as ArrayBuffer, at, 1)[0] === value;
      };
      if (seen(0x5a) && seen(0x25)) {
        ports.delete(exports);
        return exports;
      }
    }
    return null;
  } finally {
    free(at);
  }
}

/** The function table of an instance of the MicroPython port, or null for any other module. */
function portTable(instance: WasmInstance): WasmTable | null {
  const exports = instance.exports;
  const table = exports["__indirect_function_table"];
  if (typeof exports["mp_js_init"] !== "function" || !(table instanceof wasm.Table)) return null;
  return table;
}

/** Gives `table` a get() answered from a copy of its entries, dropped by set() and grow(). */
function keepCopy(table: WasmTable): void {
  if (Object.hasOwn(table, "get")) return;
  const proto = wasm.Table.prototype;
  // as long as the table from the start: an array filled at scattered indices would turn into a
  // dictionary, whose look-up costs more than the call it saves
  let copy: unknown[] = new Array(table.length);
  Object.defineProperties(table, {
    get: {
      value(this: WasmTable, index: number): unknown {
        if (index >>> 0 !== index) return proto.get.call(this, index);
        let entry = copy[index];
        if (entry === undefined) {
          entry = proto.get.call(this, index);
          copy[index] = entry;
        }
        return entry;
      },
      configurable: true,
      writable: true,
    },
    set: {
      value(this: WasmTable, ...args: [number, unknown?]): void {
        proto.set.apply(this, args);
        copy = new Array(this.length);
      },
      configurable: true,
      writable: true,
    },
    grow: {
      value(this: WasmTable, ...args: [number, unknown?]): number {
        const old = proto.grow.apply(this, args);
        copy = new Array(this.length);
        return old;
      },
      configurable: true,
      writable: true,
    },
  });
}

/** WebAssembly.instantiate while a port loads: as the original, on the port's module with
 * setjmp/longjmp in WebAssembly (sjlj.ts), noting the port's table (and bounding its memory's
 * growth: heap-limit.ts). */
function instantiate(source: unknown, imports?: unknown): ReturnType<Instantiate> {
  limitHeapGrowth(imports);
  const plain = original!;
  const load = (bytes: unknown) => plain.call(wasm, bytes, imports);
  const loaded = instantiateRewritten(source, imports, load) as ReturnType<Instantiate>;
  return loaded.then((result) => {
    const instance = "instance" in result ? result.instance : result;
    const table = portTable(instance);
    if (table !== null) {
      keepCopy(table);
      ports.add(instance.exports);
    }
    return result;
  });
}

/**
 * Runs `load` (which instantiates the port) with WebAssembly.instantiate watched, so the
 * port's table reads its entries from a copy; restores the original when the last
 * concurrent load ends.
 */
export async function withTableCopy<T>(load: () => Promise<T>): Promise<T> {
  if (loading++ === 0) {
    original = wasm.instantiate;
    wasm.instantiate = instantiate;
  }
  try {
    return await load();
  } finally {
    if (--loading === 0) {
      wasm.instantiate = original!;
      original = null;
    }
  }
}
