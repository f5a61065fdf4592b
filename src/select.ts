/**
 * MicroPython's `select` module: `poll()` returning a `Poll`, `select()`, and the
 * `POLL*` event bits.
 *
 * @module usocket-node/select
 */
// usocket-node/select: MicroPython's select module (docs/behaviour.md §6, §7, §10). A Poll keeps
// its registrations in order next to a struct pollfd[] laid out in memory exactly as
// poll(2) reads it, so each Poll.poll is one system call over an array that is rebuilt
// only when the registrations change. Sockets are asked for their descriptor on every
// poll: one closed since it was registered is reported POLLNVAL without its old number
// (which the system may have handed out again) ever reaching poll(2).
import { native, systemConstant } from "./native.js";
import { E, OSError } from "./errors.js";
import { Socket, type AnySocket } from "./socket.js";
import { abortReason, isAborted, offAbort, onAbort } from "./abort.js";
import { describeType, integer, INT32_MAX } from "./validate.js";
import { signalOf, type AsyncOptions } from "./options.js";

/** Poll events (a mask of them is what register() takes and poll() reports), with the
 * host's values: POLLIN readable (or a connection to accept, or end of stream), POLLPRI
 * urgent data, POLLOUT writable (or connected), and, reported whatever the mask, POLLERR
 * error, POLLHUP hung up, POLLNVAL not an open descriptor (a closed socket). */
export const POLLIN = systemConstant("POLLIN");
export const POLLPRI = systemConstant("POLLPRI");
export const POLLOUT = systemConstant("POLLOUT");
export const POLLERR = systemConstant("POLLERR");
export const POLLHUP = systemConstant("POLLHUP");
export const POLLNVAL = systemConstant("POLLNVAL");

/** What can be polled: a usocket Socket, a descriptor number, or anything with fileno(). */
export type Pollable = AnySocket | number | { fileno(): number };

/** One result of Poll.poll: the object as it was registered and what happened to it. */
export type PollResult<T extends Pollable = Pollable> = [T, number];

/** ipoll(timeout, IPOLL_ONESHOT): each object yielded is modified to mask 0. */
export const IPOLL_ONESHOT = 1;

/** struct pollfd is 8 bytes: int fd at 0, short events at 4, short revents at 6. */
const POLLFD_SIZE = 8;

interface Entry<T> {
  readonly obj: T;
  /** Asked for its descriptor on every poll (a Socket, or any object with fileno()). */
  readonly dynamic: boolean;
  /** The descriptor in the pollfd array, or -1 once the object reported it closed. */
  fd: number;
  mask: number;
  /** The events the last poll asked of the descriptor (pollMask of mask). */
  polled: number;
}

/** The descriptor of `obj` now: -1 for a closed socket (or a fileno() of -1). */
function descriptorOf(obj: unknown, what: string): number {
  if (typeof obj === "number") return integer(obj, what, 0, INT32_MAX);
  if (obj instanceof Socket) return obj.fileno();
  if (obj !== null && typeof obj === "object" && typeof (obj as { fileno?: unknown }).fileno === "function") {
    const fd: unknown = (obj as { fileno(): unknown }).fileno();
    if (fd === -1) return -1;
    return integer(fd, `${what}.fileno()`, 0, INT32_MAX);
  }
  throw new TypeError(
    `${what} must be a socket, a file descriptor or an object with fileno(), not ${describeType(obj)}`,
  );
}

function eventMask(mask: unknown): number {
  return integer(mask, "eventmask", 0, 0xffff);
}

/**
 * A poll timeout in milliseconds as poll(2) takes it: -1 = forever (null, undefined or
 * negative), fractions rounded up to the next millisecond.
 */
function timeoutMs(value: unknown, name = "timeout_ms"): number {
  if (value === undefined || value === null) return -1;
  if (typeof value !== "number")
    throw new TypeError(`${name} must be a number of milliseconds or null, not ${describeType(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of milliseconds, not ${value}`);
  if (value < 0) return -1;
  const ms = Math.ceil(value);
  if (ms > INT32_MAX) throw new RangeError(`${name} must be at most ${INT32_MAX} milliseconds, not ${value}`);
  return ms;
}

