// The socket: argument checking, the timeout and blocking modes, and one driver that
// runs the operations of operations.ts synchronously. Descriptors of blocking sockets
// without a timeout stay in blocking mode, so the common call is one system call; a
// socket with a timeout (or timeout 0) has a non-blocking descriptor and waits with
// poll(2) under one deadline per call (SPEC section 4).
import { Buffer } from "node:buffer";
import { native, type NativeHandle } from "./native.js";
import { E, OSError } from "./errors.js";
import { addressFromNative, packAddress, type Address, type AddressInput } from "./addresses.js";
import * as op from "./operations.js";
import { READ, WRITE, channelOf, isOptions, runAsync, signalOf, type AsyncOptions } from "./promises.js";
import { bytesToFill, bytesToSend, describeType, int32, integer, INT32_MAX, optionalInt32, size, timeoutSeconds } from "./validate.js";

const C = native.constants;
const AF_INET = C["AF_INET"]!;
const SOCK_STREAM = C["SOCK_STREAM"]!;
const SOL_SOCKET = C["SOL_SOCKET"]!;
const SO_ERROR = C["SO_ERROR"]!;
const SOMAXCONN = C["SOMAXCONN"]!;
const EINPROGRESS = E.EINPROGRESS;
const EAGAIN = E.EAGAIN;
const EMPTY = Buffer.alloc(0);

let defaultTimeout: number | null = null;

/** The timeout new sockets start with (null = blocking). */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = timeoutSeconds(timeout);
}

const MAKEFILE_MODES = new Set(["rb", "wb", "rwb", "r", "w", "rw"]);

/** Where the core writes an AF_INET sender of recvfrom: port, address (host order). */
const senderSlots = new Int32Array(2);
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

/** Per-socket hooks of the Promise layer (promises.ts), so close() can settle its calls. */
export interface AsyncState {
  closed(): void;
}

// A Socket is the synchronous driver's op.Channel, structurally: not declared with
// `implements`, because the Channel members are internal (stripped from the published
// declarations), which then would not type-check for a consumer without skipLibCheck.
export class Socket {
  readonly family: number;
  readonly type: number;
  readonly proto: number;
  #handle: NativeHandle | null;
  #fd: number;
  #timeout: number | null = null;
  #kept: Buffer | null = null;
  /** @internal */
  readonly dontwait = 0;
  /** @internal The Promise layer's state for this socket, created on first use. */
  _async: AsyncState | null = null;
  /** @internal Called when the socket is closed: select's pending pollAsync calls wake on it
   * (their thread's poll(2) would otherwise hold the socket open until it returns). */
  _onClose: Set<() => void> | null = null;

  /**
   * socket(af = AF_INET, type = SOCK_STREAM, proto = 0). With `fileno`, the socket takes
   * over an open descriptor (as CPython's), which it will close.
   */
  constructor(af: number = AF_INET, type: number = SOCK_STREAM, proto = 0, fileno?: number) {
    this.family = int32(af, "af");
    this.type = int32(type, "type");
    this.proto = int32(proto, "proto");
    let fd: number;
    if (fileno === undefined) {
      fd = native.socket(this.family, this.type, this.proto);
      if (fd < 0) throw new OSError(-fd, "socket");
    } else {
      fd = integer(fileno, "fileno", 0, INT32_MAX);
    }
    this.#fd = fd;
    this.#handle = native.adopt(fd);
    if (defaultTimeout !== null) this.#setTimeout(defaultTimeout, "socket");
  }

  // ---- internals shared with the operations and the Promise layer ----

