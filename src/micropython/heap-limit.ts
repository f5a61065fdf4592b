// Where the port's memory stops growing. The port never collects garbage while a script
// runs (its collection waits until the outermost call from JavaScript returns), so a long
// script grows its Python heap in new regions of up to 128 MiB towards WebAssembly's 2 GiB.
// There, Emscripten prints "Cannot enlarge memory" for every failed request, and the port
// hangs: printing a traceback or turning an exception into its JavaScript form needs heap
// memory, and an allocation that fails outside any Python handler ends in the port's
// nlr_jump_fail, an endless loop. So growth is refused earlier, silently, in stages:
//  1. at SOFT_LIMIT: the allocation fails and the script gets MemoryError, as the unix port
//     at its heap's end. The allocator asks again at once for a little more (its retry):
//     refused too. The next request after that is another allocation: it opens the next
//     room (one more heap region), so a script that caught MemoryError can go on;
//  2. at the end of that room: the same, and the last room opens. The command line's runner
//     (_usocket_main.py) also opens it when the script ends (by writing to a device: a call
//     to JavaScript would need heap memory that is not there), for the traceback and the
//     exception's way out to JavaScript;
//  3. at the end of the last room: MemoryError once more; the next allocation throws a
//     JavaScript Error that ends the call (the instance is then unusable) before the port
//     could reach its hang.
// What lies above the last room is left to the C library's own small allocations.

/** WebAssembly's limit for this port (Emscripten's MAXIMUM_MEMORY). */
const WASM_LIMIT = 2 * 1024 * 1024 * 1024;

/** One more heap region (the port's gc_get_max_new_split: 128 MiB) and the allocator's slack. */
const RESERVE = 130 * 1024 * 1024;

/** Left to the C library above the last room. */
const C_ROOM = 64 * 1024 * 1024;

/** The memory size (bytes) past which growth is refused and allocations raise MemoryError. */
export const SOFT_LIMIT = WASM_LIMIT - C_ROOM - 2 * RESERVE;

/** The message of the JavaScript Error thrown when even the last room is full. */
export const EXHAUSTED = "MemoryError: the interpreter's memory is exhausted (2 GiB)";

import type { MicroPythonInstance } from "./types.js";

/** Where the runner writes a byte to open the last room. */
export const LAST_ROOM_DEVICE = "/dev/usocket-last-room";

type Resize = (requestedSize: number) => number | boolean;

/** Each port's limit, so the last room can be opened (the command line runs one instance). */
const limits = new Set<{ openLast(): void }>();

/** Opens the last room (one more heap region) of every instance whose growth was limited. */
export function openLastRoom(): void {
  for (const limit of limits) limit.openLast();
}

/** Creates the device that opens the last room in `mp`'s file system. */
export function attachLastRoom(mp: MicroPythonInstance): void {
  const FS = mp.FS;
  // a major number no Emscripten device uses (heap.ts has 171, devices.ts 172)
  const dev = FS.makedev(173, 0);
  FS.registerDevice(dev, {
    open() {},
    close() {},
    read() {
      return 0;
    },
    write: (_stream: unknown, _buffer: Int8Array, _offset: number, length: number) => {
      openLastRoom();
      return length;
    },
  });
  try {
    FS.unlink(LAST_ROOM_DEVICE);
  } catch {
    // not there yet
  }
  FS.mkdev(LAST_ROOM_DEVICE, 0o666, dev);
}

/**
 * Wraps the port's `emscripten_resize_heap` import in `imports` (as passed to
 * WebAssembly.instantiate) so the memory stops growing at SOFT_LIMIT. Other modules'
 * imports are left alone.
 */
export function limitHeapGrowth(imports: unknown): void {
  const env = (imports as { env?: Record<string, unknown> } | undefined)?.env;
  const resize = env?.["emscripten_resize_heap"];
  if (env === undefined || typeof resize !== "function" || typeof env["create_promise"] !== "function") return;
  let rooms = 0; // opened beyond SOFT_LIMIT: 0, 1 or 2
  let refused = 0; // the last refused request, until another allocation comes
  limits.add({
    openLast() {
      rooms = 2;
    },
  });
  env["emscripten_resize_heap"] = (requestedSize: number): number | boolean => {
    const size = requestedSize >>> 0;
    if (size <= SOFT_LIMIT + rooms * RESERVE) return (resize as Resize)(requestedSize);
    if (refused === 0 || size > refused) {
      refused = size; // the allocation fails (MemoryError in the script), and so does its retry
      return false;
    }
    refused = 0;
    if (rooms === 2) throw new Error(EXHAUSTED);
    rooms++;
    return size <= SOFT_LIMIT + rooms * RESERVE ? (resize as Resize)(requestedSize) : false;
  };
}
