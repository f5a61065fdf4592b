// The JavaScript side of the bridge: the functions MicroPython's `socket` and `select`
// (python.ts) call, registered as the module `_usocket`. Rules of the port decide their
// shape: a JS exception cannot be caught by Python (it unwinds out of runPython), so none
// of these throws; a JS object handed to Python (or a Python object to JS) becomes a
// proxy that is only released when control returns to JS, so only numbers and strings
// cross. Bytes move through the interpreter's memory: Python passes the address and length
// of its buffer, and the data is read or written there (heap.ts).
//
// Results: a number >= 0 (or a string) on success; -errno for a system error; one of the
// codes below otherwise.
import { Socket } from "../socket.js";
import { OSError } from "../errors.js";
import { native } from "../native.js";
import { getaddrinfo, inet_ntop, inet_pton, type Address } from "../addresses.js";
import { gethostname } from "../helpers.js";
import * as constants from "../constants.js";
import { Poll, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI } from "../select.js";
import type { Heap } from "./heap.js";
import { errnoPairs } from "./hostfs.js";
import { createTlsCalls, TLS_KEY_BASE, type TlsPollable } from "./tls-calls.js";

/** Details are waiting in error(): "kind\x01errno\x01message". */
export const OTHER = -0x3fff0000;
/** The heap grew: Python hands it over again (heap.ts) and retries. */
export const STALE = -0x3fff0001;
/** A stream method transferred nothing on a non-blocking socket: Python's None. */
export const NONE = -0x3fff0002;

const EBADF = native.errno["EBADF"]!;
const EAGAIN = native.errno["EAGAIN"]!;
const ENOENT = native.errno["ENOENT"]!;

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

