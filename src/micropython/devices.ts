// The bridge's fast path for a socket's data: two character devices of the interpreter's
// file system. socket.py opens one of them as a binary file (io.FileIO) for a socket and
// calls the file's own read/readinto/write: the port passes such a call straight to the
// device's operation with the interpreter's memory, the buffer's offset and its length, so
// nothing is converted and no proxy is made (a call through `_usocket` converts every
// argument and result on both sides). The operations are Socket's heap methods:
//   /dev/usocket-io      recv/send: one system call (socket.py's recv, recv_into, send)
//   /dev/usocket-stream  the stream rules: read, readinto, write (no short transfer on a
//                        blocking socket, None when nothing moved on a non-blocking one)
//
// MicroPython's stream layer calls an operation again until it has all it asked for
// (py/stream.c, mp_stream_rw); a socket call must end after one transfer. So an operation
// that moved less than it was asked for marks its stream, and the next call, which is the
// same loop's, answers 0 (which ends the loop with what was done). A failure throws one
// errno (FAILED) that socket.py catches and raises from the code it fetches with
// `_usocket.failure()`, exactly as the calls path raises; EAGAIN (MicroPython's number)
// is thrown only where the stream layer should answer None.
import type { Socket } from "../socket.js";
import type { EmscriptenFS } from "./types.js";

export const IO_DEVICE = "/dev/usocket-io";
export const STREAM_DEVICE = "/dev/usocket-stream";

/** The errno a failed operation throws: no errno of MicroPython's or the port's libc, and
 * within the 16 bits a WASI errno has (the port's libc passes it to MicroPython as it is). */
export const FAILED = 0x7eee;

/** MicroPython's EAGAIN (its own numbering in this port): the stream layer answers None. */
const MP_EAGAIN = 11;
/** Emscripten's ENXIO: the device was opened without a socket to attach. */
const WASI_ENXIO = 60;

/** The Socket method an operation calls: recv/send for /dev/usocket-io, readinto/write
 * (the stream rules) for /dev/usocket-stream. */
type Method = "recv" | "send" | "readinto" | "write";

/** What a device keeps on Emscripten's stream object of an open file. */
interface SocketStream {
  /** Set by open; Emscripten calls no operation of a closed stream. */
  socket: Socket | null;
  /** The last transfer was short: the next call (the same read or write loop) answers 0. */
  short: boolean;
}

/** Hooks into the table of calls (calls.ts). */
export interface DeviceHooks {
  /** The wrapper's translation of anything thrown: the code the calls path returns. */
  fail(error: unknown): number;
}

/** The devices of one interpreter. */
export interface Devices {
  /** The socket the next open of a device attaches to (cleared by that open). */
  attach(socket: Socket): void;
  /** The code of the last failed operation (read once by Python). */
  failure(): number;
}

/** Creates both devices in the instance's file system. */
export function createDevices(FS: EmscriptenFS, hooks: DeviceHooks): Devices {
  const ErrnoError = FS.ErrnoError;
  // made once: an Error captures a stack trace when it is constructed, far more than a call costs
  const failed = new ErrnoError(FAILED);
  const again = new ErrnoError(MP_EAGAIN);
  let pending: Socket | null = null;
  let code = 0;
  let heap8: Int8Array | null = null;
  let heap: Uint8Array = new Uint8Array(0);

  /** The interpreter's memory as bytes: the view is made again only when the memory grew. */
  function bytes(buffer: Int8Array): Uint8Array {
    if (buffer !== heap8) {
      heap8 = buffer;
      heap = new Uint8Array(buffer.buffer);
    }
    return heap;
  }

  function fail(error: unknown): never {
    code = hooks.fail(error);
    throw failed;
  }

  function open(stream: SocketStream): void {
    if (pending === null) throw new ErrnoError(WASI_ENXIO);
    stream.socket = pending;
    stream.short = false;
    pending = null;
  }

  function close(stream: SocketStream): void {
    stream.socket = null;
  }

  /** One operation of either device: `method` picks the Socket call (a constant at each
   * call site, so V8 inlines this into the operation and drops the switch). */
  function transfer(stream: SocketStream, method: Method, buffer: Int8Array, offset: number, length: number): number {
    if (stream.short) {
      stream.short = false;
      return 0;
    }
    let n: number;
    try {
      const socket = stream.socket!;
      const view = bytes(buffer);
      switch (method) {
        case "recv":
          n = socket._recvAt(view, offset, length, 0);
          break;
        case "send":
          n = socket._sendAt(view, offset, length, 0);
          break;
        case "readinto":
          n = socket._readintoAt(view, offset, length) ?? -1;
          break;
        default:
          n = socket._writeAt(view, offset, length) ?? -1;
      }
    } catch (error) {
      fail(error);
    }
    if (n < length) {
      // -1 (null above, kept a number so that n stays an integer for V8): nothing moved on
      // a non-blocking socket, which the stream layer answers with None
      if (n < 0) throw again;
      // 0 ends the stream layer's loop by itself (the end of the stream; a socket moves at
      // least one byte of a non-empty write or fails), so only a partial transfer marks
      if (n > 0) stream.short = true;
    }
    return n;
  }

  const io = {
    open,
    close,
    read: (stream: SocketStream, buffer: Int8Array, offset: number, length: number): number =>
      transfer(stream, "recv", buffer, offset, length),
    write: (stream: SocketStream, buffer: Int8Array, offset: number, length: number): number =>
      transfer(stream, "send", buffer, offset, length),
  };

  const streamOps = {
    open,
    close,
    read: (stream: SocketStream, buffer: Int8Array, offset: number, length: number): number =>
      transfer(stream, "readinto", buffer, offset, length),
    write: (stream: SocketStream, buffer: Int8Array, offset: number, length: number): number =>
      transfer(stream, "write", buffer, offset, length),
  };

  // A major number no Emscripten device uses (heap.ts has 171); the minor tells instances apart.
  const minor = nextMinor;
  nextMinor = (nextMinor + 2) & 0xff;
  for (const [path, ops, m] of [
    [IO_DEVICE, io, minor],
    [STREAM_DEVICE, streamOps, minor + 1],
  ] as const) {
    const dev = FS.makedev(172, m & 0xff);
    FS.registerDevice(dev, ops);
    try {
      FS.unlink(path);
    } catch {
      // not there yet
    }
    FS.mkdev(path, 0o666, dev);
  }

  return {
    attach(socket: Socket): void {
      pending = socket;
    },
    failure(): number {
      const c = code;
      code = 0;
      return c;
    },
  };
}

let nextMinor = 0;
