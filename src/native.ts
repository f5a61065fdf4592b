// The addon, loaded once, with the types of what it exports. Every function returns
// its result or a negative errno; none of them applies policy (see native/*.c).
import { loadAddon } from "./addon.js";

/** Opaque reference to a pending pollAsync. */
export interface PollJob {
  readonly __pollJob: unique symbol;
}

/** A socket address as the tuple forms of docs/behaviour.md §2, as the core returns it. */
export type NativeAddress = [string, number] | [string, number, number, number] | string | Buffer | null;

export interface NativeCore {
  readonly constants: Readonly<Record<string, number>>;
  readonly errno: Readonly<Record<string, number>>;
  readonly resolverErrors: Readonly<Record<string, number>>;

  /** A new descriptor, already claimed: gen * 2^31 + fd (see adopt), or -errno. */
  socket(family: number, type: number, proto: number): number;
  socketpair(family: number, type: number, proto: number): [number, number] | number;
  /** Claims `fd` for a new socket: the claim's generation (≥ 1, below 2^22), or -errno.
   * `fresh`: the module just created the descriptor; otherwise -EEXIST when another open
   * socket owns the number. */
  adopt(fd: number, fresh: boolean): number;
  /** Writes [family, type, protocol] of a socket descriptor into `out`; 0 or -errno
   * (EBADF: not open, ENOTSOCK: not a socket). */
  describe(fd: number, out: Int32Array): number;
  /** Closes `fd` if the claim of generation `gen` still owns it (else nothing); 0 or -errno. */
  close(fd: number, gen: number): number;
  /** Keeps a weak reference to the socket object of claim (fd, gen) for closeUnreachable;
   * 0 or -errno. */
  track(fd: number, gen: number, socket: object): number;
  /** Closes the descriptors of this thread's tracked sockets that a collection found
   * unreachable; how many. */
  closeUnreachable(): number;
  setNonblocking(fd: number, on: boolean): number;
  bind(fd: number, address: Uint8Array): number;
  connect(fd: number, address: Uint8Array): number;
  listen(fd: number, backlog: number): number;
  shutdown(fd: number, how: number): number;
  accept(fd: number): [number, NativeAddress] | number;
  send(fd: number, data: ArrayBufferView, offset: number, length: number, flags: number): number;
  sendto(fd: number, data: ArrayBufferView, offset: number, length: number, flags: number, address: Uint8Array): number;
  recv(fd: number, into: ArrayBufferView, offset: number, length: number, flags: number): number;
  /** With `slots` true, an AF_INET sender comes back in the slots registered by senderSlots
   * (port, address as an integer in host order) and the result is the byte count; otherwise
   * [bytes, address]; -errno on failure. */
  recvfrom(
    fd: number,
    into: ArrayBufferView,
    offset: number,
    length: number,
    flags: number,
    slots?: true,
  ): [number, NativeAddress] | number;
  /** send of the whole view (the methods' common call: no window to pass and check). */
  sendView(fd: number, data: ArrayBufferView, flags: number): number;
  /** sendto of the whole view. */
  sendtoView(fd: number, data: ArrayBufferView, flags: number, address: Uint8Array): number;
  /** recv into the whole view. */
  recvView(fd: number, into: ArrayBufferView, flags: number): number;
  /** recvfrom(fd, into, 0, into's length, flags, true). */
  recvfromView(fd: number, into: ArrayBufferView, flags: number): [number, NativeAddress] | number;
  /** Registers (once per thread) the Int32Array recvfrom(..., true) writes senders to; 0. */
  senderSlots(slots: Int32Array): number;
  setsockopt(fd: number, level: number, option: number, value: number | ArrayBufferView): number;
  getsockopt(fd: number, level: number, option: number, buflen: number): [number] | Buffer | number;
  getsockname(fd: number): NativeAddress | number;
  getpeername(fd: number): NativeAddress | number;
  gethostname(): string | number;
  strerror(errno: number): string;

  packAddress(family: number, host: string, port: number, flowinfo?: number, scopeid?: number): Buffer | number;
  packUnixAddress(path: Uint8Array): Buffer | number;
  /** Writes 4 (AF_INET) or 16 (AF_INET6) bytes into `out`; 0 or -errno. */
  inetPton(family: number, text: string, out: Uint8Array): number;
  inetNtop(family: number, bytes: ArrayBufferView): string | number;
  /** `slots`: hints in ([0..3] = family, type, proto, flags); AF_INET-only answers without a
   * canonical name come back as `true`, written to slots: [count, then per result family,
   * socktype, protocol, port, IPv4 address as an integer in host order]. Without `slots`,
   * the array registered by gaiSlots. A numeric service is a port, 0 to 65535, which the
   * core gives the resolver as decimal text. */
  getaddrinfo(
    host: string | null,
    service: string | number | null,
    slots?: Int32Array,
  ): Array<[number, number, number, string, NativeAddress]> | true | number;
  gaiStrerror(code: number): string;
  /** Registers (once per thread) the Int32Array getaddrinfo(host, service) uses; 0. */
  gaiSlots(slots: Int32Array): number;

  wait(fd: number, events: number, timeoutMs: number): number;
  poll(pollfds: Uint8Array, count: number, timeoutMs: number): number;
  /** Starts poll(2) over a copy of `count` pollfds on a thread of its own; `done(rc, pollfds)`
   * runs on this thread with the ready count (or -errno) and the array with revents. */
  pollAsync(
    pollfds: Uint8Array,
    count: number,
    timeoutMs: number,
    done: (rc: number, pollfds: Buffer | null) => void,
  ): PollJob | number;
  /** Wakes a pending pollAsync early (its callback still runs); a no-op once it finished. */
  pollAsyncAbort(job: PollJob): void;

  /** Arms the watcher of the socket (fd, gen) for `events` (0 disarms); the first call,
   * which creates it, gives the callback (the events reported, or libuv's negative status)
   * and the shared reference slots (native/readiness.c). 0 or -errno. */
  watch(fd: number, gen: number, events: number, callback: (code: number) => void, slots: Int32Array): number;
  watchRef(fd: number, gen: number, on: boolean): number;
  /** Chains the current SIGINT/SIGTERM handlers without SA_RESTART (main thread); 0 or -errno. */
  armSignals(): number;
  /** The signal that ended the last call reported as EINTR, once; 0 when none. */
  takeSignal(): number;
  getaddrinfoAsync(
    host: string | null,
    service: string | null,
    family: number,
    type: number,
    proto: number,
    flags: number,
  ): Promise<ReturnType<NativeCore["getaddrinfo"]>>;
}

// Copied into an object literal: the addon's exports object is in dictionary mode (its
// functions are added one by one from C), and every `native.x` on a hot path would then be
// a call to the generic property-load stub instead of a constant the JIT folds in.
export const native: NativeCore = { ...loadAddon<NativeCore>("usocket") };

/** A constant of the host system from the core's table. Each is read once, at load time,
 * into a named module constant (src/constants.ts; the poll events in src/select.ts and
 * src/operations.ts): a system without it fails there, with its name. */
export function systemConstant(name: string): number {
  const value = native.constants[name];
  if (value === undefined) throw new Error(`usocket: the system lacks ${name}`);
  return value;
}

/** A constant some systems lack (SO_REUSEPORT, MSG_TRUNC): undefined there. */
export function optionalSystemConstant(name: string): number | undefined {
  return native.constants[name];
}
