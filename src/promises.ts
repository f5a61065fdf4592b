// The Promise driver: runs the operations of operations.ts on the event loop instead of
// blocking it. Each attempt is non-blocking (MSG_DONTWAIT through the socket's async
// channel, or O_NONBLOCK for the duration of one attempt for accept/connect on a blocking
// descriptor); when an operation yields the events it needs, the driver waits for them
// with the socket's libuv poll handle (native/readiness.c) and resumes it. A timeout or an
// abort is thrown into the operation, exactly as the synchronous driver throws a timeout,
// so bytes already moved are kept back (docs/behaviour.md §4, "Nothing is lost").
//
// Per socket there are two queues, read and write: the head of each may be waiting at
// the same time, each independently; later calls of the same direction wait their turn
// and start (with an attempt at once) when the call before them settles. A call whose
// queue is empty tries at once and, when that succeeds, resolves without waiting.
//
// Keep-alive: the watcher is referenced (keeps the loop alive, holds its callback
// strongly) only while some call waits. An idle socket leaves POLLIN armed but
// unreferenced, so a ping-pong does not pay for re-arming on every round trip; if it fires
// while nobody waits it is disarmed then. POLLOUT is disarmed as soon as nobody waits for
// it, since a socket is writable most of the time. The reference state lives in C and is
// shared through three int32 slots (native/readiness.c): inside the watcher's own callback
// (where a ping-pong's next wait starts) a change is a write to a slot that the callback
// applies when JavaScript returns; elsewhere it is a call of watchRef.
//
// Ready-now: a call whose queue is empty makes its first attempt at once and, when that
// succeeds, resolves without touching the event loop. The simplest twins (sendAsync and
// recvAsync without options, socket.ts) make that attempt themselves, without an operation
// object; only when it returns EAGAIN do they queue an operation, unstarted, to run from its
// start once the socket is ready (waitThenRun).
import { native } from "./native.js";
import { E, OSError } from "./errors.js";
import * as op from "./operations.js";
import { MSG_DONTWAIT } from "./constants.js";
import type { AnySocket, AsyncState } from "./socket.js";
import { takeSignal } from "./options.js";
import { abortReason, isAborted, offAbort, onAbort } from "./abort.js";

const POLLIN = op.POLLIN;
const POLLOUT = op.POLLOUT;

/** The slots shared with the watcher (native/readiness.c names them alike). */
const SLOT_REFERENCED = 0;
const SLOT_IN_CALLBACK = 1;
const SLOT_WANT = 2;
const SLOT_COUNT = 3;

/** Queue of a call: reads (accept, recv*, read*) or writes (connect, send*, write). */
export const READ = 0;
export const WRITE = 1;
type Direction = typeof READ | typeof WRITE;

// new Promise(capture) hands out resolve/reject without allocating a closure per call.
const ignore = (): void => {};
let capturedResolve: (value: unknown) => void = ignore;
let capturedReject: (reason: unknown) => void = ignore;
function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** Thrown into an operation in place of an abort's reason: the reason is the caller's own
 * value and comes back untouched (sendAll would add `written` to an OSError, and after an
 * aborted write the amount sent is not reported: docs/behaviour.md §10). */
const ABORTED = Object.freeze(new Error("aborted"));

/** A call that could not finish at once (or is queued behind another). */
class Waiter {
  /** The events its operation waits for; 0 while queued (not started yet). */
  events = 0;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    readonly io: SocketIO,
    readonly direction: Direction,
    readonly operation: op.Operation<unknown>,
    readonly syscall: string,
    readonly nonblocking: boolean,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {}

  /** The abort listener (an object, so no closure per call). */
  handleEvent(): void {
    this.io.interrupt(this, abortReason(this.signal!), true);
  }
}

/** How long the watcher rests after an error condition that the waiting calls did not
 * consume (see SocketIO.ready). */
const ERROR_RETRY_MS = 10;

function retryWatch(io: SocketIO): void {
  io.retryTimer = undefined;
  io.update(0);
}

function onTimeout(waiter: Waiter): void {
  waiter.timer = undefined;
  waiter.io.interrupt(waiter, new OSError(E.ETIMEDOUT, waiter.syscall), false);
}

