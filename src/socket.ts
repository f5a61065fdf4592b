// The socket: argument checking, the timeout and blocking modes, and one driver that
// runs the operations of operations.ts synchronously. Descriptors of blocking sockets
// without a timeout stay in blocking mode, so the common call is one system call; a
// socket with a timeout (or timeout 0) has a non-blocking descriptor and waits with
// poll(2) under one deadline per call (docs/behaviour.md §4).
import { Buffer } from "node:buffer";
import { native } from "./native.js";
import { E, OSError } from "./errors.js";
import {
  addressFromNative,
  packAddress,
  type Address,
  type AddressFamily,
  type AddressInput,
  type IPv4Address,
} from "./addresses.js";
import * as op from "./operations.js";
import { closeWhenForgotten, closed, GEN_UNIT, recoveredFromPressure } from "./pressure.js";
import { READ, WRITE, asyncChannel, startsNow, twin, waitThenRun } from "./promises.js";
import type { AsyncOptions } from "./options.js";
import {
  bytesToFill,
  bytesToSend,
  describeType,
  int32,
  integer,
  INT32_MAX,
  optionalInt32,
  size,
  timeoutSeconds,
} from "./validate.js";
import { AF_INET, MSG_DONTWAIT, SOCK_STREAM, SOL_SOCKET, SO_ERROR, SOMAXCONN } from "./constants.js";

const EINPROGRESS = E.EINPROGRESS;
const EAGAIN = E.EAGAIN;
const EMPTY = Buffer.alloc(0);

let defaultTimeout: number | null = null;

/** Set while the module wraps a descriptor it has just created (accept, socketpair): the
 * number needs no inspection, and no other handle can rightfully own it. */
let adoptingFresh = false;
const described = new Int32Array(3);

/**
 * The timeout, in seconds, that new sockets start with: `null` (the default) = blocking.
 * @example const t = getdefaulttimeout(); // null
 */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/**
 * Sets the timeout new sockets start with (those made by socket(), accept(), socketpair()
 * and create_connection()): seconds, 0 for non-blocking, or null for blocking.
 * @throws TypeError when `timeout` is not a number or null; RangeError when it is negative or
 *   not finite.
 * @example setdefaulttimeout(5);
 */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = timeoutSeconds(timeout);
}

const MAKEFILE_MODES = new Set(["rb", "wb", "rwb", "r", "w", "rw"]);

/** Where the core writes an AF_INET sender of recvfrom: port, address (host order). */
const senderSlots = new Int32Array(new ArrayBuffer(8)); // off the heap: its bytes never move
native.senderSlots(senderSlots);
let lastSender = 0;
let lastSenderText = "";

/** The sender the core wrote to senderSlots, as inet_ntop prints it; the text of a repeated
 * sender is reused (a string is immutable; the tuple is new each time). */
