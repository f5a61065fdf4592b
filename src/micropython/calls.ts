// The JavaScript side of the bridge: the functions MicroPython's `socket` and `select`
// (py/socket.py, py/select.py) call, registered as the module `_usocket`. Rules of the port
// decide their shape: a JS exception cannot be caught by Python (it unwinds out of
// runPython), so every call goes through one wrapper that turns what it throws into a
// result code; a JS object handed to Python (or a Python object to JS) becomes a proxy
// that is only released when control returns to JS, so only numbers and strings cross.
// Bytes move through the interpreter's memory: Python passes the address and length (in
// bytes) of its buffer, and the data is read or written there (heap.ts). The stream rules
// and the one-system-call paths are Socket's (its _sendAt/_recvAt/_readintoAt/_writeAt).
//
// Results: a number >= 0 (or a string) on success; -errno for a system error; one of the
// codes below otherwise.
import * as fs from "node:fs";
import * as os from "node:os";
import { Socket } from "../socket.js";
import { OSError } from "../errors.js";
import { native } from "../native.js";
import { getaddrinfo, inet_ntop, inet_pton, type Address } from "../addresses.js";
import { gethostname } from "../helpers.js";
import * as constants from "../constants.js";
import { Poll, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI } from "../select.js";
import type { Heap } from "./heap.js";
import { createDevices, FAILED } from "./devices.js";
import type { EmscriptenFS } from "./types.js";
import { errnoPairs } from "./hostfs.js";
import { createTlsCalls, TLS_KEY_BASE, type TlsPollable } from "./tls-calls.js";
import { beforeWait, createHostCalls } from "./host-calls.js";

/** Details are waiting in error(): "kind\x01errno\x01message". */
export const OTHER = -0x3fff0000;
/** The heap grew: Python hands it over again (heap.ts) and retries. */
export const STALE = -0x3fff0001;
/** A stream method transferred nothing on a non-blocking socket: Python's None. */
export const NONE = -0x3fff0002;

const EBADF = native.errno["EBADF"]!;
const EINTR = native.errno["EINTR"]!;
const ENOENT = native.errno["ENOENT"]!;

/** Thrown by heap() when the heap moved; the wrapper answers STALE. */
const HEAP_MOVED = Symbol("heap moved");

type Pollable = Socket | number | TlsPollable;

interface Poller {
  poll: Poll<Pollable>;
  /** Python's key (socket id >= 0, or -(fd + 1)) → what the Poll holds. */
  objects: Map<number, Pollable>;
}

/** Separators of the strings that carry addresses and getaddrinfo results. */
const FIELD = "\x01";
const PART = "\x02";
const ENTRY = "\x03";

function addressText(address: Address): string {
  if (typeof address === "string") return PART + address; // AF_UNIX
  return address.join(FIELD);
}

/** A never-ready descriptor to sleep on: poll(2) ends early only for a signal (Ctrl-C). */
let sleeper: Socket | null = null;

function sleep(ms: number): void {
  beforeWait();
  sleeper ??= new Socket(constants.AF_INET, constants.SOCK_DGRAM);
  const deadline = performance.now() + ms;
  for (let left = ms; left > 0; left = deadline - performance.now()) {
    const rc = native.wait(sleeper.fileno(), POLLIN, Math.min(Math.ceil(left), 0x7fffffff));
    if (rc === -EINTR) throw new OSError(EINTR, "sleep");
  }
}

/** The first non-internal IPv4 interface (loopback when there is none): address, netmask,
 * MAC, default gateway (/proc/net/route) and first name server (/etc/resolv.conf). */
function hostInterface(): string[] {
  let chosen: os.NetworkInterfaceInfo | undefined;
  for (const infos of Object.values(os.networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.family !== "IPv4") continue;
      if (chosen === undefined || (chosen.internal && !info.internal)) chosen = info;
    }
  }
  let gateway = "0.0.0.0";
  try {
    for (const line of fs.readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === "00000000" && f[2] !== undefined && f[2] !== "00000000") {
        const n = Number.parseInt(f[2], 16);
        gateway = [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join(".");
        break;
      }
    }
  } catch {
    // no routing table to read
  }
  let dns = gateway;
  try {
    const m = /^nameserver\s+(\d+\.\d+\.\d+\.\d+)/m.exec(fs.readFileSync("/etc/resolv.conf", "utf8"));
    if (m !== null) dns = m[1]!;
  } catch {
    // no resolver configuration
  }
  return [
    chosen?.address ?? "127.0.0.1",
    chosen?.netmask ?? "255.0.0.0",
    chosen?.mac ?? "00:00:00:00:00:00",
    gateway,
    dns,
    os.hostname(),
  ];
}