/** The Promise layer's state of one socket, and the channel its operations run on: the
 * socket itself, except that every attempt is made with MSG_DONTWAIT. */
class SocketIO implements AsyncState, op.Channel {
  readonly dontwait = MSG_DONTWAIT;
  readonly type: number;
  readonly queues: [Waiter[], Waiter[]] = [[], []];
  /** Events the watcher is armed for. */
  armed = 0;
  /** Shared with the native watcher (see SLOT_*), which takes them when it is created;
   * all 0 until then. Over an ArrayBuffer, whose memory never moves. */
  readonly slots = new Int32Array(new ArrayBuffer(4 * SLOT_COUNT));
  readonly onReady: (code: number) => void;
  /** Set while the watcher rests after an error that did not end the waiting calls. */
  retryTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(readonly socket: AnySocket) {
    this.type = socket.type;
    this.onReady = (code) => this.ready(code);
  }

  fdFor(syscall: string): number {
    return this.socket.fdFor(syscall);
  }

  takeKept(into: Uint8Array, offset: number, length: number, peek: boolean): number {
    return this.socket.takeKept(into, offset, length, peek);
  }

  keepBack(bytes: Uint8Array): void {
    this.socket.keepBack(bytes);
  }

  recvInto(buf: Uint8Array, offset: number, length: number, flags: number, syscall: string): number {
    return op.socketRecvInto(this, buf, offset, length, flags, syscall);
  }

  sendFrom(
    data: ArrayBufferView,
    offset: number,
    length: number,
    flags: number,
    syscall: string,
    address?: Uint8Array,
  ): number {
    return op.socketSendFrom(this, data, offset, length, flags, syscall, address);
  }

  /** One attempt. accept and connect cannot take MSG_DONTWAIT: on a descriptor in blocking
   * mode (timeout null) it is made non-blocking for exactly this attempt, within one
   * synchronous stretch of JavaScript, so no other call of this thread sees the change. */
  attempt(operation: op.Operation<unknown>, nonblocking: boolean): IteratorResult<number, unknown> {
    if (!nonblocking || this.socket.gettimeout() !== null) return operation.next(true);
    const fd = this.socket.fileno();
    if (fd < 0) return operation.next(true); // closed: the operation raises EBADF
    const rc = native.setNonblocking(fd, true);
    if (rc < 0) throw new OSError(-rc, "fcntl");
    try {
      return operation.next(true);
    } finally {
      native.setNonblocking(fd, false);
    }
  }

  /** Resumes (or starts) a waiter: finishes it, or records what it waits for. */
  resume(waiter: Waiter): void {
    let step: IteratorResult<number, unknown>;
    try {
      step = this.attempt(waiter.operation, waiter.nonblocking);
    } catch (error) {
      this.finish(waiter, false, error);
      return;
    }
    if (step.done) this.finish(waiter, true, step.value);
    else waiter.events = step.value;
  }

