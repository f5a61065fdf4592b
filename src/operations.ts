// Every call that can block, written once as a generator. An operation tries its system
// call; when the call would block it yields the poll events it needs and is resumed
// with `true` (ready: try again) or `false` (the caller does not wait: give up). The
// synchronous driver (socket.ts) waits with poll(2) under the socket's deadline; the
// Promise driver waits on the event loop. A timeout or abort is thrown into the
// generator, so an operation that already moved bytes can keep them (docs/behaviour.md §4, "Nothing is
// lost"). The stream rules (no short reads or writes) live here and nowhere else; the
// bytes themselves move through the channel's Transport (a socket, or TLS over one).
import { Buffer } from "node:buffer";
import { native, optionalSystemConstant, systemConstant } from "./native.js";
import { E, OSError } from "./errors.js";
import { MSG_DONTWAIT, MSG_PEEK, SOCK_STREAM } from "./constants.js";

export const POLLIN = systemConstant("POLLIN");
export const POLLOUT = systemConstant("POLLOUT");
const MSG_TRUNC = optionalSystemConstant("MSG_TRUNC") ?? 0;
const EAGAIN = E.EAGAIN;

/** Returned by the *Some primitives when the caller does not wait. */
export const WOULD_BLOCK = -1;

/** Most bytes asked of the system in one call, whatever bufsize says (docs/behaviour.md §10). */
export const RECV_CHUNK = 256 * 1024;

/** A generator that yields poll events and is resumed with whether to try again. */
export type Operation<T> = Generator<number, T, boolean>;

/**
 * The transport an operation reads and writes through: a plain socket (one system call),
 * or a TLS engine over one (src/tls-engine.ts), which may need the other direction first
 * (a handshake, a renegotiation, ciphertext still to be sent). Each call moves bytes once
 * without waiting and returns the count (0 = end of stream), a negative errno, or
 * waitFor(events): nothing could be moved until those poll events.
 */
export interface Transport {
  recvInto(buf: Uint8Array, offset: number, length: number, flags: number, syscall: string): number;
  sendFrom(
    data: ArrayBufferView,
    offset: number,
    length: number,
    flags: number,
    syscall: string,
    address?: Uint8Array,
  ): number;
}

/** What an operation needs of the socket it runs on. */
export interface Channel extends Transport {
  readonly type: number;
  /** The descriptor; throws OSError(EBADF) when the socket was closed meanwhile. */
  fdFor(syscall: string): number;
  /** MSG_DONTWAIT when the driver waits on its own (Promise API), else 0. */
  readonly dontwait: number;
  /** Kept-back bytes (docs/behaviour.md §4, "Nothing is lost"), served before the transport. */
  takeKept(into: Uint8Array, offset: number, length: number, peek: boolean): number;
  keepBack(bytes: Uint8Array): void;
}

/** A transport's "wait for these poll events" result: below every negative errno. */
const WAIT_SHIFT = 0x10000;
export function waitFor(events: number): number {
  return -WAIT_SHIFT * events;
}

/** The poll events a transport result asks to wait for (0: not a wait). `natural` is what
 * a plain socket's EAGAIN means: POLLIN for a receive, POLLOUT for a send. */
function waitEvents(rc: number, natural: number): number {
  if (rc === -EAGAIN) return natural;
  return rc <= -WAIT_SHIFT ? -rc / WAIT_SHIFT : 0;
}

/** The plain socket transport: one recv/send/sendto on the descriptor. */
export function socketRecvInto(
  ch: Channel,
  buf: Uint8Array,
  offset: number,
  length: number,
  flags: number,
  syscall: string,
): number {
  const fd = ch.fdFor(syscall);
  // The whole buffer (a fresh one per attempt: recvFresh, recvBytes): no window to check.
  if (offset === 0 && length === buf.length) return native.recvView(fd, buf, flags | ch.dontwait);
  return native.recv(fd, buf, offset, length, flags | ch.dontwait);
}