/** Whether obj holds bytes a read would return without its descriptor: a Socket's
 * kept-back bytes, or what a TLS socket decrypted already (anything with `_hasKept`). */
function kept(obj: unknown): boolean {
  if (obj instanceof Socket) return obj._hasKept;
  return typeof obj === "object" && obj !== null && (obj as { _hasKept?: unknown })._hasKept === true;
}

/** The events to poll obj's descriptor for when `mask` is asked: a TLS socket whose last
 * read or write waits for the other direction (anything with `_pollMask`) names it. */
function pollMask(obj: unknown, mask: number): number {
  if (typeof obj !== "object" || obj === null) return mask;
  const of = (obj as { _pollMask?: unknown })._pollMask;
  return typeof of === "function" ? (of as (requested: number) => number).call(obj, mask) : mask;
}

/** The events of a descriptor polled for `polled` instead of `mask`, as `mask` asked them:
 * the direction polled being ready means the asked one can be retried (and progresses). */
function asAsked(r: number, mask: number, polled: number): number {
  if (polled === mask) return r;
  const ready = (r & polled & (POLLIN | POLLOUT)) !== 0 ? mask & (POLLIN | POLLOUT) : 0;
  return (r & ~(POLLIN | POLLOUT)) | ready;
}

/**
 * MicroPython's poll object: a set of registered objects, each with an event mask, polled
 * with one poll(2) system call. Results are `[obj, revents]` pairs, `obj` exactly as
 * registered, in registration order.
 * @typeParam T - what it holds (`Poll<Socket>`), and so what its results give back
 * @example const p = poll(); p.register(s, POLLIN); for (const [obj, ev] of p.poll(1000)) ...
 */
export class Poll<T extends Pollable = Pollable> {
  #entries: Entry<T>[] = [];
  #index = new Map<T, number>();
  /** The struct pollfd[] (capacity >= entries), viewed as fds (int32) and events (int16). */
  #bytes = new Uint8Array(0);
  #fds = new Int32Array(0);
  #events = new Int16Array(0);
  /** Set when entries were removed: the array is compacted before the next poll. */
  #stale = false;