  /** Removes a waiter from its queue and settles its Promise. */
  finish(waiter: Waiter, ok: boolean, value: unknown): void {
    const queue = this.queues[waiter.direction];
    if (queue[0] === waiter) queue.shift();
    else queue.splice(queue.indexOf(waiter), 1);
    waiter.events = 0;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.signal !== undefined) offAbort(waiter.signal, waiter);
    if (ok) waiter.resolve(value);
    else waiter.reject(value);
  }

  /** Starts queued calls of one direction in order until one has to wait. */
  advance(direction: Direction): void {
    const queue = this.queues[direction];
    while (queue.length > 0 && queue[0]!.events === 0) this.resume(queue[0]!);
  }

  /** A timeout or an abort: thrown into a started operation (it keeps what it moved);
   * a queued one just leaves the queue. An abort rejects with the signal's reason. */
  interrupt(waiter: Waiter, error: unknown, aborted: boolean): void {
    const queue = this.queues[waiter.direction];
    if (!queue.includes(waiter)) return;
    let ok = false;
    let value: unknown = error;
    if (waiter.events !== 0) {
      try {
        const step = waiter.operation.throw(aborted ? ABORTED : error);
        if (step.done) {
          ok = true;
          value = step.value;
        } else {
          waiter.operation.return(undefined);
        }
      } catch (thrown) {
        value = thrown;
      }
    }
    if (aborted) {
      ok = false;
      value = error;
    }
    const head = queue[0] === waiter;
    this.finish(waiter, ok, value);
    if (head) this.advance(waiter.direction);
    this.update(0);
  }

  /** The watcher's callback: the events reported, or libuv's negative status. libuv
   * reports POLLERR as status UV_EBADF and stops the watcher: that is readiness both ways,
   * and the retried system call reports the real error (ECONNREFUSED from SO_ERROR,
   * ECONNRESET from recv, ...). */
  ready(code: number): void {
    const failed = code < 0;
    let revents = code;
    if (failed) {
      this.armed = 0;
      revents = POLLIN | POLLOUT;
    }
    const served = this.serve(READ, revents) | this.serve(WRITE, revents);
    if (failed && this.waiting()) {
      // An error condition stands (POLLERR) while the calls still see EAGAIN, as with
      // errors queued by IP_RECVERR: re-armed now, the watcher would fire again at once and
      // spin. Look again after a pause instead.
      this.retryLater();
      return;
    }
    this.update(failed ? 0 : revents & ~served);
  }

  /** Whether the head of either queue waits for readiness. */
  waiting(): boolean {
    const [reads, writes] = this.queues;
    return (reads.length > 0 && reads[0]!.events !== 0) || (writes.length > 0 && writes[0]!.events !== 0);
  }

  retryLater(): void {
    if (this.retryTimer === undefined) this.retryTimer = setTimeout(retryWatch, ERROR_RETRY_MS, this);
  }

  /** Resumes the head of one direction if what it waits for was reported; the events
   * that served it. */
  serve(direction: Direction, revents: number): number {
    const head = this.queues[direction][0];
    const events = head === undefined ? 0 : head.events & revents;
    if (events === 0) return 0;
    this.resume(head!);
    this.advance(direction);
    return events;
  }

  /** Arms the watcher for what the heads wait for; references it only while one does.
   * `spurious`: events just reported that served nobody; they are disarmed unless a call
   * waits for them. */
  update(spurious: number): void {
    const reads = this.queues[READ];
    const writes = this.queues[WRITE];
    const want = (reads.length > 0 ? reads[0]!.events : 0) | (writes.length > 0 ? writes[0]!.events : 0);
    const mask = (this.armed | want) & (want | POLLIN) & ~(spurious & ~want);
    if (this.socket.fileno() < 0) return;
    if (mask !== this.armed) {
      const rc = native.watch(this.socket.fileno(), this.socket._gen, mask, this.onReady, this.slots);
      if (rc < 0) {
        this.armed = 0;
        this.failAll(rc);
        return;
      }
      this.armed = mask;
    }
    this.reference(want !== 0);
  }

  /** Makes the watcher keep the loop alive (or not): inside its own callback a write the
   * callback applies on return, elsewhere a call into the core. */
  reference(on: boolean): void {
    const slots = this.slots;
    if (slots[SLOT_IN_CALLBACK] !== 0) slots[SLOT_WANT] = on ? 1 : 0;
    else if ((slots[SLOT_REFERENCED] !== 0) !== on) native.watchRef(this.socket.fileno(), this.socket._gen, on);
  }

  /** Rejects every call: the socket cannot be watched (or was closed). */
  failAll(rc: number): void {
    for (const queue of this.queues) {
      while (queue.length > 0) {
        const waiter = queue[0]!;
        this.finish(waiter, false, new OSError(-rc, waiter.syscall));
      }
    }
    if (this.socket.fileno() >= 0) this.reference(false);
  }

  /** close(): the descriptor and its watcher are gone; pending calls reject with EBADF. */
  closed(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.armed = 0;
    for (const queue of this.queues) {
      while (queue.length > 0) {
        const waiter = queue[0]!;
        if (waiter.events !== 0) waiter.operation.return(undefined);
        this.finish(waiter, false, new OSError(E.EBADF, waiter.syscall));
      }
    }
  }
}

function ioOf(socket: AnySocket): SocketIO {
  let io = socket._async as SocketIO | null;
  if (io === null) {
    io = new SocketIO(socket);
    socket._async = io;
  }
  return io;
}