export function socketSendFrom(
  ch: Channel,
  data: ArrayBufferView,
  offset: number,
  length: number,
  flags: number,
  syscall: string,
  address?: Uint8Array,
): number {
  const fd = ch.fdFor(syscall);
  return address === undefined
    ? native.send(fd, data, offset, length, flags | ch.dontwait)
    : native.sendto(fd, data, offset, length, flags | ch.dontwait, address);
}

function fail(rc: number, syscall: string): never {
  throw new OSError(-rc, syscall);
}

/** One recv into buf[offset, offset+length): bytes (0 at EOF) or WOULD_BLOCK. */
export function* recvSome(
  ch: Channel,
  buf: Uint8Array,
  offset: number,
  length: number,
  flags: number,
  syscall: string,
): Operation<number> {
  const kept = ch.takeKept(buf, offset, length, (flags & MSG_PEEK) !== 0);
  if (kept > 0) return kept;
  for (;;) {
    const rc = ch.recvInto(buf, offset, length, flags, syscall);
    if (rc >= 0) return rc;
    const events = waitEvents(rc, POLLIN);
    if (events === 0) fail(rc, syscall);
    if ((flags & MSG_DONTWAIT) !== 0 || !(yield events)) return WOULD_BLOCK;
  }
}

/** One send from data[offset, offset+length): bytes sent or WOULD_BLOCK. */
export function* sendSome(
  ch: Channel,
  data: ArrayBufferView,
  offset: number,
  length: number,
  flags: number,
  syscall: string,
  address?: Uint8Array,
): Operation<number> {
  for (;;) {
    const rc = ch.sendFrom(data, offset, length, flags, syscall, address);
    if (rc >= 0) return rc;
    const events = waitEvents(rc, POLLOUT);
    if (events === 0) fail(rc, syscall);
    if ((flags & MSG_DONTWAIT) !== 0 || !(yield events)) return WOULD_BLOCK;
  }
}

export function wouldBlock(syscall: string, written?: number): OSError {
  return new OSError(EAGAIN, syscall, written === undefined ? undefined : { written });
}

/** recv/recv_into/send/sendto: one transfer, EAGAIN when it would block. */
export function* transferOnce(op: Operation<number>, syscall: string): Operation<number> {
  const n = yield* op;
  if (n === WOULD_BLOCK) throw wouldBlock(syscall);
  return n;
}

/** recv(bufsize): the bytes of one transfer, sized to what arrived. */
/** A datagram socket asked for more than RECV_CHUNK: the next datagram's size is read
 * first (MSG_PEEK | MSG_TRUNC, waiting as the call would), so that a datagram is truncated
 * only when it is larger than bufsize (docs/behaviour.md §4, §10). */
export function* datagramBuffer(ch: Channel, wanted: number, flags: number, syscall: string): Operation<Buffer> {
  const probe = Buffer.allocUnsafe(1);
  const n = yield* recvSome(ch, probe, 0, 1, flags | MSG_PEEK | MSG_TRUNC, syscall);
  if (n === WOULD_BLOCK) throw wouldBlock(syscall);
  return Buffer.allocUnsafe(Math.min(wanted, Math.max(n, RECV_CHUNK)));
}

/** recv of a datagram larger than RECV_CHUNK may be: sized first, then received. */
export function* recvDatagram(ch: Channel, wanted: number, flags: number, syscall: string): Operation<Buffer> {
  return yield* recvBytes(ch, yield* datagramBuffer(ch, wanted, flags, syscall), flags, syscall);
}

export function* recvBytes(ch: Channel, buf: Buffer, flags: number, syscall: string): Operation<Buffer> {
  return fitted(buf, yield* transferOnce(recvSome(ch, buf, 0, buf.length, flags, syscall), syscall));
}

/** recv(wanted) of at most RECV_CHUNK bytes for a driver that waits between attempts (the
 * Promise API): each attempt takes a buffer of its own, so a call that waits holds none
 * (thousands of pending recvAsync(n) cost no n bytes each). */