  /**
   * register(obj, eventmask = POLLIN | POLLOUT); registering again replaces the mask.
   * @throws OSError(EBADF) for a closed socket; TypeError for something that cannot be
   *   polled; RangeError for a mask out of range.
   * @example p.register(s, POLLIN);
   */
  register(obj: T, eventmask: number = POLLIN | POLLOUT): void {
    const mask = eventMask(eventmask);
    const fd = descriptorOf(obj, "obj");
    if (fd < 0) throw new OSError(E.EBADF, "register");
    const at = this.#index.get(obj);
    if (at !== undefined) {
      const entry = this.#entries[at]!;
      entry.mask = mask;
      entry.polled = mask;
      entry.fd = fd;
      if (!this.#stale) this.#place(at);
      return;
    }
    const entry: Entry<T> = { obj, dynamic: typeof obj !== "number", fd, mask, polled: mask };
    this.#index.set(obj, this.#entries.length);
    this.#entries.push(entry);
    if (!this.#stale) this.#place(this.#entries.length - 1);
  }

  /**
   * unregister(obj): forgets obj; silent when it is not registered.
   * @example p.unregister(s);
   */
  unregister(obj: T): void {
    const at = this.#index.get(obj);
    if (at === undefined) return;
    this.#entries.splice(at, 1);
    this.#index.delete(obj);
    for (let i = at; i < this.#entries.length; i++) this.#index.set(this.#entries[i]!.obj, i);
    this.#stale = true;
  }

  /**
   * modify(obj, eventmask): changes a registered object's mask (0 = keep it registered but
   * report only POLLERR/POLLHUP/POLLNVAL).
   * @throws OSError(ENOENT) when obj is not registered.
   * @example p.modify(s, POLLIN | POLLOUT);
   */
  modify(obj: T, eventmask: number): void {
    if (eventmask === undefined) throw new TypeError("modify: eventmask is required");
    const mask = eventMask(eventmask);
    const at = this.#index.get(obj);
    if (at === undefined) throw new OSError(E.ENOENT, "modify");
    const entry = this.#entries[at]!;
    entry.mask = mask;
    entry.polled = mask;
    if (!this.#stale) this.#place(at);
  }

  /**
   * poll(timeout_ms = -1) → [obj, revents] for each ready object, in registration order;
   * [] when the timeout expired. Negative or null = wait forever; fractions round up. Blocks
   * the thread: see pollAsync().
   * @throws OSError from poll(2) (EINTR is retried within the timeout); TypeError or
   *   RangeError for a timeout that is not a finite number or null.
   * @example const ready = p.poll(500);
   */
  poll(timeout_ms: number | null = -1): PollResult<T>[] {
    return this.#pollOnce(timeoutMs(timeout_ms));
  }

  /**
   * ipoll(timeout_ms = -1, flags = 0): polls now and returns an iterator over the ready
   * objects; with flags = IPOLL_ONESHOT each object is modified to mask 0 as it is yielded
   * (one-shot, for schedulers that re-arm it).
   * @throws as poll().
   * @example for (const [obj, ev] of p.ipoll(0, IPOLL_ONESHOT)) ...
   */
  ipoll(timeout_ms: number | null = -1, flags = 0): IterableIterator<PollResult<T>> {
    const ms = timeoutMs(timeout_ms);
    const oneShot = (integer(flags, "flags", 0, INT32_MAX) & IPOLL_ONESHOT) !== 0;
    const ready = this.#pollOnce(ms);
    let next = 0;
    const iterator: IterableIterator<PollResult<T>> = {
      next: (): IteratorResult<PollResult<T>> => {
        if (next >= ready.length) return { done: true, value: undefined };
        const result = ready[next++]!;
        if (oneShot && this.#index.has(result[0])) this.modify(result[0], 0);
        return { done: false, value: result };
      },
      [Symbol.iterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /**
   * pollAsync(timeout_ms = -1, { signal }) → the result of poll(), without blocking the
   * event loop: poll(2) runs on a thread of its own over a copy of the array, with one more
   * descriptor (a pipe) that an abort writes to. Closing a polled socket wakes it (that
   * socket is reported POLLNVAL).
   * @throws (rejects) OSError from poll(2); the signal's reason when aborted.
   * @example const ready = await p.pollAsync(5000, { signal });
   */
  pollAsync(timeout_ms: number | null = -1, options: AsyncOptions = {}): Promise<PollResult<T>[]> {
    let ms: number;
    let signal: AbortSignal | undefined;
    try {
      ms = timeoutMs(timeout_ms);
      signal = signalOf(options, "poll");
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal !== undefined && isAborted(signal)) return Promise.reject(abortReason(signal));
    let now: PollResult<T>[];
    try {
      now = this.#pollOnce(0);
    } catch (error) {
      return Promise.reject(error);
    }
    if (now.length > 0 || ms === 0) return Promise.resolve(now);
    return this.#pollInBackground(ms, signal);
  }

  #pollInBackground(ms: number, signal: AbortSignal | undefined): Promise<PollResult<T>[]> {
    const count = this.#entries.length;
    const snapshot = this.#entries.slice();
    const polled = Array.from({ length: count }, (_, i) => this.#fds[i * 2]!);
    const asked = snapshot.map((entry) => entry.polled);
    // The thread's poll(2) holds every polled socket open until it returns: closing one of
    // them wakes it, so the socket really closes and is reported POLLNVAL at once. The core
    // does this for every close of a polled number (native/poll_async.h); waking here too
    // also ends the wait for a Socket whose number the thread polls under another entry.
    const sockets = snapshot.flatMap((entry) => (entry.obj instanceof Socket ? [entry.obj] : []));
    return new Promise((resolve, reject) => {
      let abortListener: (() => void) | undefined;
      let wake: (() => void) | undefined;
      const settle = (): void => {
        if (abortListener !== undefined) offAbort(signal!, abortListener);
        if (wake !== undefined) for (const s of sockets) s._onClose?.delete(wake);
      };
      const job = native.pollAsync(this.#bytes, count, ms, (rc: number, pollfds: Buffer | null) => {
        settle();
        if (signal !== undefined && isAborted(signal)) return; // already rejected
        if (rc < 0) {
          reject(new OSError(-rc, "poll"));
          return;
        }
        try {
          resolve(this.#collectAsync(snapshot, polled, asked, rc === 0 ? null : pollfds));
        } catch (error) {
          reject(error); // a fileno() that threw
        }
      });
      if (typeof job === "number") {
        reject(new OSError(-job, "poll"));
        return;
      }
      const wakeJob = (): void => native.pollAsyncAbort(job);
      wake = wakeJob;
      for (const s of sockets) (s._onClose ??= new Set()).add(wakeJob);
      if (signal !== undefined) {
        abortListener = () => {
          settle();
          native.pollAsyncAbort(job);
          reject(abortReason(signal));
        };
        onAbort(signal, abortListener);
      }
    });
  }

  /** Results of a background poll (`pollfds` null: nothing was ready), for the objects that
   * are still registered; `polled` holds the descriptor each entry was polled with, `asked`
   * the events. */
  #collectAsync(snapshot: Entry<T>[], polled: number[], asked: number[], pollfds: Buffer | null): PollResult<T>[] {
    let revents: Int16Array | null = null;
    if (pollfds !== null) {
      const aligned = pollfds.byteOffset % 2 === 0 ? pollfds : Uint8Array.from(pollfds);
      revents = new Int16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 1);
    }
    const ready: PollResult<T>[] = [];
    for (let i = 0; i < snapshot.length; i++) {
      const entry = snapshot[i]!;
      const at = this.#index.get(entry.obj);
      if (at === undefined || this.#entries[at] !== entry) continue;
      let r = revents === null ? 0 : asAsked(revents[i * 4 + 3]! & 0xffff, entry.mask, asked[i]!);
      // Closed while the thread waited: the number it polled may belong to another socket now.
      if (entry.fd < 0 || (entry.dynamic && descriptorOf(entry.obj, "obj") !== polled[i])) r = POLLNVAL;
      if (kept(entry.obj) && (entry.mask & POLLIN) !== 0) r |= POLLIN;
      // Registration order is the snapshot's: an entry keeps its place until unregistered.
      if (r !== 0) ready.push([entry.obj, r]);
    }
    return ready;
  }

  /** The one system poll(2) behind poll(), ipoll() and the first look of pollAsync(). */
  #pollOnce(ms: number): PollResult<T>[] {
    if (this.#stale) this.#rebuild();
    const entries = this.#entries;
    const count = entries.length;
    let extra = false; // a closed socket or kept-back bytes: ready now, so poll(2) must not wait
    for (let i = 0; i < count; i++) {
      const entry = entries[i]!;
      if (entry.dynamic && entry.fd >= 0) {
        const fd = descriptorOf(entry.obj, "obj");
        if (fd !== entry.fd) {
          // Closed since registered (or a fileno() that changed): never pass the old number.
          entry.fd = fd;
          this.#fds[i * 2] = fd;
        }
        const polled = pollMask(entry.obj, entry.mask);
        if (polled !== entry.polled) {
          entry.polled = polled;
          this.#events[i * 4 + 2] = polled;
        }
      }
      if (entry.fd < 0 || ((entry.mask & POLLIN) !== 0 && kept(entry.obj))) extra = true;
    }
    const rc = native.poll(this.#bytes, count, extra ? 0 : ms);
    if (rc < 0) throw new OSError(-rc, "poll");
    const ready: PollResult<T>[] = [];
    if (rc === 0 && !extra) return ready;
    const events = this.#events;
    for (let i = 0; i < count; i++) {
      const entry = entries[i]!;
      let r = entry.fd < 0 ? POLLNVAL : asAsked(events[i * 4 + 3]! & 0xffff, entry.mask, entry.polled);
      if (extra && entry.fd >= 0 && (entry.mask & POLLIN) !== 0 && kept(entry.obj)) r |= POLLIN;
      if (r !== 0) ready.push([entry.obj, r]);
    }
    return ready;
  }

  /** Writes entry i into the pollfd array, growing it (doubling) when it is full. */
  #place(i: number): void {
    if ((i + 1) * POLLFD_SIZE > this.#bytes.byteLength) {
      const grown = new ArrayBuffer(Math.max(16, (i + 1) * 2) * POLLFD_SIZE);
      new Uint8Array(grown).set(this.#bytes);
      this.#bytes = new Uint8Array(grown);
      this.#fds = new Int32Array(grown);
      this.#events = new Int16Array(grown);
    }
    const entry = this.#entries[i]!;
    this.#fds[i * 2] = entry.fd;
    this.#events[i * 4 + 2] = entry.polled;
    this.#events[i * 4 + 3] = 0;
  }

  #rebuild(): void {
    this.#stale = false;
    for (let i = 0; i < this.#entries.length; i++) this.#place(i);
  }
}

/**
 * poll(): a new, empty {@link Poll}.
 * @example const p = poll<Socket>();
 */
export function poll<T extends Pollable = Pollable>(): Poll<T> {
  return new Poll<T>();
}

function listOf<T>(value: unknown, name: string): T[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || typeof (value as Iterable<T>)[Symbol.iterator] !== "function") {
    throw new TypeError(`${name} must be an array (or another iterable), not ${describeType(value)}`);
  }
  return [...(value as Iterable<T>)];
}

/**
 * select(rlist, wlist, xlist, timeout_s?) → [readable, writable, exceptional], each in the
 * order of its list. Readable = POLLIN|POLLHUP|POLLERR, writable = POLLOUT|POLLERR,
 * exceptional = POLLPRI; timeout_s in seconds, null or absent = forever. One poll(2).
 * @throws OSError(EBADF) when a list holds a closed socket or a descriptor that is not
 *   open; TypeError for a list that is not iterable or an entry that cannot be polled.
 * @example const [readable] = select([a, b], [], [], 1.5);
 */
export function select<T extends Pollable>(
  rlist: Iterable<T>,
  wlist: Iterable<T>,
  xlist: Iterable<T>,
  timeout_s?: number | null,
): [T[], T[], T[]] {
  const lists = [listOf<T>(rlist, "rlist"), listOf<T>(wlist, "wlist"), listOf<T>(xlist, "xlist")] as const;
  let ms = -1;
  if (timeout_s !== undefined && timeout_s !== null) {
    if (typeof timeout_s !== "number")
      throw new TypeError(`timeout must be a number of seconds or null, not ${describeType(timeout_s)}`);
    if (!Number.isFinite(timeout_s) || timeout_s < 0)
      throw new RangeError(`timeout must be a finite number of seconds >= 0, not ${timeout_s}`);
    ms = timeoutMs(timeout_s * 1000, "timeout");
  }
  const wanted = [POLLIN, POLLOUT, POLLPRI];
  const masks = new Map<T, number>();
  for (let l = 0; l < 3; l++) {
    for (const obj of lists[l]!) {
      if (descriptorOf(obj, "select: object") < 0) throw new OSError(E.EBADF, "select");
      masks.set(obj, (masks.get(obj) ?? 0) | wanted[l]!);
    }
  }
  const poller = new Poll<T>();
  for (const [obj, mask] of masks) poller.register(obj, mask);
  const revents = new Map<T, number>(poller.poll(ms));
  // A descriptor number that is not open (or a fileno() naming one) comes back POLLNVAL:
  // select raises EBADF for it, as for a closed socket (and as CPython's select does),
  // instead of returning "nothing ready" at once whatever the timeout.
  for (const r of revents.values()) if ((r & POLLNVAL) !== 0) throw new OSError(E.EBADF, "select");
  const reported = [POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI];
  const result: [T[], T[], T[]] = [[], [], []];
  for (let l = 0; l < 3; l++) {
    const seen = new Set<T>();
    for (const obj of lists[l]!) {
      if (seen.has(obj)) continue;
      seen.add(obj);
      if (((revents.get(obj) ?? 0) & reported[l]!) !== 0) result[l]!.push(obj);
    }
  }
  return result;
}