/**
 * Runs `operation` (built on the socket's async channel) to its end without blocking: the Promise
 * of its result. `nonblocking`: the operation's calls cannot take MSG_DONTWAIT (accept,
 * connect). The deadline of the socket's timeout starts now; timeout 0 or null waits
 * without one.
 */
export function runAsync<T>(
  socket: AnySocket,
  direction: Direction,
  operation: op.Operation<T>,
  syscall: string,
  signal: AbortSignal | undefined,
  nonblocking = false,
): Promise<T> {
  if (signal !== undefined && isAborted(signal)) return Promise.reject(abortReason(signal));
  const io = ioOf(socket);
  const deadline = deadlineOf(socket);
  let events = 0;
  if (io.queues[direction].length === 0) {
    let step: IteratorResult<number, T>;
    try {
      step = io.attempt(operation, nonblocking) as IteratorResult<number, T>;
    } catch (error) {
      return Promise.reject(error);
    }
    if (step.done) return Promise.resolve(step.value);
    events = step.value;
  }
  return enqueue(io, direction, operation, syscall, signal, nonblocking, events, deadline);
}

/** When a call starting now times out (performance.now() milliseconds); 0: never. */
function deadlineOf(socket: AnySocket): number {
  const timeout = socket.gettimeout();
  return timeout === null || timeout === 0 ? 0 : performance.now() + timeout * 1000;
}

/** Queues a call: `events` is what it waits for (0: it waits its turn, unstarted). */
function enqueue<T>(
  io: SocketIO,
  direction: Direction,
  operation: op.Operation<T>,
  syscall: string,
  signal: AbortSignal | undefined,
  nonblocking: boolean,
  events: number,
  deadline: number,
): Promise<T> {
  const promise = new Promise<T>(capture as (resolve: (value: T) => void, reject: (reason: unknown) => void) => void);
  const waiter = new Waiter(io, direction, operation, syscall, nonblocking, signal, capturedResolve, capturedReject);
  capturedResolve = capturedReject = ignore; // hold no Promise beyond its call
  waiter.events = events;
  io.queues[direction].push(waiter);
  if (signal !== undefined) onAbort(signal, waiter);
  if (deadline !== 0) waiter.timer = setTimeout(onTimeout, Math.max(0, deadline - performance.now()), waiter);
  if (events !== 0) io.update(0);
  return promise;
}

/**
 * Whether a call of this direction would start at once (none is queued before it): the
 * ready-now paths of socket.ts may then make the first attempt themselves.
 */
export function startsNow(socket: AnySocket, direction: Direction): boolean {
  const io = socket._async as SocketIO | null;
  return io === null || io.queues[direction].length === 0;
}

/** The channel a Promise call's operation runs on (every attempt with MSG_DONTWAIT). */
export function asyncChannel(socket: AnySocket): op.Channel {
  return ioOf(socket);
}

/**
 * A ready-now attempt (startsNow) found nothing to do: waits for `events` without a
 * signal, then runs `operation` (built on asyncChannel, not yet started) from its start,
 * so its first step makes the attempt again with whatever is ready then. The socket's
 * timeout counts from now.
 */
export function waitThenRun<T>(
  socket: AnySocket,
  direction: Direction,
  operation: op.Operation<T>,
  syscall: string,
  events: number,
): Promise<T> {
  return enqueue(ioOf(socket), direction, operation, syscall, undefined, false, events, deadlineOf(socket));
}

/**
 * A Promise twin of a socket method, over the same operation as the blocking method:
 * `optional` holds the call's optional arguments and, last, its options position (the
 * options object may come early: see takeSignal); `start` validates the arguments and builds
 * the operation on the given channel (the socket's async one). An argument error rejects the
 * Promise instead of throwing, so every failure of a twin arrives the same way.
 */
export function twin<T>(
  socket: AnySocket,
  direction: Direction,
  syscall: string,
  optional: unknown[],
  start: (ch: op.Channel, optional: unknown[]) => op.Operation<T>,
  nonblocking = false,
): Promise<T> {
  try {
    socket.fdFor(syscall);
    const signal = takeSignal(optional, syscall);
    return runAsync(socket, direction, start(ioOf(socket), optional), syscall, signal, nonblocking);
  } catch (error) {
    return Promise.reject(error);
  }
}