  /** @internal The descriptor, or OSError(EBADF) once closed. */
  fdFor(syscall: string): number {
    if (this.#fd < 0) throw new OSError(E.EBADF, syscall);
    return this.#fd;
  }

  /** @internal */
  get _handle(): NativeHandle {
    if (this.#handle === null) throw new OSError(E.EBADF, "socket");
    return this.#handle;
  }

  /** @internal Whether kept-back bytes are waiting (select reports them as POLLIN). */
  get _hasKept(): boolean {
    return this.#kept !== null;
  }

  /** @internal */
  takeKept(into: Uint8Array, offset: number, length: number, peek: boolean): number {
    const kept = this.#kept;
    if (kept === null || length === 0) return 0;
    const n = Math.min(length, kept.length);
    into.set(kept.subarray(0, n), offset);
    if (!peek) this.#kept = n === kept.length ? null : kept.subarray(n);
    return n;
  }

  /** @internal Puts bytes back in front of whatever is kept already. */
  keepBack(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const copy = Buffer.from(bytes);
    this.#kept = this.#kept === null ? copy : Buffer.concat([copy, this.#kept]);
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

  close(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    this.#fd = -1;
    this.#kept = null;
    const rc = native.close(handle);
    this._async?.closed();
    if (this._onClose !== null) for (const wake of this._onClose) wake();
    this.#check(rc, "close");
  }

  [Symbol.dispose](): void {
    this.close();
  }

  fileno(): number {
    return this.#fd;
  }

  bind(address: AddressInput): void {
    const fd = this.fdFor("bind");
    this.#check(native.bind(fd, packAddress(this.family, address, "bind")), "bind", address);
  }

  listen(backlog?: number): void {
    const fd = this.fdFor("listen");
    const n = backlog === undefined ? Math.min(SOMAXCONN, 128) : Math.max(0, int32(backlog, "backlog"));
    this.#check(native.listen(fd, n), "listen");
  }

  accept(): [Socket, Address] {
    this.fdFor("accept");
    return this._run(this._acceptOperation(), "accept");
  }

  /** accept() without blocking the event loop. */
  acceptAsync(options?: AsyncOptions): Promise<[Socket, Address]> {
    try {
      this.fdFor("accept");
      return runAsync(this, READ, this._acceptOperation(), "accept", signalOf(options, "accept"), true);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @internal */
  *_acceptOperation(): op.Operation<[Socket, Address]> {
    for (;;) {
      const rc = native.accept(this.fdFor("accept"));
      if (typeof rc !== "number") return [Socket._adopt(rc[0], this.family, this.type, this.proto), addressFromNative(rc[1])];
      if (rc !== -EAGAIN) throw new OSError(-rc, "accept");
      if (!(yield op.POLLIN)) throw op.wouldBlock("accept");
    }
  }

  /** @internal A socket for a descriptor the module just created. */
  static _adopt(fd: number, family: number, type: number, proto: number): Socket {
    return new Socket(family, type, proto, fd);
  }

  connect(address: AddressInput): void {
    this._run(this.#connectOperation(address), "connect");
  }

  /** connect(address) without blocking the event loop. */
  connectAsync(address: AddressInput, options?: AsyncOptions): Promise<void> {
    try {
      return runAsync(this, WRITE, this.#connectOperation(address), "connect", signalOf(options, "connect"), true);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #connectOperation(address: AddressInput): op.Operation<void> {
    const fd = this.fdFor("connect");
    return this._connectOperation(fd, packAddress(this.family, address, "connect"), address);
  }

  /** @internal Starts the connection; when it is in progress and the driver waits, waits for
   * writability and reports SO_ERROR. */
  *_connectOperation(fd: number, packed: Uint8Array, address: unknown): op.Operation<void> {
    const rc = native.connect(fd, packed);
    if (rc === 0) return;
    if (rc !== -EINPROGRESS) throw new OSError(-rc, "connect", { address });
    try {
      if (!(yield op.POLLOUT)) throw new OSError(EINPROGRESS, "connect", { address });
    } catch (error) {
      if (error instanceof OSError && error.address === undefined) throw new OSError(error.errno, "connect", { address });
      throw error;
    }
    const status = native.getsockopt(this.fdFor("connect"), SOL_SOCKET, SO_ERROR, 0);
    if (typeof status === "number") throw new OSError(-status, "connect", { address });
    const err = (status as [number])[0];
    if (err !== 0) throw new OSError(err, "connect", { address });
  }

  send(data: Uint8Array | ArrayBufferView | string, flags = 0): number {
    const fd = this.fdFor("send");
    const view = bytesToSend(data);
    const f = flagsArgument(flags);
    const rc = native.send(fd, view, 0, view.byteLength, f);
    if (rc >= 0) return rc;
    if (rc !== -EAGAIN) throw new OSError(-rc, "send");
    return this._run(op.transferOnce(op.sendSome(this, view, 0, view.byteLength, f, "send"), "send"), "send");
  }

  /** send(data, flags?) without blocking the event loop. */
  sendAsync(data: Uint8Array | ArrayBufferView | string, flags?: number | AsyncOptions, options?: AsyncOptions): Promise<number> {
    try {
      if (isOptions(flags)) {
        options = flags;
        flags = undefined;
      }
      this.fdFor("send");
      const view = bytesToSend(data);
      const operation = op.transferOnce(op.sendSome(channelOf(this), view, 0, view.byteLength, flagsArgument(flags), "send"), "send");
      return runAsync(this, WRITE, operation, "send", signalOf(options, "send"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  sendall(data: Uint8Array | ArrayBufferView | string, flags = 0): void {
    this._run(this.#sendallOperation(this, data, flags), "sendall");
  }

  /** sendall(data, flags?) without blocking the event loop. */
  sendallAsync(data: Uint8Array | ArrayBufferView | string, flags?: number | AsyncOptions, options?: AsyncOptions): Promise<void> {
    try {
      if (isOptions(flags)) {
        options = flags;
        flags = undefined;
      }
      return runAsync(this, WRITE, discard(this.#sendallOperation(channelOf(this), data, flags)), "sendall",
        signalOf(options, "sendall"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #sendallOperation(ch: op.Channel, data: unknown, flags: unknown): op.Operation<number | null> {
    this.fdFor("sendall");
    return op.sendAll(ch, bytesToSend(data), flagsArgument(flags), "sendall", false);
  }

  sendto(data: Uint8Array | ArrayBufferView | string, flagsOrAddress: number | AddressInput, address?: AddressInput): number {
    const [view, flags, packed] = this.#sendtoArguments(data, flagsOrAddress, address);
    // The common case is one system call, as for send: no operation object unless it
    // would block.
    const rc = native.sendto(this.fdFor("sendto"), view, 0, view.byteLength, flags, packed);
    if (rc >= 0) return rc;
    if (rc !== -EAGAIN) throw new OSError(-rc, "sendto");
    return this._run(op.transferOnce(op.sendSome(this, view, 0, view.byteLength, flags, "sendto", packed), "sendto"), "sendto");
  }

  /** sendto(data, address) / sendto(data, flags, address) without blocking the event loop. */
  sendtoAsync(data: Uint8Array | ArrayBufferView | string, address: AddressInput, options?: AsyncOptions): Promise<number>;
  sendtoAsync(data: Uint8Array | ArrayBufferView | string, flags: number, address: AddressInput, options?: AsyncOptions): Promise<number>;
  sendtoAsync(data: Uint8Array | ArrayBufferView | string, flagsOrAddress: number | AddressInput,
    address?: AddressInput | AsyncOptions, options?: AsyncOptions): Promise<number> {
    try {
      if (isOptions(address)) {
        options = address;
        address = undefined;
      }
      const [view, flags, packed] = this.#sendtoArguments(data, flagsOrAddress, address);
      const operation = op.transferOnce(op.sendSome(channelOf(this), view, 0, view.byteLength, flags, "sendto", packed), "sendto");
      return runAsync(this, WRITE, operation, "sendto", signalOf(options, "sendto"));
    } catch (error) {
      return Promise.reject(error);
    }
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
   * The buffer recv(bufsize)/recvfrom receive into: at most RECV_CHUNK bytes (SPEC section
   * 10), or null for a datagram socket asked for more, whose buffer is sized by the
   * datagram waiting (op.datagramBuffer).
   */
  #recvBuffer(wanted: number): Buffer | null {
    if (wanted === 0) return EMPTY;
    if (wanted <= op.RECV_CHUNK) return Buffer.allocUnsafe(wanted);
    return this.type === SOCK_STREAM ? Buffer.allocUnsafe(op.RECV_CHUNK) : null;
  }

  recv(bufsize: number, flags = 0): Buffer {
    const fd = this.fdFor("recv");
    const wanted = size(bufsize, "bufsize");
    const f = flagsArgument(flags);
    const buf = this.#recvBuffer(wanted);
    if (buf === null) return this._run(op.recvDatagram(this, wanted, f, "recv"), "recv");
    if (buf.length === 0) return buf;
    if (this.#kept === null) {
      const rc = native.recv(fd, buf, 0, buf.length, f);
      if (rc >= 0) return op.fitted(buf, rc);
      if (rc !== -EAGAIN) throw new OSError(-rc, "recv");
    }
    return this._run(op.recvBytes(this, buf, f, "recv"), "recv");
  }

  /** recv(bufsize, flags?) without blocking the event loop. */
  recvAsync(bufsize: number, flags?: number | AsyncOptions, options?: AsyncOptions): Promise<Buffer> {
    try {
      if (isOptions(flags)) {
        options = flags;
        flags = undefined;
      }
      this.fdFor("recv");
      const wanted = size(bufsize, "bufsize");
      const f = flagsArgument(flags);
      const buf = this.#recvBuffer(wanted);
      const signal = signalOf(options, "recv");
      if (buf !== null && buf.length === 0) return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(buf);
      const ch = channelOf(this);
      const operation = buf === null ? op.recvDatagram(ch, wanted, f, "recv") : op.recvBytes(ch, buf, f, "recv");
      return runAsync(this, READ, operation, "recv", signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  recv_into(buffer: ArrayBufferView, nbytes = 0, flags = 0): number {
    const fd = this.fdFor("recv_into");
    const [buf, length] = recvIntoArguments(buffer, nbytes);
    const f = flagsArgument(flags);
    if (this.#kept === null) {
      // The common case is one system call, as for recv: no operation object.
      const rc = native.recv(fd, buf, 0, length, f);
      if (rc >= 0) return rc;
      if (rc !== -EAGAIN) throw new OSError(-rc, "recv_into");
    }
    return this._run(op.transferOnce(op.recvSome(this, buf, 0, length, f, "recv_into"), "recv_into"), "recv_into");
  }

  /** recv_into(buffer, nbytes?, flags?) without blocking the event loop. */
  recv_intoAsync(buffer: ArrayBufferView, nbytes?: number | AsyncOptions, flags?: number | AsyncOptions,
    options?: AsyncOptions): Promise<number> {
    try {
      if (isOptions(nbytes)) {
        options = nbytes;
        nbytes = flags = undefined;
      } else if (isOptions(flags)) {
        options = flags;
        flags = undefined;
      }
      this.fdFor("recv_into");
      const [buf, length] = recvIntoArguments(buffer, nbytes ?? 0);
      const operation = op.transferOnce(op.recvSome(channelOf(this), buf, 0, length, flagsArgument(flags), "recv_into"), "recv_into");
      return runAsync(this, READ, operation, "recv_into", signalOf(options, "recv_into"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  recvfrom(bufsize: number, flags = 0): [Buffer, Address] {
    const fd = this.fdFor("recvfrom");
    const wanted = size(bufsize, "bufsize");
    const f = flagsArgument(flags);
    const buf = this.#recvBuffer(wanted);
    if (buf !== null && this.#kept === null) {
      // The common case is one system call, as for recv: no operation object, no closure.
      const rc = native.recvfrom(fd, buf, 0, buf.length, f, senderSlots);
      if (typeof rc !== "number") {
        const from = rc[1] ?? (this.type === SOCK_STREAM ? this.getpeername() : null);
        return [op.fitted(buf, rc[0]), addressFromNative(from)];
      }
      if (rc >= 0) return [op.fitted(buf, rc), ipv4Sender()];
      if (rc !== -EAGAIN) throw new OSError(-rc, "recvfrom");
    }
    return this._run(this.#receiveFrom(this, wanted, buf, f), "recvfrom");
  }

  /** recvfrom(bufsize, flags?) without blocking the event loop. */
  recvfromAsync(bufsize: number, flags?: number | AsyncOptions, options?: AsyncOptions): Promise<[Buffer, Address]> {
    try {
      if (isOptions(flags)) {
        options = flags;
        flags = undefined;
      }
      this.fdFor("recvfrom");
      const wanted = size(bufsize, "bufsize");
      const operation = this.#receiveFrom(channelOf(this), wanted, this.#recvBuffer(wanted), flagsArgument(flags));
      return runAsync(this, READ, operation, "recvfrom", signalOf(options, "recvfrom"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  *#receiveFrom(ch: op.Channel, wanted: number, sized: Buffer | null, flags: number): op.Operation<[Buffer, Address]> {
    const buf = sized ?? (yield* op.datagramBuffer(ch, wanted, flags, "recvfrom"));
    const [n, from] = yield* op.recvfromOnce(ch, buf, flags, () => this.getpeername());
    return [op.fitted(buf, n), addressFromNative(from as Address | null)];
  }

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

  getsockopt(level: number, option: number): number;
  getsockopt(level: number, option: number, buflen: number): Buffer;
  getsockopt(level: number, option: number, buflen?: number): number | Buffer {
    const fd = this.fdFor("getsockopt");
    const lvl = int32(level, "level");
    const opt = int32(option, "option");
    const n = buflen === undefined ? 0 : integer(buflen, "buflen", 0, 1024);
    const rc = native.getsockopt(fd, lvl, opt, n);
    if (typeof rc === "number") throw new OSError(-rc, "getsockopt");
    return Array.isArray(rc) ? rc[0] : rc as Buffer;
  }

  settimeout(timeout: number | null): void {
    this.fdFor("settimeout");
    this.#setTimeout(timeoutSeconds(timeout), "settimeout");
  }

  gettimeout(): number | null {
    return this.#timeout;
  }

  setblocking(flag: boolean): void {
    this.fdFor("setblocking");
    if (typeof flag !== "boolean" && typeof flag !== "number") {
      throw new TypeError(`setblocking: flag must be a boolean, not ${describeType(flag)}`);
    }
    this.#setTimeout(flag ? null : 0, "setblocking");
  }

  shutdown(how: number): void {
    const fd = this.fdFor("shutdown");
    this.#check(native.shutdown(fd, int32(how, "how")), "shutdown");
  }

  getsockname(): Address {
    const rc = native.getsockname(this.fdFor("getsockname"));
    if (typeof rc === "number") throw new OSError(-rc, "getsockname");
    return addressFromNative(rc);
  }

  getpeername(): Address {
    const rc = native.getpeername(this.fdFor("getpeername"));
    if (typeof rc === "number") throw new OSError(-rc, "getpeername");
    return addressFromNative(rc);
  }

  // ---- the stream interface (MicroPython): no short reads or writes when blocking ----

  makefile(mode = "rb", buffering = 0): this {
    this.fdFor("makefile");
    if (typeof mode !== "string") throw new TypeError(`makefile: mode must be a string, not ${describeType(mode)}`);
    if (!MAKEFILE_MODES.has(mode)) throw new RangeError(`makefile: mode must be "rb", "wb" or "rwb", not ${JSON.stringify(mode)}`);
    if (typeof buffering !== "number") throw new TypeError(`makefile: buffering must be a number, not ${describeType(buffering)}`);
    return this;
  }

  read(size?: number | null): Buffer | null {
    return this._run(this.#readOperation(this, size), "read");
  }

  /** read(size?) without blocking the event loop: `size` bytes unless EOF comes first. */
  readAsync(size?: number | null | AsyncOptions, options?: AsyncOptions): Promise<Buffer | null> {
    try {
      if (isOptions(size)) {
        options = size;
        size = undefined;
      }
      return runAsync(this, READ, this.#readOperation(channelOf(this), size), "read", signalOf(options, "read"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #readOperation(ch: op.Channel, size: unknown): op.Operation<Buffer | null> {
    this.fdFor("read");
    return op.read(ch, readSize(size), "read");
  }

  readinto(buffer: ArrayBufferView, nbytes?: number): number | null {
    return this._run(this.#readintoOperation(this, buffer, nbytes), "readinto");
  }

  /** readinto(buffer, nbytes?) without blocking the event loop. */
  readintoAsync(buffer: ArrayBufferView, nbytes?: number | AsyncOptions, options?: AsyncOptions): Promise<number | null> {
    try {
      if (isOptions(nbytes)) {
        options = nbytes;
        nbytes = undefined;
      }
      return runAsync(this, READ, this.#readintoOperation(channelOf(this), buffer, nbytes), "readinto",
        signalOf(options, "readinto"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #readintoOperation(ch: op.Channel, buffer: unknown, nbytes: unknown): op.Operation<number | null> {
    this.fdFor("readinto");
    const [buf, n] = readintoArguments(buffer, nbytes);
    return op.readInto(ch, buf, n, "readinto");
  }

  readline(limit?: number | null): Buffer | null {
    return this._run(this.#readlineOperation(this, limit), "readline");
  }

  /** readline(limit?) without blocking the event loop. */
  readlineAsync(limit?: number | null | AsyncOptions, options?: AsyncOptions): Promise<Buffer | null> {
    try {
      if (isOptions(limit)) {
        options = limit;
        limit = undefined;
      }
      return runAsync(this, READ, this.#readlineOperation(channelOf(this), limit), "readline",
        signalOf(options, "readline"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #readlineOperation(ch: op.Channel, limit: unknown): op.Operation<Buffer | null> {
    this.fdFor("readline");
    return op.readline(ch, readlineLimit(limit), "readline");
  }

  write(data: Uint8Array | ArrayBufferView | string): number | null {
    return this._run(this.#writeOperation(this, data), "write");
  }

  /** write(data) without blocking the event loop: every byte, or an OSError with `written`. */
  writeAsync(data: Uint8Array | ArrayBufferView | string, options?: AsyncOptions): Promise<number | null> {
    try {
      return runAsync(this, WRITE, this.#writeOperation(channelOf(this), data), "write", signalOf(options, "write"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #writeOperation(ch: op.Channel, data: unknown): op.Operation<number | null> {
    this.fdFor("write");
    return op.sendAll(ch, bytesToSend(data), 0, "write", true);
  }

  toString(): string {
    return `<socket fd=${this.#fd}, family=${this.family}, type=${this.type}, proto=${this.proto}>`;
  }
}

/** An operation whose result is not wanted (sendall resolves with nothing). */
function* discard(operation: op.Operation<unknown>): op.Operation<void> {
  yield* operation;
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

/** socket(af, type, proto): the MicroPython spelling of `new Socket(...)`. */
export function socket(af: number = AF_INET, type: number = SOCK_STREAM, proto = 0): Socket {
  return new Socket(af, type, proto);
}