export function* recvFresh(ch: Channel, wanted: number, flags: number, syscall: string): Operation<Buffer> {
  for (;;) {
    // The buffer lives only inside recvAttempt: a generator keeps its locals across a yield.
    const got = recvAttempt(ch, wanted, flags, syscall);
    if (typeof got !== "number") return got;
    const events = waitEvents(got, POLLIN);
    if (events === 0) fail(got, syscall);
    if ((flags & MSG_DONTWAIT) !== 0 || !(yield events)) throw wouldBlock(syscall);
  }
}

/** One receive into a new buffer: the bytes (kept-back ones first), or the transport's
 * negative result. */
function recvAttempt(ch: Channel, wanted: number, flags: number, syscall: string): Buffer | number {
  const buf = Buffer.allocUnsafe(wanted);
  const kept = ch.takeKept(buf, 0, wanted, (flags & MSG_PEEK) !== 0);
  if (kept > 0) return fitted(buf, kept);
  const rc = ch.recvInto(buf, 0, wanted, flags, syscall);
  return rc >= 0 ? fitted(buf, rc) : rc;
}

/** recvfrom(bufsize): [bytes received, the sender's raw address]. */
export function* recvfromOnce(
  ch: Channel,
  buf: Uint8Array,
  flags: number,
  peer: () => unknown,
): Operation<[number, unknown]> {
  const kept = ch.takeKept(buf, 0, buf.length, (flags & MSG_PEEK) !== 0);
  if (kept > 0) return [kept, peer()];
  for (;;) {
    const rc = native.recvfrom(ch.fdFor("recvfrom"), buf, 0, buf.length, flags | ch.dontwait);
    if (typeof rc !== "number") return [rc[0], rc[1] ?? (ch.type === SOCK_STREAM ? peer() : null)];
    if (rc !== -EAGAIN) fail(rc, "recvfrom");
    if ((flags & MSG_DONTWAIT) !== 0 || !(yield POLLIN)) throw wouldBlock("recvfrom");
  }
}

/** sendall/write: every byte, or an OSError carrying `written`. `partialOk` (write) returns
 * the count sent so far (null for none) where sendall raises EAGAIN. */
export function* sendAll(
  ch: Channel,
  data: ArrayBufferView,
  flags: number,
  syscall: string,
  partialOk: boolean,
): Operation<number | null> {
  const total = data.byteLength;
  let sent = 0;
  try {
    do {
      const n = yield* sendSome(ch, data, sent, total - sent, flags, syscall);
      if (n === WOULD_BLOCK) {
        if (partialOk) return sent > 0 ? sent : null;
        throw wouldBlock(syscall, sent);
      }
      sent += n;
    } while (sent < total);
  } catch (error) {
    if (error instanceof OSError && error.written === undefined) error.written = sent;
    throw error;
  }
  return sent;
}

/** readinto: fill buf[0, length) unless EOF comes first; null when nothing could be read
 * without waiting. Bytes received before a failure are kept back. */
export function* readInto(ch: Channel, buf: Uint8Array, length: number, syscall: string): Operation<number | null> {
  let got = 0;
  try {
    while (got < length) {
      const n = yield* recvSome(ch, buf, got, length - got, 0, syscall);
      if (n === WOULD_BLOCK) return got > 0 ? got : null;
      if (n === 0) break;
      got += n;
    }
  } catch (error) {
    if (got > 0) ch.keepBack(buf.slice(0, got));
    throw error;
  }
  return got;
}

