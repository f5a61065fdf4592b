// The interpreter's memory, seen from JavaScript. The port exports neither HEAPU8 nor its
// WebAssembly.Memory, but Emscripten hands its whole heap (an Int8Array) to the write
// operation of a character device: Python writes one byte to such a device, and the
// device keeps the heap's ArrayBuffer. When the heap grows, that ArrayBuffer is detached;
// calls then answer STALE and Python writes to the device again before it retries.
import type { MicroPythonInstance } from "./types.js";

/** Where Python writes to hand the heap over. */
export const HEAP_DEVICE = "/dev/usocket-heap";

export class Heap {
  #bytes: Uint8Array = new Uint8Array(0);

  /** The whole heap, or null when it grew since it was last handed over (detached). */
  bytes(): Uint8Array | null {
    const bytes = this.#bytes;
    return bytes.length === 0 ? null : bytes;
  }

  /** Creates the device in the instance's file system (once per instance). */
  attach(mp: MicroPythonInstance): void {
    const FS = mp.FS;
    // A major number no Emscripten device uses; the minor tells instances apart.
    const dev = FS.makedev(171, nextMinor++);
    FS.registerDevice(dev, {
      open() {},
      close() {},
      read() {
        return 0;
      },
      write: (_stream: unknown, buffer: Int8Array, _offset: number, length: number) => {
        this.#bytes = new Uint8Array(buffer.buffer);
        return length;
      },
    });
    try {
      FS.unlink(HEAP_DEVICE);
    } catch {
      // not there yet
    }
    FS.mkdev(HEAP_DEVICE, 0o666, dev);
  }
}

let nextMinor = 0;