/** The functions of `_usocket` for one interpreter. */
export function createCalls(heap: Heap): Record<string, (...args: never[]) => number | string> {
  const sockets = new Map<number, Socket>();
  const pollers = new Map<number, Poller>();
  let nextSocket = 1;
  let nextPoller = 1;
  let lastError = "";
  let lastAddress = "";
  let pending: Uint8Array | null = null;
  let unixAddress: Buffer | null = null;

  function fail(error: unknown): number {
    if (error instanceof OSError) {
      if (error.errno > 0) return -error.errno;
      lastError = `O${FIELD}${error.errno}${FIELD}${native.gaiStrerror(error.errno)}`;
    } else if (error instanceof TypeError) {
      lastError = `T${FIELD}0${FIELD}${error.message}`;
    } else if (error instanceof RangeError) {
      lastError = `V${FIELD}0${FIELD}${error.message}`;
    } else {
      lastError = `R${FIELD}0${FIELD}${error instanceof Error ? error.message : String(error)}`;
    }
    return OTHER;
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

  /** addr/length from Python as a view of the heap (never past its end). */
  function view(bytes: Uint8Array, addr: number, length: number): Uint8Array {
    return bytes.subarray(addr >>> 0, (addr >>> 0) + length);
  }

  function target(s: Socket, host: string | null, port: number, flowinfo: number, scopeid: number): unknown {
    if (host === null) {
      const path = unixAddress;
      unixAddress = null;
      return path ?? "";
    }
    return s.family === constants.AF_INET6 ? [host, port, flowinfo, scopeid] : [host, port];
  }

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

  return {
    ...tls.calls,
    // ---- housekeeping ----
    fserrnos: () => errnoPairs(),
    /** The host follows the interpreter's working directory (relative AF_UNIX addresses). */
    chdir(dir: string): number {
      try {
        process.chdir(dir);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    codes: () => `${OTHER},${STALE},${NONE}`,
    constants: () => constantsText(),
    errnos: () => Object.entries(native.errno).map(([name, value]) => `${name}=${value}`).join(FIELD),
    error: () => lastError,
    addr: () => lastAddress,
    /** Copies the bytes held by the last call to addr (Python made room for all of them). */
    take(addr: number): number {
      try {
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        const held = pending ?? new Uint8Array(0);
        bytes.set(held, addr >>> 0);
        pending = null;
        return held.length;
      } catch (error) {
        return fail(error);
      }
    },
    /** An AF_UNIX address for the next bind/connect/sendto (it may hold NULs). */
    unix(addr: number, length: number): number {
      try {
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        unixAddress = Buffer.from(view(bytes, addr, length));
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    sleep(ms: number): number {
      try {
        if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },

    // ---- the socket ----
    socket(af: number, type: number, proto: number): number {
      try {
        return adopt(new Socket(af, type, proto));
      } catch (error) {
        return fail(error);
      }
    },
    close(id: number): number {
      try {
        const s = sockets.get(id);
        if (s === undefined) return 0;
        sockets.delete(id);
        s.close();
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    fileno(id: number): number {
      return sockets.get(id)?.fileno() ?? -1;
    },
    bind(id: number, host: string | null, port: number, flowinfo: number, scopeid: number): number {
      try {
        const s = sock(id);
        s.bind(target(s, host, port, flowinfo, scopeid) as never);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    connect(id: number, host: string | null, port: number, flowinfo: number, scopeid: number): number {
      try {
        const s = sock(id);
        s.connect(target(s, host, port, flowinfo, scopeid) as never);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    listen(id: number, backlog: number): number {
      try {
        sock(id).listen(backlog < 0 ? undefined : backlog);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    accept(id: number): number {
      try {
        const [conn, address] = sock(id).accept();
        lastAddress = addressText(address);
        return adopt(conn);
      } catch (error) {
        return fail(error);
      }
    },
    send(id: number, addr: number, length: number, flags: number): number {
      try {
        const s = sockets.get(id);
        if (s === undefined) return -EBADF;
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        // A blocking socket: one system call, as Socket.send does.
        const rc = native.send(s.fileno(), bytes, addr >>> 0, length, flags);
        if (rc !== -EAGAIN) return rc;
        return s.send(view(bytes, addr, length), flags);
      } catch (error) {
        return fail(error);
      }
    },
    sendall(id: number, addr: number, length: number, flags: number): number {
      try {
        const s = sock(id);
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        s.sendall(view(bytes, addr, length), flags);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    sendto(id: number, addr: number, length: number, flags: number,
      host: string | null, port: number, flowinfo: number, scopeid: number): number {
      try {
        const s = sock(id);
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        return s.sendto(view(bytes, addr, length), flags, target(s, host, port, flowinfo, scopeid) as never);
      } catch (error) {
        return fail(error);
      }
    },
    recv(id: number, addr: number, length: number, flags: number): number {
      try {
        const s = sockets.get(id);
        if (s === undefined) return -EBADF;
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        if (length === 0) return 0;
        if (!s._hasKept) {
          // One system call when the data is there (or the descriptor blocks).
          const rc = native.recv(s.fileno(), bytes, addr >>> 0, length, flags);
          if (rc !== -EAGAIN) return rc;
        }
        return s.recv_into(view(bytes, addr, length), 0, flags);
      } catch (error) {
        return fail(error);
      }
    },
    recv_into(id: number, addr: number, length: number, nbytes: number, flags: number): number {
      try {
        const s = sock(id);
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        return s.recv_into(view(bytes, addr, length), nbytes, flags);
      } catch (error) {
        return fail(error);
      }
    },
    recvfrom(id: number, addr: number, length: number, flags: number): number {
      try {
        const s = sock(id);
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        const [data, from] = s.recvfrom(length, flags);
        bytes.set(data, addr >>> 0);
        lastAddress = addressText(from);
        return data.length;
      } catch (error) {
        return fail(error);
      }
    },
    read(id: number, size: number): number {
      try {
        return hold(sock(id).read(size < 0 ? undefined : size));
      } catch (error) {
        return fail(error);
      }
    },
    readinto(id: number, addr: number, length: number, nbytes: number): number {
      let first = 0;
      let s: Socket | undefined;
      let bytes: Uint8Array | null = null;
      try {
        s = sockets.get(id);
        if (s === undefined) return -EBADF;
        bytes = heap.bytes();
        if (bytes === null) return STALE;
        const n = nbytes < 0 ? length : Math.min(nbytes, length);
        if (n > 0 && !s._hasKept) {
          // One system call when it brings everything (or EOF); the stream rules otherwise.
          const rc = native.recv(s.fileno(), bytes, addr >>> 0, n, 0);
          if (rc === n || rc === 0) return rc;
          if (rc !== -EAGAIN) {
            if (rc < 0) return rc;
            first = rc;
          }
        }
        const rest = s.readinto(view(bytes, addr + first, n - first));
        return rest === null ? (first > 0 ? first : NONE) : first + rest;
      } catch (error) {
        // Bytes already in the buffer go back in front of what the socket kept (nothing lost).
        if (first > 0 && s !== undefined && bytes !== null) s.keepBack(bytes.slice(addr >>> 0, (addr >>> 0) + first));
        return fail(error);
      }
    },
    readline(id: number, limit: number): number {
      try {
        return hold(sock(id).readline(limit < 0 ? undefined : limit));
      } catch (error) {
        return fail(error);
      }
    },
    write(id: number, addr: number, length: number): number {
      try {
        const s = sockets.get(id);
        if (s === undefined) return -EBADF;
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        let first = 0;
        if (length > 0) {
          // One system call when it takes everything; the stream rules otherwise.
          const rc = native.send(s.fileno(), bytes, addr >>> 0, length, 0);
          if (rc === length) return rc;
          if (rc !== -EAGAIN) {
            if (rc < 0) return rc;
            first = rc;
          }
        }
        const rest = s.write(view(bytes, addr + first, length - first));
        return rest === null ? (first > 0 ? first : NONE) : first + rest;
      } catch (error) {
        return fail(error);
      }
    },
    setsockopt(id: number, level: number, option: number, value: number): number {
      try {
        sock(id).setsockopt(level, option, value);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    setsockopt_bytes(id: number, level: number, option: number, addr: number, length: number): number {
      try {
        const s = sock(id);
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        s.setsockopt(level, option, Buffer.from(view(bytes, addr, length)));
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    getsockopt(id: number, level: number, option: number, buflen: number): number {
      try {
        const s = sock(id);
        if (buflen > 0) return hold(s.getsockopt(level, option, buflen));
        return s.getsockopt(level, option);
      } catch (error) {
        return fail(error);
      }
    },
    settimeout(id: number, seconds: number): number {
      try {
        sock(id).settimeout(seconds < 0 ? null : seconds);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    shutdown(id: number, how: number): number {
      try {
        sock(id).shutdown(how);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    getsockname(id: number): number | string {
      try {
        return addressText(sock(id).getsockname());
      } catch (error) {
        return fail(error);
      }
    },
    getpeername(id: number): number | string {
      try {
        return addressText(sock(id).getpeername());
      } catch (error) {
        return fail(error);
      }
    },

    // ---- module functions ----
    getaddrinfo(host: string | null, port: number | string | null, af: number, type: number, proto: number,
      flags: number): number | string {
      try {
        return getaddrinfo(host, port, af, type, proto, flags)
          .map(([family, t, p, canonname, address]) => [family, t, p, canonname, addressText(address)].join(PART))
          .join(ENTRY);
      } catch (error) {
        return fail(error);
      }
    },
    inet_pton(af: number, text: string): number {
      try {
        return hold(inet_pton(af, text));
      } catch (error) {
        return fail(error);
      }
    },
    inet_ntop(af: number, addr: number, length: number): number | string {
      try {
        const bytes = heap.bytes();
        if (bytes === null) return STALE;
        return inet_ntop(af, view(bytes, addr, length));
      } catch (error) {
        return fail(error);
      }
    },
    gethostname(): number | string {
      try {
        return gethostname();
      } catch (error) {
        return fail(error);
      }
    },

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
      try {
        const p = pollers.get(pid);
        if (p === undefined) return -EBADF;
        const obj = p.objects.get(key) ??
          (key >= TLS_KEY_BASE ? tls.pollable(key) : key >= 0 ? sock(key) : -key - 1);
        p.poll.register(obj, mask);
        p.objects.set(key, obj);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    poll_unregister(pid: number, key: number): number {
      try {
        const p = pollers.get(pid);
        const obj = p?.objects.get(key);
        if (p === undefined || obj === undefined) return 0;
        p.poll.unregister(obj);
        p.objects.delete(key);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    poll_modify(pid: number, key: number, mask: number): number {
      try {
        const obj = pollers.get(pid)?.objects.get(key);
        if (obj === undefined) return -ENOENT;
        pollers.get(pid)!.poll.modify(obj, mask);
        return 0;
      } catch (error) {
        return fail(error);
      }
    },
    /** One poll(2); the ready objects' keys and revents, as int32 pairs at addr. */
    poll_poll(pid: number, timeoutMs: number, addr: number, capacity: number): number {
      try {
        const p = pollers.get(pid);
        if (p === undefined) return -EBADF;
        const bytes = heap.bytes();
        if (bytes === null) return STALE; // checked first: the results must not be lost
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
      } catch (error) {
        return fail(error);
      }
    },
  };
}