/** read(size): `size` bytes unless EOF comes first; size < 0 = until EOF. */
export function* read(ch: Channel, size: number, syscall: string): Operation<Buffer | null> {
  if (size >= 0 && size <= 4 * RECV_CHUNK) {
    const buf = Buffer.allocUnsafe(size);
    const got = yield* readInto(ch, buf, size, syscall);
    return got === null ? null : fitted(buf, got);
  }
  // Until EOF, or a size too large to allocate up front: grow as bytes arrive.
  const limit = size >= 0 ? size : Infinity;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const buf = Buffer.allocUnsafe(Math.min(RECV_CHUNK, Math.max(16384, total), limit - total));
      const n = yield* recvSome(ch, buf, 0, buf.length, 0, syscall);
      if (n === WOULD_BLOCK) {
        if (total === 0) return null;
        break;
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
    }
  } catch (error) {
    if (total > 0) ch.keepBack(Buffer.concat(chunks, total));
    throw error;
  }
  return Buffer.concat(chunks, total);
}

const NEWLINE = 0x0a;

/** readline(limit): up to and including "\n", never consuming past it. On a stream
 * socket it peeks, then takes exactly the bytes up to the newline. */
export function* readline(ch: Channel, limit: number, syscall: string): Operation<Buffer | null> {
  let line = Buffer.allocUnsafe(Math.min(limit, 256));
  let got = 0;
  const stream = ch.type === SOCK_STREAM;
  try {
    while (got < limit) {
      if (got === line.length) {
        const bigger = Buffer.allocUnsafe(Math.min(limit, line.length * 2));
        line.copy(bigger, 0, 0, got);
        line = bigger;
      }
      const room = stream ? line.length - got : 1;
      const peeked = yield* recvSome(ch, line, got, room, stream ? MSG_PEEK : 0, syscall);
      if (peeked === WOULD_BLOCK) return got > 0 ? line.subarray(0, got) : null;
      if (peeked === 0) break;
      const newline = line.indexOf(NEWLINE, got);
      const take = newline >= 0 && newline < got + peeked ? newline + 1 - got : peeked;
      if (stream) {
        // Consume exactly what the peek showed up to the newline: already there, so no wait.
        const taken = yield* recvSome(ch, line, got, take, 0, syscall);
        if (taken === WOULD_BLOCK || taken === 0) break;
        got += taken;
      } else {
        got += take;
      }
      if (newline >= 0 && newline < got) break;
    }
  } catch (error) {
    if (got > 0) ch.keepBack(line.slice(0, got));
    throw error;
  }
  return fitted(line, got);
}

/** A step that finishes in several tries (a TLS handshake or shutdown): `step()` returns
 * a count >= 0 when done, a negative errno, or waitFor(events). */
export function* untilDone(step: () => number, syscall: string): Operation<number> {
  for (;;) {
    const rc = step();
    if (rc >= 0) return rc;
    const events = waitEvents(rc, POLLIN);
    if (events === 0) fail(rc, syscall);
    if (!(yield events)) throw wouldBlock(syscall);
  }
}

/** Kept-back bytes of a stream (docs/behaviour.md §4, "Nothing is lost"): a Socket's and a TLS channel's. */
export class KeptBytes {
  #kept: Buffer | null = null;

  get waiting(): boolean {
    return this.#kept !== null;
  }

  take(into: Uint8Array, offset: number, length: number, peek: boolean): number {
    const kept = this.#kept;
    if (kept === null || length === 0) return 0;
    const n = Math.min(length, kept.length);
    into.set(kept.subarray(0, n), offset);
    if (!peek) this.#kept = n === kept.length ? null : kept.subarray(n);
    return n;
  }

  /** Puts bytes back in front of whatever is kept already. */
  keepBack(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const copy = Buffer.from(bytes);
    this.#kept = this.#kept === null ? copy : Buffer.concat([copy, this.#kept]);
  }

  clear(): void {
    this.#kept = null;
  }
}

/** The first `n` bytes of `buf` as a Buffer of exactly that length, without holding on to
 * a large backing store for a small result. */
export function fitted(buf: Buffer, n: number): Buffer {
  if (n === buf.length) return buf;
  if (buf.length > 8192 && n < buf.length >>> 2) return Buffer.from(buf.subarray(0, n));
  return buf.subarray(0, n);
}