function ipv4Sender(): [string, number] {
  const a = senderSlots[1]!;
  if (a !== lastSender || lastSenderText === "") {
    lastSenderText = `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
    lastSender = a;
  }
  return [lastSenderText, senderSlots[0]!];
}

/**
 * The modes a socket's stream methods (`read`, `readinto`, `readline`, `write`) are typed
 * for: `Socket<A, "blocking">` (the default) or `Socket<A, SocketMode>`, either mode; see
 * {@link StreamResult}. It is a type only: the socket's real mode is its timeout.
 */
export type SocketMode = "blocking" | "nonblocking";

/**
 * What a blocking stream method returns. A socket in blocking mode (timeout null) or with a
 * timeout never returns null from `read`, `readinto`, `readline` or `write`: it waits, and
 * raises OSError(ETIMEDOUT) when the timeout expires. Only a non-blocking socket (timeout 0)
 * returns null, when nothing could be moved without waiting. So `Socket` (blocking, the mode
 * every new socket starts in) types them without null, and a socket you make non-blocking is
 * typed {@link NonBlockingSocket} (`Socket<A, SocketMode>`: either mode), whose stream
 * methods include null. A blocking-typed socket can be assigned to one:
 * ```ts
 * const s: NonBlockingSocket = socket();
 * s.setblocking(false);
 * const line = s.readline(); // Buffer | null
 * ```
 * TypeScript cannot follow `setblocking(false)` or `settimeout(0)` by itself: type such a
 * socket non-blocking where you make it so. The same holds for a blocking socket given
 * SO_RCVTIMEO or SO_SNDTIMEO through setsockopt (the system's timeout ends the call with
 * what it has, or null): prefer settimeout(). The Promise twins never resolve null, in
 * either mode (they wait instead).
 */
// An indexed type rather than a conditional one, so that TypeScript sees Socket as covariant
// in its mode and a blocking-typed socket is assignable to a NonBlockingSocket.
export type StreamResult<Mode extends SocketMode, T> = T | { blocking: never; nonblocking: null }[Mode];

/** Per-socket hooks of the Promise layer (promises.ts), so close() can settle its calls. */
export interface AsyncState {
  closed(): void;
}

// A Socket is the synchronous driver's op.Channel, structurally: not declared with
// `implements`, because the Channel members are internal (stripped from the published
// declarations), which then would not type-check for a consumer without skipLibCheck.
/**
 * A BSD socket with MicroPython's methods (and CPython's where MicroPython has none). Every
 * call that can wait blocks the thread (by the socket's timeout) and has a Promise twin,
 * named with `Async`, that waits on the event loop instead.
 *
 * `A` is the form of the addresses it returns (accept, recvfrom, getsockname,
 * getpeername): {@link IPv4Address} for a socket made with AF_INET, {@link IPv6Address} with
 * AF_INET6, {@link UnixAddress} with AF_UNIX, the {@link Address} union when the family was
 * a plain number. `Mode` is the modes its stream methods are typed for: see
 * {@link StreamResult}.
 * @typeParam A - the address form of its family (set by the family constant it was made with)
 * @typeParam Mode - "blocking" (the default), or {@link SocketMode} for a socket that may be non-blocking
 * @example const s = new Socket(); s.connect(["127.0.0.1", 8080]); s.sendall("hi");
 */
export class Socket<A extends Address = Address, Mode extends SocketMode = "blocking"> {
  /** The address family it was made with (AF_INET, AF_INET6, AF_UNIX, ...). */
  readonly family: number;
  /** The socket type (SOCK_STREAM, SOCK_DGRAM, SOCK_RAW). */
  readonly type: number;
  /** The protocol number (0 = the family's default for the type). */
  readonly proto: number;
  /** The descriptor, -1 once closed. */
  #fd: number;
  /** The generation of its claim on the descriptor (native/owners.c). */
  #gen: number;
  /** Its registration with the registry that closes forgotten sockets (pressure.ts). */
  #slot: number;
  #timeout: number | null = null;
  /** Kept-back bytes (docs/behaviour.md §4, "Nothing is lost"): the one implementation, shared
   * with TLS; made the first time bytes are kept back (most sockets never keep any). */
  #kept: op.KeptBytes | null = null;
  /** @internal */
  readonly dontwait = 0;
  /** @internal The Promise layer's state for this socket, created on first use. */
  _async: AsyncState | null = null;
  /** @internal Called when the socket is closed: select's pending pollAsync calls wake on it
   * (their thread's poll(2) would otherwise hold the socket open until it returns). */
  _onClose: Set<() => void> | null = null;

  /**
   * socket(af = AF_INET, type = SOCK_STREAM, proto = 0): a new socket, with the default
   * timeout (getdefaulttimeout()). With `fileno`, the socket takes over an open socket
   * descriptor (as CPython's does), which it will close; its family, type and protocol are
   * read from the descriptor unless given.
   * @throws OSError from socket(2) (EAFNOSUPPORT, EPROTONOSUPPORT, EMFILE, ...); with
   *   `fileno`, OSError(EBADF) for a number that is not open, OSError(ENOTSOCK) for one that
   *   is not a socket, OSError(EEXIST) for one another open Socket owns; TypeError or
   *   RangeError for an argument that is not a 32-bit integer.
   * @example const s = new Socket(AF_INET6, SOCK_DGRAM);
   */
  constructor(af?: AddressFamily<A> | number, type?: number, proto?: number, fileno?: number) {
    let fd: number;
    let gen: number;
    if (fileno === undefined) {
      this.family = af === undefined ? AF_INET : int32(af, "af");
      this.type = type === undefined ? SOCK_STREAM : int32(type, "type");
      this.proto = proto === undefined ? 0 : int32(proto, "proto");
      // One call makes the descriptor and claims it (see native/owners.c).
      let claim = native.socket(this.family, this.type, this.proto);
      if (claim < 0 && recoveredFromPressure(claim)) claim = native.socket(this.family, this.type, this.proto);
      if (claim < 0) throw new OSError(-claim, "socket");
      fd = claim % GEN_UNIT;
      gen = (claim - fd) / GEN_UNIT;
    } else {
      if (adoptingFresh) {
        this.family = af === undefined ? AF_INET : int32(af, "af");
        this.type = type === undefined ? SOCK_STREAM : int32(type, "type");
        this.proto = proto === undefined ? 0 : int32(proto, "proto");
        fd = fileno;
      } else {
        const family = af === undefined ? undefined : int32(af, "af");
        const kind = type === undefined ? undefined : int32(type, "type");
        const protocol = proto === undefined ? undefined : int32(proto, "proto");
        fd = integer(fileno, "fileno", 0, INT32_MAX);
        const rc = native.describe(fd, described);
        if (rc < 0) throw new OSError(-rc, "socket");
        this.family = family ?? described[0]!;
        this.type = kind ?? described[1]!;
        this.proto = protocol ?? described[2]!;
      }
      gen = native.adopt(fd, adoptingFresh);
      if (gen < 0) {
        throw new OSError(
          -gen,
          "socket",
          gen === -E.EEXIST ? { message: `descriptor ${fd} already belongs to an open socket` } : undefined,
        );
      }
    }
    this.#fd = fd;
    this.#gen = gen;
    this.#slot = closeWhenForgotten(this, fd, gen);
    if (defaultTimeout !== null) this.#setTimeout(defaultTimeout, "socket");
  }

  // ---- internals shared with the operations and the Promise layer ----

  /** @internal The descriptor, or OSError(EBADF) once closed. */
  fdFor(syscall: string): number {
    if (this.#fd < 0) throw new OSError(E.EBADF, syscall);
    return this.#fd;
  }

  /** @internal The generation of the socket's claim on its descriptor (for the core's
   * watch/watchRef); meaningful while fileno() is not -1. */
  get _gen(): number {
    return this.#gen;
  }

  /** Whether kept-back bytes are waiting. */
  get #keeps(): boolean {
    return this.#kept?.waiting === true;
  }

  /** @internal Whether kept-back bytes are waiting (select reports them as POLLIN). */
  get _hasKept(): boolean {
    return this.#keeps;
  }

  /** @internal */
  takeKept(into: Uint8Array, offset: number, length: number, peek: boolean): number {
    return this.#kept === null ? 0 : this.#kept.take(into, offset, length, peek);
  }

  /** @internal The plain transport (operations.ts): one system call. */
  recvInto(buf: Uint8Array, offset: number, length: number, flags: number, syscall: string): number {
    return op.socketRecvInto(this, buf, offset, length, flags, syscall);
  }

  /** @internal */
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

  // ---- the MicroPython bridge's calls (src/micropython/calls.ts): data by offset in the
  // interpreter's heap, where a view per call would cost on every round trip; one system
  // call when it does not block, the stream rules (operations.ts) otherwise ----

  /** @internal send() of `length` bytes at `offset` of `heap`. */
  _sendAt(heap: Uint8Array, offset: number, length: number, flags: number): number {
    const rc = native.send(this.fdFor("send"), heap, offset, length, flags);
    if (rc >= 0) return rc;
    if (rc !== -EAGAIN) throw new OSError(-rc, "send");
    return this._run(sendOnce(this, heap.subarray(offset, offset + length), flags), "send");
  }

  /** @internal recv() into `length` bytes at `offset` of `heap`. */
  _recvAt(heap: Uint8Array, offset: number, length: number, flags: number): number {
    if (length === 0) return 0;
    if (!this.#keeps) {
      const rc = native.recv(this.fdFor("recv"), heap, offset, length, flags);
      if (rc >= 0) return rc;
      if (rc !== -EAGAIN) throw new OSError(-rc, "recv");
    }
    return this._run(recvIntoOnce(this, heap.subarray(offset, offset + length), length, flags), "recv");
  }

  /** @internal readinto() of `length` bytes at `offset` of `heap`: null when nothing came on a non-blocking socket. */
  _readintoAt(heap: Uint8Array, offset: number, length: number): number | null {
    let first = 0;
    if (length > 0 && !this.#keeps) {
      const rc = native.recv(this.fdFor("readinto"), heap, offset, length, 0);
      if (rc === length || rc === 0) return rc;
      if (rc !== -EAGAIN) {
        if (rc < 0) throw new OSError(-rc, "readinto");
        first = rc;
      }
    }
    try {
      const rest = this._run(
        op.readInto(this, heap.subarray(offset + first, offset + length), length - first, "readinto"),
        "readinto",
      );
      return rest === null ? (first > 0 ? first : null) : first + rest;
    } catch (error) {
      // what the first call brought goes back in front of what is kept: nothing is lost
      if (first > 0) this.keepBack(heap.subarray(offset, offset + first));
      throw error;
    }
  }

  /** @internal write() of `length` bytes at `offset` of `heap`: null when nothing went on a non-blocking socket. */
  _writeAt(heap: Uint8Array, offset: number, length: number): number | null {
    let first = 0;
    if (length > 0) {
      const rc = native.send(this.fdFor("write"), heap, offset, length, 0);
      if (rc === length) return rc;
      if (rc !== -EAGAIN) {
        if (rc < 0) throw new OSError(-rc, "write");
        first = rc;
      }
    }
    try {
      const rest = this._run(
        op.sendAll(this, heap.subarray(offset + first, offset + length), 0, "write", true),
        "write",
      );
      return rest === null ? (first > 0 ? first : null) : first + rest;
    } catch (error) {
      if (error instanceof OSError && error.written !== undefined) error.written += first;
      throw error;
    }
  }

  /** @internal Puts bytes back in front of whatever is kept already. */
  keepBack(bytes: Uint8Array): void {
    (this.#kept ??= new op.KeptBytes()).keepBack(bytes);
  }

  /** @internal Runs an operation to its end, waiting with poll(2) within the timeout. */
  _run<T>(operation: op.Operation<T>, syscall: string): T {
    let step = operation.next(true);
    if (step.done) return step.value;
    const timeout = this.#timeout;
    if (timeout === null || timeout === 0) {
      // Nothing to wait for: a non-blocking socket, or a blocking one whose call still
      // reported EAGAIN (SO_RCVTIMEO, MSG_DONTWAIT): the operation gives up.
      while (!step.done) step = operation.next(false);
      return step.value;
    }
    const deadline = performance.now() + timeout * 1000;
    while (!step.done) {
      try {
        this.#waitFor(step.value, deadline, syscall);
      } catch (error) {
        step = operation.throw(error);
        continue;
      }
      step = operation.next(true);
    }
    return step.value;
  }

  #waitFor(events: number, deadline: number, syscall: string): void {
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) throw new OSError(E.ETIMEDOUT, syscall);
      const rc = native.wait(this.fdFor(syscall), events, Math.min(Math.ceil(left), INT32_MAX));
      if (rc > 0) return;
      if (rc < 0) throw new OSError(-rc, syscall);
    }
  }

  #setTimeout(timeout: number | null, syscall: string): void {
    if ((timeout === null) !== (this.#timeout === null)) {
      const rc = native.setNonblocking(this.fdFor(syscall), timeout !== null);
      if (rc < 0) throw new OSError(-rc, syscall);
    }
    this.#timeout = timeout;
  }

  #check(rc: number, syscall: string, address?: unknown): void {
    if (rc < 0) throw new OSError(-rc, syscall, address === undefined ? undefined : { address });
  }

  // ---- the BSD socket API ----

  /**
   * Closes the socket: pending Promise calls reject with OSError(EBADF), and every later call
   * but close() raises it. Closing again does nothing.
   * @throws OSError when close(2) reports an error (the descriptor is released all the same).
   * @example s.close();
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    this.#kept?.clear();
    closed(this.#slot);
    const rc = native.close(fd, this.#gen);
    this._async?.closed();
    if (this._onClose !== null) for (const wake of this._onClose) wake();
    this.#check(rc, "close");
  }

  /** close(), so that `using s = socket()` closes the socket at the end of its block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * The descriptor number, or -1 once closed.
   * @example const fd = s.fileno();
   */
  fileno(): number {
    return this.#fd;
  }

  /**
   * Binds the socket to a local address: `[host, port]` (port 0 = any free port; host ""
   * or "0.0.0.0" = any), `[host, port, flowinfo, scopeid]` for AF_INET6, a path for AF_UNIX.
   * Hosts must be numeric: resolve names with getaddrinfo() first.
   * @throws OSError (EADDRINUSE, EACCES, EINVAL for a host that is not numeric, ...);
   *   TypeError for an address of the wrong shape; RangeError for a port out of range.
   * @example s.bind(["127.0.0.1", 0]);
   */
  bind(address: AddressInput): void {
    const fd = this.fdFor("bind");
    this.#check(native.bind(fd, packAddress(this.family, address, "bind")), "bind", address);
  }

  /**
   * Makes the socket accept connections; `backlog` is the queue length asked of the system
   * (default min(SOMAXCONN, 128)).
   * @throws OSError (EOPNOTSUPP for a datagram socket, ...).
   * @example s.listen();
   */
  listen(backlog?: number): void {
    const fd = this.fdFor("listen");
    const n = backlog === undefined ? Math.min(SOMAXCONN, 128) : Math.max(0, int32(backlog, "backlog"));
    this.#check(native.listen(fd, n), "listen");
  }

  /**
   * Waits for a connection on a listening socket: the connected socket (with the default
   * timeout) and the peer's address.
   * @throws OSError: ETIMEDOUT when the timeout expires, EAGAIN on a non-blocking socket with
   *   no connection waiting, EINVAL when the socket is not listening, EMFILE, ...
   * @example const [conn, peer] = srv.accept();
   */
  accept(): [Socket<A>, A] {
    this.fdFor("accept");
    return this._run(this.#acceptOperation(), "accept");
  }

  /**
   * accept() without blocking the event loop.
   * @example const [conn, peer] = await srv.acceptAsync({ signal });
   */
  acceptAsync(options?: AsyncOptions): Promise<[Socket<A>, A]> {
    return twin(this, READ, "accept", [options], () => this.#acceptOperation(), true);
  }

  *#acceptOperation(): op.Operation<[Socket<A>, A]> {
    for (;;) {
      let rc = native.accept(this.fdFor("accept"));
      if (rc === -E.EMFILE || rc === -E.ENFILE) {
        if (recoveredFromPressure(rc)) rc = native.accept(this.fdFor("accept"));
      }
      if (typeof rc !== "number") {
        return [Socket._adopt(rc[0], this.family, this.type, this.proto) as Socket<A>, addressFromNative(rc[1]) as A];
      }
      if (rc !== -EAGAIN) throw new OSError(-rc, "accept");
      if (!(yield op.POLLIN)) throw op.wouldBlock("accept");
    }
  }

  /** @internal A socket for a descriptor the module just created. */
  static _adopt(fd: number, family: number, type: number, proto: number): Socket {
    adoptingFresh = true;
    try {
      return new Socket(family, type, proto, fd);
    } finally {
      adoptingFresh = false;
    }
  }

  /**
   * Connects to a numeric address (see bind() for the forms). A blocking socket waits until
   * the connection is made; with a timeout, at most that long.
   * @throws OSError: ECONNREFUSED, ETIMEDOUT when the timeout expires, EINPROGRESS on a
   *   non-blocking socket (poll for POLLOUT, then read SO_ERROR), EINVAL for a host that is
   *   not numeric, ...; TypeError for an address of the wrong shape.
   * @example s.connect(["127.0.0.1", 8080]);
   */
  connect(address: AddressInput): void {
    const fd = this.fdFor("connect");
    const packed = packAddress(this.family, address, "connect");
    // The common case is one system call, as for send: no operation object unless the
    // connection is still in progress.
    const rc = native.connect(fd, packed);
    if (rc !== 0) this._run(this.#connectInProgress(rc, address), "connect");
  }

  /**
   * CPython's connect_ex(address): connect(), returning 0 when it succeeds and the errno of
   * the failure instead of raising it: ECONNREFUSED, EINPROGRESS on a non-blocking socket,
   * ETIMEDOUT when the timeout expires (CPython's gives EWOULDBLOCK there), ...
   * @throws what connect() raises before any system call: OSError(EBADF) once closed,
   *   OSError(EINVAL) for a host that is not numeric, TypeError or RangeError for an address
   *   of the wrong shape; OSError(EINTR) when a watched signal ends the wait.
   * @example if (s.connect_ex(["127.0.0.1", port]) === ECONNREFUSED) console.log("closed");
   */
  connect_ex(address: AddressInput): number {
    const fd = this.fdFor("connect_ex");
    const packed = packAddress(this.family, address, "connect_ex");
    try {
      const rc = native.connect(fd, packed);
      if (rc !== 0) this._run(this.#connectInProgress(rc, address), "connect_ex");
      return 0;
    } catch (error) {
      if (error instanceof OSError && error.errno > 0 && error.signal === undefined) return error.errno;
      throw error;
    }
  }

  /**
   * connect(address) without blocking the event loop.
   * @example await s.connectAsync(["127.0.0.1", 8080]);
   */
  connectAsync(address: AddressInput, options?: AsyncOptions): Promise<void> {
    return twin(this, WRITE, "connect", [options], () => this.#connectOperation(address), true);
  }

  #connectOperation(address: AddressInput): op.Operation<void> {
    const fd = this.fdFor("connect");
    return this.#connecting(fd, packAddress(this.family, address, "connect"), address);
  }

  /** Starts the connection; when it is in progress and the driver waits, waits for
   * writability and reports SO_ERROR. */
  *#connecting(fd: number, packed: Uint8Array, address: unknown): op.Operation<void> {
    const rc = native.connect(fd, packed);
    if (rc !== 0) yield* this.#connectInProgress(rc, address);
  }

  /** After connect(2) returned `rc` (not 0): an error, or a connection in progress. */
  *#connectInProgress(rc: number, address: unknown): op.Operation<void> {
    if (rc !== -EINPROGRESS) throw new OSError(-rc, "connect", { address });
    try {
      if (!(yield op.POLLOUT)) throw new OSError(EINPROGRESS, "connect", { address });
    } catch (error) {
      if (error instanceof OSError && error.address === undefined)
        throw new OSError(error.errno, "connect", { address });
      throw error;
    }
    const status = native.getsockopt(this.fdFor("connect"), SOL_SOCKET, SO_ERROR, 0);
    if (typeof status === "number") throw new OSError(-status, "connect", { address });
    const err = (status as [number])[0];
    if (err !== 0) throw new OSError(err, "connect", { address });
  }

  /**
   * Sends bytes (a string as UTF-8) in one system call: the number sent, which may be fewer
   * than given. Use sendall() or write() to send everything.
   * @throws OSError: EAGAIN when a non-blocking socket's buffer is full, ETIMEDOUT, EPIPE or
   *   ECONNRESET when the peer is gone, ...
   * @example const n = s.send("hello");
   */
  send(data: Uint8Array | ArrayBufferView | string, flags = 0): number {
    const fd = this.fdFor("send");
    const view = bytesToSend(data);
    const f = flagsArgument(flags);
    const rc = native.sendView(fd, view, f);
    if (rc >= 0) return rc;
    if (rc !== -EAGAIN) throw new OSError(-rc, "send");
    return this._run(sendOnce(this, view, f), "send");
  }

  /**
   * send(data, flags?) without blocking the event loop: waits until some bytes can go.
   * @example const n = await s.sendAsync("hello");
   */
  sendAsync(
    data: Uint8Array | ArrayBufferView | string,
    flags?: number | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<number> {
    if (options === undefined && typeof (flags ?? 0) === "number" && startsNow(this, WRITE)) {
      // Ready now: one attempt and no operation object, the common call (as for send).
      let rc: number;
      let view: ArrayBufferView;
      let f: number;
      try {
        const fd = this.fdFor("send");
        view = bytesToSend(data);
        f = flags === undefined ? 0 : flagsArgument(flags);
        rc = native.sendView(fd, view, f | MSG_DONTWAIT);
      } catch (error) {
        return Promise.reject(error);
      }
      if (rc >= 0) return Promise.resolve(rc);
      if (rc !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return Promise.reject(new OSError(-rc, "send"));
      return waitThenRun(this, WRITE, sendOnce(asyncChannel(this), view, f), "send", op.POLLOUT);
    }
    return twin(this, WRITE, "send", [flags, options], (ch, [f]) => sendOnce(ch, bytesToSend(data), flagsArgument(f)));
  }

  /**
   * Sends every byte, however many system calls it takes, within one timeout.
   * @throws OSError carrying `written` (the bytes that went out): ETIMEDOUT, EAGAIN on a
   *   non-blocking socket whose buffer filled, EPIPE or ECONNRESET, ...
   * @example s.sendall(Buffer.from("hello\n"));
   */
  sendall(data: Uint8Array | ArrayBufferView | string, flags = 0): void {
    this._run(this.#sendallOperation(this, data, flags), "sendall");
  }

  /**
   * sendall(data, flags?) without blocking the event loop.
   * @example await s.sendallAsync(body, { signal });
   */
  sendallAsync(
    data: Uint8Array | ArrayBufferView | string,
    flags?: number | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<void> {
    return twin(this, WRITE, "sendall", [flags, options], (ch, [f]) => discard(this.#sendallOperation(ch, data, f)));
  }

  #sendallOperation(ch: op.Channel, data: unknown, flags: unknown): op.Operation<number | null> {
    this.fdFor("sendall");
    return op.sendAll(ch, bytesToSend(data), flagsArgument(flags), "sendall", false);
  }

  /**
   * Sends a datagram to `address` (sendto(data, address) or sendto(data, flags, address)):
   * the number of bytes sent.
   * @throws OSError: EMSGSIZE for a datagram too large, EAGAIN, ETIMEDOUT, EINVAL for a host
   *   that is not numeric, ...
   * @example u.sendto("ping", ["127.0.0.1", 9999]);
   */
  sendto(
    data: Uint8Array | ArrayBufferView | string,
    flagsOrAddress: number | AddressInput,
    address?: AddressInput,
  ): number {
    // #sendtoArguments' checks in its order, without its array: this call is often in a loop.
    this.fdFor("sendto");
    const view = bytesToSend(data);
    const flags = address === undefined ? 0 : int32(flagsOrAddress, "flags");
    const packed = packAddress(this.family, address === undefined ? flagsOrAddress : address, "sendto");
    // read again: reading the address can run the caller's code (a getter, a Proxy), which
    // may have closed this socket and let another take its number
    const fd = this.fdFor("sendto");
    // The common case is one system call, as for send: no operation object unless it
    // would block.
    const rc = native.sendtoView(fd, view, flags, packed);
    if (rc >= 0) return rc;
    if (rc !== -EAGAIN) throw new OSError(-rc, "sendto");
    return this._run(
      op.transferOnce(op.sendSome(this, view, 0, view.byteLength, flags, "sendto", packed), "sendto"),
      "sendto",
    );
  }

  /**
   * sendto(data, address) / sendto(data, flags, address) without blocking the event loop.
   * @example await u.sendtoAsync("ping", ["127.0.0.1", 9999]);
   */
  sendtoAsync(
    data: Uint8Array | ArrayBufferView | string,
    address: AddressInput,
    options?: AsyncOptions,
  ): Promise<number>;
  sendtoAsync(
    data: Uint8Array | ArrayBufferView | string,
    flags: number,
    address: AddressInput,
    options?: AsyncOptions,
  ): Promise<number>;
  sendtoAsync(
    data: Uint8Array | ArrayBufferView | string,
    flagsOrAddress: number | AddressInput,
    address?: AddressInput | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<number> {
    return twin(this, WRITE, "sendto", [address, options], (ch, [to]) => {
      const [view, flags, packed] = this.#sendtoArguments(data, flagsOrAddress, to);
      return op.transferOnce(op.sendSome(ch, view, 0, view.byteLength, flags, "sendto", packed), "sendto");
    });
  }

  /** sendto's arguments: the bytes, the flags and the packed address. */
  #sendtoArguments(data: unknown, flagsOrAddress: unknown, address: unknown): [ArrayBufferView, number, Uint8Array] {
    this.fdFor("sendto");
    const view = bytesToSend(data);
    let flags = 0;
    let target: unknown = flagsOrAddress;
    if (address !== undefined) {
      flags = int32(flagsOrAddress, "flags");
      target = address;
    }
    return [view, flags, packAddress(this.family, target, "sendto")];
  }

  /**
   * The buffer recv(bufsize)/recvfrom receive into: at most RECV_CHUNK bytes (docs/behaviour.md
   * §10), or null for a datagram socket asked for more, whose buffer is sized by the
   * datagram waiting (op.datagramBuffer).
   */
  #recvBuffer(wanted: number): Buffer | null {
    if (wanted === 0) return EMPTY;
    if (wanted <= op.RECV_CHUNK) return Buffer.allocUnsafe(wanted);
    return this.type === SOCK_STREAM ? Buffer.allocUnsafe(op.RECV_CHUNK) : null;
  }

  /**
   * Receives at most `bufsize` bytes in one system call; an empty Buffer means the peer
   * closed the connection (end of stream).
   * @throws OSError: EAGAIN on a non-blocking socket with nothing to read, ETIMEDOUT,
   *   ECONNRESET, ...
   * @example const data = s.recv(4096);
   */
  recv(bufsize: number, flags = 0): Buffer {
    const fd = this.fdFor("recv");
    const wanted = size(bufsize, "bufsize");
    const f = flagsArgument(flags);
    const buf = this.#recvBuffer(wanted);
    if (buf === null) return this._run(op.recvDatagram(this, wanted, f, "recv"), "recv");
    if (buf.length === 0) return buf;
    if (!this.#keeps) {
      const rc = native.recvView(fd, buf, f);
      if (rc >= 0) return op.fitted(buf, rc);
      if (rc !== -EAGAIN) throw new OSError(-rc, "recv");
    }
    return this._run(op.recvBytes(this, buf, f, "recv"), "recv");
  }

  /**
   * recv(bufsize, flags?) without blocking the event loop.
   * @example const data = await s.recvAsync(4096, { signal });
   */
  recvAsync(bufsize: number, flags?: number | AsyncOptions, options?: AsyncOptions): Promise<Buffer> {
    if (options === undefined && typeof (flags ?? 0) === "number" && startsNow(this, READ) && !this.#keeps) {
      // Ready now: one attempt and no operation object, the common call (as for recv).
      let rc: number;
      let buf: Buffer;
      let wanted: number;
      let f: number;
      try {
        const fd = this.fdFor("recv");
        wanted = size(bufsize, "bufsize");
        f = flags === undefined ? 0 : flagsArgument(flags);
        if (wanted === 0 || wanted > op.RECV_CHUNK) return this.#recvAsync(wanted, f);
        buf = Buffer.allocUnsafe(wanted);
        rc = native.recvView(fd, buf, f | MSG_DONTWAIT);
      } catch (error) {
        return Promise.reject(error);
      }
      if (rc >= 0) return Promise.resolve(op.fitted(buf, rc));
      if (rc !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return Promise.reject(new OSError(-rc, "recv"));
      // Wait without holding a buffer: the operation takes one when the bytes are there.
      return waitThenRun(this, READ, op.recvFresh(asyncChannel(this), wanted, f, "recv"), "recv", op.POLLIN);
    }
    return twin(this, READ, "recv", [flags, options], (ch, [f]) => {
      const wanted = size(bufsize, "bufsize");
      return this.#recvOperation(ch, wanted, flagsArgument(f));
    });
  }

  /** recvAsync's call beyond the ready-now path, its arguments checked. */
  #recvAsync(wanted: number, flags: number): Promise<Buffer> {
    return twin(this, READ, "recv", [undefined], (ch) => this.#recvOperation(ch, wanted, flags));
  }

  /** recv(wanted) as an operation for the Promise driver, sized as #recvBuffer sizes it;
   * the buffer is taken when bytes are there (op.recvFresh), so a waiting call holds none. */
  #recvOperation(ch: op.Channel, wanted: number, flags: number): op.Operation<Buffer> {
    if (wanted === 0) return finished(EMPTY);
    if (wanted <= op.RECV_CHUNK) return op.recvFresh(ch, wanted, flags, "recv");
    if (this.type === SOCK_STREAM) return op.recvFresh(ch, op.RECV_CHUNK, flags, "recv");
    return op.recvDatagram(ch, wanted, flags, "recv");
  }

  /**
   * Receives into `buffer` (at most `nbytes` bytes, 0 = the buffer's size) in one system
   * call: the number of bytes received, 0 at end of stream.
   * @throws OSError as recv(); RangeError when `nbytes` is larger than the buffer.
   * @example const n = s.recv_into(buf);
   */
  recv_into(buffer: ArrayBufferView, nbytes = 0, flags = 0): number {
    const fd = this.fdFor("recv_into");
    const [buf, length] = recvIntoArguments(buffer, nbytes);
    const f = flagsArgument(flags);
    if (!this.#keeps) {
      // The common case is one system call, as for recv: no operation object.
      const rc = native.recv(fd, buf, 0, length, f);
      if (rc >= 0) return rc;
      if (rc !== -EAGAIN) throw new OSError(-rc, "recv_into");
    }
    return this._run(recvIntoOnce(this, buf, length, f), "recv_into");
  }

  /**
   * recv_into(buffer, nbytes?, flags?) without blocking the event loop.
   * @example const n = await s.recv_intoAsync(buf);
   */
  recv_intoAsync(
    buffer: ArrayBufferView,
    nbytes?: number | AsyncOptions,
    flags?: number | AsyncOptions,
    options?: AsyncOptions,
  ): Promise<number> {
    return twin(this, READ, "recv_into", [nbytes, flags, options], (ch, [n, f]) => {
      const [buf, length] = recvIntoArguments(buffer, n ?? 0);
      return recvIntoOnce(ch, buf, length, flagsArgument(f));
    });
  }

  /**
   * Receives a datagram (at most `bufsize` bytes; a larger one is truncated) and its
   * sender's address. On a connected stream socket the address is the peer's.
   * @throws OSError as recv().
   * @example const [data, from] = u.recvfrom(1500);
   */
  recvfrom(bufsize: number, flags = 0): [Buffer, A] {
    const fd = this.fdFor("recvfrom");
    const wanted = size(bufsize, "bufsize");
    const f = flagsArgument(flags);
    const buf = this.#recvBuffer(wanted);
    if (buf !== null && !this.#keeps) {
      // The common case is one system call, as for recv: no operation object, no closure.
      const rc = native.recvfromView(fd, buf, f);
      if (typeof rc !== "number") {
        const from = rc[1] ?? (this.type === SOCK_STREAM ? this.getpeername() : null);
        return [op.fitted(buf, rc[0]), addressFromNative(from) as A];
      }
      if (rc >= 0) return [op.fitted(buf, rc), ipv4Sender() as A];
      if (rc !== -EAGAIN) throw new OSError(-rc, "recvfrom");
    }
    return this._run(this.#receiveFrom(this, wanted, buf, f), "recvfrom");
  }

  /**
   * recvfrom(bufsize, flags?) without blocking the event loop.
   * @example const [data, from] = await u.recvfromAsync(1500);
   */
  recvfromAsync(bufsize: number, flags?: number | AsyncOptions, options?: AsyncOptions): Promise<[Buffer, A]> {
    return twin(this, READ, "recvfrom", [flags, options], (ch, [f]) => {
      const wanted = size(bufsize, "bufsize");
      return this.#receiveFrom(ch, wanted, this.#recvBuffer(wanted), flagsArgument(f));
    });
  }

  *#receiveFrom(ch: op.Channel, wanted: number, sized: Buffer | null, flags: number): op.Operation<[Buffer, A]> {
    const buf = sized ?? (yield* op.datagramBuffer(ch, wanted, flags, "recvfrom"));
    const [n, from] = yield* op.recvfromOnce(ch, buf, flags, () => this.getpeername());
    return [op.fitted(buf, n), addressFromNative(from as Address | null) as A];
  }

  /**
   * Sets a socket option: an integer (a boolean as 1 or 0) or the option's bytes (a struct
   * such as ip_mreq for IP_ADD_MEMBERSHIP).
   * @throws OSError (ENOPROTOOPT for an option the system does not know, EINVAL, ...);
   *   TypeError for a value of another type.
   * @example s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
   */
  setsockopt(level: number, option: number, value: number | boolean | ArrayBufferView): void {
    const fd = this.fdFor("setsockopt");
    const lvl = int32(level, "level");
    const opt = int32(option, "option");
    let v: number | ArrayBufferView;
    if (typeof value === "boolean") v = value ? 1 : 0;
    else if (typeof value === "number") v = int32(value, "value");
    else if (ArrayBuffer.isView(value)) v = value;
    else throw new TypeError(`setsockopt: value must be an integer, a boolean or bytes, not ${describeType(value)}`);
    this.#check(native.setsockopt(fd, lvl, opt, v), "setsockopt");
  }

  /**
   * Reads an integer socket option.
   * @throws OSError (ENOPROTOOPT, ...).
   * @example const type = s.getsockopt(SOL_SOCKET, SO_TYPE);
   */
  getsockopt(level: number, option: number): number;
  /** buflen 0 is the integer form, as CPython's. */
  getsockopt(level: number, option: number, buflen: 0): number;
  /**
   * Reads a socket option's bytes: at most `buflen` (up to 1024), as many as the system
   * returned.
   * @throws OSError (ENOPROTOOPT, ...); RangeError for a `buflen` out of range.
   * @example const linger = s.getsockopt(SOL_SOCKET, SO_LINGER, 8);
   */
  getsockopt(level: number, option: number, buflen: number): Buffer;
  getsockopt(level: number, option: number, buflen?: number): number | Buffer {
    const fd = this.fdFor("getsockopt");
    const lvl = int32(level, "level");
    const opt = int32(option, "option");
    const n = buflen === undefined ? 0 : integer(buflen, "buflen", 0, 1024);
    const rc = native.getsockopt(fd, lvl, opt, n);
    if (typeof rc === "number") throw new OSError(-rc, "getsockopt");
    return Array.isArray(rc) ? rc[0] : (rc as Buffer);
  }

  /**
   * Sets the timeout of every later call: seconds (one deadline per call, however many
   * system calls it makes), 0 for non-blocking, null for blocking without a limit.
   * @throws TypeError or RangeError for a value that is not a finite number >= 0 or null.
   * @example s.settimeout(2.5);
   */
  settimeout(timeout: number | null): void {
    this.fdFor("settimeout");
    this.#setTimeout(timeoutSeconds(timeout), "settimeout");
  }

  /**
   * The timeout in seconds: null = blocking, 0 = non-blocking.
   * @example if (s.gettimeout() === 0) console.log("non-blocking");
   */
  gettimeout(): number | null {
    return this.#timeout;
  }

  /**
   * CPython's getblocking(): false for a non-blocking socket (timeout 0), true otherwise (a
   * socket with a timeout blocks, for that long). Like gettimeout(), it works after close().
   * @example if (!s.getblocking()) s.setblocking(true);
   */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /**
   * setblocking(true) is settimeout(null); setblocking(false) is settimeout(0). Type a socket
   * you make non-blocking as {@link NonBlockingSocket}: see {@link StreamResult}.
   * @throws TypeError for a flag that is not a boolean.
   * @example s.setblocking(false);
   */
  setblocking(flag: boolean): void {
    this.fdFor("setblocking");
    if (typeof flag !== "boolean" && typeof flag !== "number") {
      throw new TypeError(`setblocking: flag must be a boolean, not ${describeType(flag)}`);
    }
    this.#setTimeout(flag ? null : 0, "setblocking");
  }

  /**
   * Shuts down one or both directions of a connection (SHUT_RD, SHUT_WR, SHUT_RDWR): the
   * peer reads end of stream after SHUT_WR.
   * @throws OSError (ENOTCONN when not connected, ...).
   * @example s.shutdown(SHUT_WR);
   */
  shutdown(how: number): void {
    const fd = this.fdFor("shutdown");
    this.#check(native.shutdown(fd, int32(how, "how")), "shutdown");
  }

  /**
   * The socket's own address.
   * @throws OSError (EBADF once closed, ...).
   * @example const port = s.getsockname()[1];
   */
  getsockname(): A {
    const rc = native.getsockname(this.fdFor("getsockname"));
    if (typeof rc === "number") throw new OSError(-rc, "getsockname");
    return addressFromNative(rc) as A;
  }

  /**
   * The connected peer's address.
   * @throws OSError: ENOTCONN when not connected.
   * @example const [host, port] = s.getpeername();
   */
  getpeername(): A {
    const rc = native.getpeername(this.fdFor("getpeername"));
    if (typeof rc === "number") throw new OSError(-rc, "getpeername");
    return addressFromNative(rc) as A;
  }

  // ---- the stream interface (MicroPython): no short reads or writes when blocking ----

  /**
   * The socket itself, which has the stream methods (MicroPython's makefile); `mode` is
   * checked ("rb", "wb", "rwb" and their text forms), `buffering` ignored.
   * @throws TypeError or RangeError for another mode.
   * @example const f = s.makefile("rwb");
   */
  makefile(mode = "rb", buffering = 0): this {
    this.fdFor("makefile");
    if (typeof mode !== "string") throw new TypeError(`makefile: mode must be a string, not ${describeType(mode)}`);
    if (!MAKEFILE_MODES.has(mode))
      throw new RangeError(`makefile: mode must be "rb", "wb" or "rwb", not ${JSON.stringify(mode)}`);
    if (typeof buffering !== "number")
      throw new TypeError(`makefile: buffering must be a number, not ${describeType(buffering)}`);
    return this;
  }

  /**
   * Reads `size` bytes, or until end of stream when `size` is absent, null or negative;
   * fewer only at end of stream. On a non-blocking socket: the bytes there are, or null when
   * there are none (see {@link StreamResult}).
   * @throws OSError: ETIMEDOUT (the bytes read so far are kept for the next read),
   *   ECONNRESET, ...
   * @example const header = s.read(16);
   */
  read(size?: number | null): StreamResult<Mode, Buffer> {
    return this._run(this.#readOperation(this, size), "read") as StreamResult<Mode, Buffer>;
  }

  /**
   * read(size?) without blocking the event loop: `size` bytes unless end of stream comes
   * first. Never null: on a non-blocking socket it waits.
   * @example const body = await s.readAsync();
   */
  readAsync(size?: number | null | AsyncOptions, options?: AsyncOptions): Promise<Buffer> {
    return waited(twin(this, READ, "read", [size, options], (ch, [n]) => this.#readOperation(ch, n)));
  }

  #readOperation(ch: op.Channel, size: unknown): op.Operation<Buffer | null> {
    this.fdFor("read");
    return op.read(ch, readSize(size), "read");
  }

  /**
   * Fills `buffer` (or its first `nbytes` bytes): the number of bytes read, fewer only at end
   * of stream. On a non-blocking socket: what there was, or null for nothing.
   * @throws OSError as read().
   * @example const n = s.readinto(buf);
   */
  readinto(buffer: ArrayBufferView, nbytes?: number): StreamResult<Mode, number> {
    return this._run(this.#readintoOperation(this, buffer, nbytes), "readinto") as StreamResult<Mode, number>;
  }

  /**
   * readinto(buffer, nbytes?) without blocking the event loop. Never null.
   * @example const n = await s.readintoAsync(buf);
   */
  readintoAsync(buffer: ArrayBufferView, nbytes?: number | AsyncOptions, options?: AsyncOptions): Promise<number> {
    return waited(twin(this, READ, "readinto", [nbytes, options], (ch, [n]) => this.#readintoOperation(ch, buffer, n)));
  }

  #readintoOperation(ch: op.Channel, buffer: unknown, nbytes: unknown): op.Operation<number | null> {
    this.fdFor("readinto");
    const [buf, n] = readintoArguments(buffer, nbytes);
    return op.readInto(ch, buf, n, "readinto");
  }

  /**
   * Reads one line, up to and including "\n" (at most `limit` bytes), never consuming past
   * it; an empty Buffer at end of stream. On a non-blocking socket: the part of a line
   * there is, or null for nothing.
   * @throws OSError as read().
   * @example const line = s.readline().toString();
   */
  readline(limit?: number | null): StreamResult<Mode, Buffer> {
    return this._run(this.#readlineOperation(this, limit), "readline") as StreamResult<Mode, Buffer>;
  }

  /**
   * readline(limit?) without blocking the event loop. Never null.
   * @example const line = (await s.readlineAsync()).toString();
   */
  readlineAsync(limit?: number | null | AsyncOptions, options?: AsyncOptions): Promise<Buffer> {
    return waited(twin(this, READ, "readline", [limit, options], (ch, [n]) => this.#readlineOperation(ch, n)));
  }

  #readlineOperation(ch: op.Channel, limit: unknown): op.Operation<Buffer | null> {
    this.fdFor("readline");
    return op.readline(ch, readlineLimit(limit), "readline");
  }

  /**
   * Writes every byte (a string as UTF-8): the number written. On a non-blocking socket:
   * what fitted, or null for nothing.
   * @throws OSError carrying `written`: ETIMEDOUT, EPIPE, ECONNRESET, ...
   * @example s.write("GET / HTTP/1.0\r\n\r\n");
   */
  write(data: Uint8Array | ArrayBufferView | string): StreamResult<Mode, number> {
    return this._run(this.#writeOperation(this, data), "write") as StreamResult<Mode, number>;
  }

  /**
   * write(data) without blocking the event loop: every byte, or an OSError with `written`.
   * Never null.
   * @example await s.writeAsync(line);
   */
  writeAsync(data: Uint8Array | ArrayBufferView | string, options?: AsyncOptions): Promise<number> {
    return waited(twin(this, WRITE, "write", [options], (ch) => this.#writeOperation(ch, data)));
  }

  #writeOperation(ch: op.Channel, data: unknown): op.Operation<number | null> {
    this.fdFor("write");
    return op.sendAll(ch, bytesToSend(data), 0, "write", true);
  }

  /** `<socket fd=3, family=2, type=1, proto=0>`, for logs. */
  toString(): string {
    return `<socket fd=${this.#fd}, family=${this.family}, type=${this.type}, proto=${this.proto}>`;
  }
}

/** A stream twin's Promise. The stream operations return null when their driver gives up
 * instead of waiting; the Promise driver always waits, so null cannot come out of it. */
function waited<T>(promise: Promise<T | null>): Promise<T> {
  return promise as Promise<T>;
}

/** An operation whose result is not wanted (sendall resolves with nothing). */
export function* discard(operation: op.Operation<unknown>): op.Operation<void> {
  yield* operation;
}

/** An operation with nothing to wait for (recv of 0 bytes). */
// biome-ignore lint/correctness/useYield: an operation that is complete before it starts
function* finished<T>(value: T): op.Operation<T> {
  return value;
}

/** send/sendAsync: one send, EAGAIN when it would block. */
function sendOnce(ch: op.Channel, view: ArrayBufferView, flags: number): op.Operation<number> {
  return op.transferOnce(op.sendSome(ch, view, 0, view.byteLength, flags, "send"), "send");
}

/** recv_into/recv_intoAsync: one receive, EAGAIN when it would block. */
function recvIntoOnce(ch: op.Channel, buf: Uint8Array, length: number, flags: number): op.Operation<number> {
  return op.transferOnce(op.recvSome(ch, buf, 0, length, flags, "recv_into"), "recv_into");
}

/** flags of a call: 0 when absent (the common 0 checked first, on the hot path). */
function flagsArgument(flags: unknown): number {
  return flags === 0 ? 0 : optionalInt32(flags, "flags", 0);
}

/** recv_into(buf, nbytes = 0): the buffer's bytes and how many to receive (0 = all of it);
 * nbytes larger than the buffer is a RangeError (CPython). */
function recvIntoArguments(buffer: unknown, nbytes: unknown): [Uint8Array, number] {
  const buf = bytesToFill(buffer);
  const n = size(nbytes, "nbytes");
  if (n > buf.length) throw new RangeError(`recv_into: nbytes (${n}) is larger than the buffer (${buf.length})`);
  return [buf, n === 0 ? buf.length : n];
}

/** read(size?): undefined, null or negative = until EOF. */
export function readSize(value: unknown): number {
  if (value === undefined || value === null) return -1;
  const n = integer(value, "size", Number.MIN_SAFE_INTEGER, INT32_MAX);
  return n < 0 ? -1 : n;
}

/** readinto(buf, nbytes?): the buffer's bytes and how many to read (clamped, MicroPython). */
export function readintoArguments(buffer: unknown, nbytes: unknown): [Uint8Array, number] {
  const buf = bytesToFill(buffer);
  const n = nbytes === undefined || nbytes === null ? buf.length : Math.min(size(nbytes, "nbytes"), buf.length);
  return [buf, n];
}

/** readline(limit?): undefined, null or negative = no limit. */
export function readlineLimit(value: unknown): number {
  if (value === undefined || value === null) return Number.MAX_SAFE_INTEGER;
  const n = integer(value, "limit", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return n < 0 ? Number.MAX_SAFE_INTEGER : n;
}

/** Any socket, whatever its address form and typed mode: what functions that take a socket
 * (select's Pollable, for one) accept. */
export type AnySocket = Socket<Address, SocketMode>;

/** A socket typed for either mode, as a socket made non-blocking must be: its stream methods
 * may return null (see {@link StreamResult}). */
export type NonBlockingSocket<A extends Address = Address> = Socket<A, SocketMode>;

/**
 * socket(af = AF_INET, type = SOCK_STREAM, proto = 0): a new socket (MicroPython's spelling
 * of `new Socket(...)`), with the default timeout. Its address type follows the family
 * constant: `socket()` and `socket(AF_INET)` return IPv4 tuples, `socket(AF_INET6)` IPv6
 * tuples, `socket(AF_UNIX)` paths.
 * @throws OSError from socket(2) (EAFNOSUPPORT, EMFILE, ...); TypeError or RangeError for an
 *   argument that is not a 32-bit integer.
 * @example const s = socket(AF_INET, SOCK_DGRAM);
 */
export function socket<A extends Address = IPv4Address>(
  af?: AddressFamily<A>,
  type?: number,
  proto?: number,
): Socket<A>;
/** socket(af, type, proto) with a family given as a plain number: addresses typed {@link Address}. */
export function socket(af?: number, type?: number, proto?: number): Socket;
export function socket(af: number = AF_INET, type: number = SOCK_STREAM, proto = 0): Socket {
  return new Socket(af, type, proto);
}