/** A call of `_usocket`: numbers and strings in, a number or a string out. */
type Call = (...args: never[]) => number | string;

/** The functions of `_usocket` for one interpreter (and its socket devices, devices.ts). */
export function createCalls(heap: Heap, FS: EmscriptenFS): Record<string, Call> {
  const sockets = new Map<number, Socket>();
  const pollers = new Map<number, Poller>();
  let nextSocket = 1;
  let nextPoller = 1;
  let lastError = "";
  let lastAddress = "";
  let pending: Uint8Array | null = null;
  let unixAddress: Buffer | null = null;

  /** The one error wrapper's translation: what Python's _raise (py/socket.py) expects. */
  function fail(error: unknown): number {
    if (error === HEAP_MOVED) return STALE;
    if (error instanceof OSError) {
      // Ctrl-C (or SIGTERM) ended a blocking call: the script sees KeyboardInterrupt (SystemExit)
      if (error.signal === "SIGINT") lastError = `K${FIELD}0${FIELD}`;
      else if (error.signal !== undefined) lastError = `S${FIELD}0${FIELD}${error.signal}`;
      else if (error.errno > 0) return -error.errno;
      else lastError = `O${FIELD}${error.errno}${FIELD}${native.gaiStrerror(error.errno)}`;
    } else if (error instanceof TypeError) {
      lastError = `T${FIELD}0${FIELD}${error.message}`;
    } else if (error instanceof RangeError) {
      lastError = `V${FIELD}0${FIELD}${error.message}`;
    } else {
      lastError = `R${FIELD}0${FIELD}${error instanceof Error ? error.message : String(error)}`;
    }
    return OTHER;
  }

  /** The interpreter's memory, or HEAP_MOVED thrown (Python hands it over again and retries). */
  function mem(): Uint8Array {
    const bytes = heap.bytes();
    if (bytes === null) throw HEAP_MOVED;
    return bytes;
  }

  /** addr/length from Python as a view of the heap (never past its end). */
  function view(addr: number, length: number): Uint8Array {
    return mem().subarray(addr >>> 0, (addr >>> 0) + length);
  }

  function sock(id: number): Socket {
    const s = sockets.get(id);
    if (s === undefined) throw new OSError(EBADF, "socket");
    return s;
  }

  function adopt(s: Socket): number {
    const id = nextSocket++;
    sockets.set(id, s);
    return id;
  }

  function target(s: Socket, host: string | null, port: number, flowinfo: number, scopeid: number): never {
    if (host === null) {
      const path = unixAddress;
      unixAddress = null;
      return (path ?? "") as never;
    }
    return (s.family === constants.AF_INET6 ? [host, port, flowinfo, scopeid] : [host, port]) as never;
  }

  /** Bytes for Python to take(): their length now, the bytes on the next call. */
  function hold(bytes: Uint8Array | null): number {
    if (bytes === null) return NONE;
    pending = bytes;
    return bytes.length;
  }

  function constantsText(): string {
    const parts: string[] = [];
    for (const [name, value] of Object.entries(constants)) {
      if (typeof value === "number") parts.push(`${name}=${value}`);
    }
    const polls = { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLPRI };
    for (const [name, value] of Object.entries(polls)) parts.push(`${name}=${value}`);
    return parts.join(FIELD);
  }

  // TLS (py/tls.py): its own calls, whose failures leave in mbedTLS's form (tls-calls.ts)
  const tls = createTlsCalls(heap, {
    socket: sock,
    fail,
    setError: (text: string) => {
      lastError = text;
    },
    hold,
    OTHER,
    STALE,
    NONE,
  });

  const devices = createDevices(FS, { fail });

  function poller(pid: number): Poller {
    const p = pollers.get(pid);
    if (p === undefined) throw new OSError(EBADF, "poll");
    return p;
  }

  const table = {
    // ---- housekeeping ----
    codes: () => `${OTHER},${STALE},${NONE},${FAILED}`,
    constants: () => constantsText(),
    errnos: () =>
      Object.entries(native.errno)
        .map(([name, value]) => `${name}=${value}`)
        .join(FIELD),
    fserrnos: () => errnoPairs(),
    error: () => lastError,
    addr: () => lastAddress,
    /** Copies the bytes held by the last call to addr (Python made room for all of them). */
    take(addr: number): number {
      const bytes = mem();
      const held = pending ?? new Uint8Array(0);
      bytes.set(held, addr >>> 0);
      pending = null;
      return held.length;
    },
    /** An AF_UNIX address for the next bind/connect/sendto (it may hold NULs). */
    unix(addr: number, length: number): number {
      unixAddress = Buffer.from(view(addr, length));
      return 0;
    },
    sleep(ms: number): number {
      if (ms > 0) sleep(ms);
      return 0;
    },
    /** The host follows the interpreter's working directory (relative AF_UNIX addresses). */
    chdir(dir: string): number {
      process.chdir(dir);
      return 0;
    },

    /** The host's address for `network` (py/network.py), read locally: never by sending traffic. */
    netif: () => hostInterface().join(FIELD),

    // ---- the socket ----
    /** The next open of a socket device (devices.ts) is this socket's. */
    attach(id: number): number {
      devices.attach(sock(id));
      return 0;
    },
    /** Why the last device operation failed: a code as the calls return. */
    failure: () => devices.failure(),
    socket: (af: number, type: number, proto: number) => adopt(new Socket(af, type, proto)),
    close(id: number): number {
      const s = sockets.get(id);
      if (s === undefined) return 0;
      sockets.delete(id);
      s.close();
      return 0;
    },
    fileno: (id: number) => sockets.get(id)?.fileno() ?? -1,
    bind(id: number, host: string | null, port: number, flowinfo: number, scopeid: number): number {
      const s = sock(id);
      s.bind(target(s, host, port, flowinfo, scopeid));
      return 0;
    },
    connect(id: number, host: string | null, port: number, flowinfo: number, scopeid: number): number {
      const s = sock(id);
      s.connect(target(s, host, port, flowinfo, scopeid));
      return 0;
    },
    listen(id: number, backlog: number): number {
      sock(id).listen(backlog < 0 ? undefined : backlog);
      return 0;
    },
    accept(id: number): number {
      const [conn, address] = sock(id).accept();
      lastAddress = addressText(address);
      return adopt(conn);
    },
    send: (id: number, addr: number, length: number, flags: number) =>
      sock(id)._sendAt(mem(), addr >>> 0, length, flags),
    sendall(id: number, addr: number, length: number, flags: number): number {
      sock(id).sendall(view(addr, length), flags);
      return 0;
    },
    sendto(
      id: number,
      addr: number,
      length: number,
      flags: number,
      host: string | null,
      port: number,
      flowinfo: number,
      scopeid: number,
    ): number {
      const s = sock(id);
      return s.sendto(view(addr, length), flags, target(s, host, port, flowinfo, scopeid));
    },
    recv: (id: number, addr: number, length: number, flags: number) =>
      sock(id)._recvAt(mem(), addr >>> 0, length, flags),
    recv_into: (id: number, addr: number, length: number, nbytes: number, flags: number) =>
      sock(id).recv_into(view(addr, length), nbytes, flags),
    recvfrom(id: number, addr: number, length: number, flags: number): number {
      const s = sock(id);
      const bytes = mem();
      const [data, from] = s.recvfrom(length, flags);
      bytes.set(data, addr >>> 0);
      lastAddress = addressText(from);
      return data.length;
    },
    read: (id: number, size: number) => hold(sock(id).read(size < 0 ? undefined : size)),
    readinto(id: number, addr: number, length: number, nbytes: number): number {
      const s = sock(id);
      return s._readintoAt(mem(), addr >>> 0, nbytes < 0 ? length : Math.min(nbytes, length)) ?? NONE;
    },
    readline: (id: number, limit: number) => hold(sock(id).readline(limit < 0 ? undefined : limit)),
    write: (id: number, addr: number, length: number) => sock(id)._writeAt(mem(), addr >>> 0, length) ?? NONE,
    setsockopt(id: number, level: number, option: number, value: number): number {
      sock(id).setsockopt(level, option, value);
      return 0;
    },
    setsockopt_bytes(id: number, level: number, option: number, addr: number, length: number): number {
      const s = sock(id);
      s.setsockopt(level, option, Buffer.from(view(addr, length)));
      return 0;
    },
    getsockopt(id: number, level: number, option: number, buflen: number): number {
      const s = sock(id);
      return buflen > 0 ? hold(s.getsockopt(level, option, buflen)) : s.getsockopt(level, option);
    },
    settimeout(id: number, seconds: number): number {
      sock(id).settimeout(seconds < 0 ? null : seconds);
      return 0;
    },
    shutdown(id: number, how: number): number {
      sock(id).shutdown(how);
      return 0;
    },
    getsockname: (id: number) => addressText(sock(id).getsockname()),
    getpeername: (id: number) => addressText(sock(id).getpeername()),

    // ---- module functions ----
    getaddrinfo: (
      host: string | null,
      port: number | string | null,
      af: number,
      type: number,
      proto: number,
      flags: number,
    ) =>
      getaddrinfo(host, port, af, type, proto, flags)
        .map(([family, t, p, canonname, address]) => [family, t, p, canonname, addressText(address)].join(PART))
        .join(ENTRY),
    inet_pton: (af: number, text: string) => hold(inet_pton(af, text)),
    inet_ntop: (af: number, addr: number, length: number) => inet_ntop(af, view(addr, length)),
    gethostname: () => gethostname(),

    // ---- select: one Poll of usocket-node/select per Python poll object ----
    poll_new(): number {
      const id = nextPoller++;
      pollers.set(id, { poll: new Poll<Pollable>(), objects: new Map() });
      return id;
    },
    poll_free(pid: number): number {
      pollers.delete(pid);
      return 0;
    },
    poll_register(pid: number, key: number, mask: number): number {
      const p = poller(pid);
      const obj = p.objects.get(key) ?? (key >= TLS_KEY_BASE ? tls.pollable(key) : key >= 0 ? sock(key) : -key - 1);
      p.poll.register(obj, mask);
      p.objects.set(key, obj);
      return 0;
    },
    poll_unregister(pid: number, key: number): number {
      const p = pollers.get(pid);
      const obj = p?.objects.get(key);
      if (p === undefined || obj === undefined) return 0;
      p.poll.unregister(obj);
      p.objects.delete(key);
      return 0;
    },
    poll_modify(pid: number, key: number, mask: number): number {
      const p = poller(pid);
      const obj = p.objects.get(key);
      if (obj === undefined) return -ENOENT;
      p.poll.modify(obj, mask);
      return 0;
    },
    /** One poll(2); the ready objects' keys and revents, as int32 pairs at addr. */
    poll_poll(pid: number, timeoutMs: number, addr: number, capacity: number): number {
      const p = poller(pid);
      const bytes = mem(); // first: the results must not be lost to a moved heap
      if (timeoutMs !== 0) beforeWait();
      const ready = p.poll.poll(timeoutMs);
      const out = new DataView(bytes.buffer, addr >>> 0, capacity * 8);
      const keys = new Map<Pollable, number>();
      for (const [key, obj] of p.objects) keys.set(obj, key);
      const n = Math.min(ready.length, capacity);
      for (let i = 0; i < n; i++) {
        const [obj, revents] = ready[i]!;
        out.setInt32(i * 8, keys.get(obj)!, true);
        out.setInt32(i * 8 + 4, revents, true);
      }
      return n;
    },
  } satisfies Record<string, Call>;

  const calls: Record<string, Call> = {};
  const host = createHostCalls({ view, hold });
  for (const [name, call] of Object.entries({ ...table, ...tls.calls, ...host })) {
    calls[name] = guarded(call as Call, fail);
  }
  return calls;
}

/** The one error wrapper: a call that throws answers fail(error). Fixed arity, so no
 * arguments array is made per call (at most eight arguments cross). */
function guarded(call: Call, fail: (error: unknown) => number): Call {
  const f = call as (
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
    e: unknown,
    g: unknown,
    h: unknown,
    i: unknown,
  ) => number | string;
  return ((a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, g: unknown, h: unknown, i: unknown) => {
    try {
      return f(a, b, c, d, e, g, h, i);
    } catch (error) {
      return fail(error);
    }
  }) as Call;
}
