// Addresses: the tuple forms of docs/behaviour.md §2 in, packed sockaddr bytes to the core,
// and the module functions that convert or resolve them.
import { Buffer } from "node:buffer";
import { abortReason, isAborted, offAbort, onAbort } from "./abort.js";
import { native, type NativeAddress } from "./native.js";
import { E, OSError } from "./errors.js";
import { describeType, int32, integer, optionalInt32 } from "./validate.js";
import { takeSignal, type AsyncOptions } from "./options.js";

import { AF_INET, AF_INET6, AF_UNIX } from "./constants.js";

/** An AF_INET address: `["127.0.0.1", 8080]`. The host is numeric text, as inet_ntop prints it. */
export type IPv4Address = [host: string, port: number];
/** An AF_INET6 address: `["::1", 8080, 0, 0]`; `scopeid` is the interface index of a
 * link-local address (0 otherwise). */
export type IPv6Address = [host: string, port: number, flowinfo: number, scopeid: number];
/** An AF_UNIX address: a path; a leading "\0" names a Linux abstract socket; "" is an
 * unnamed socket. A name whose bytes are not UTF-8 comes back as a Buffer (as CPython
 * returns bytes), which bind/connect/sendto take back as is. */
export type UnixAddress = string | Buffer;
/** What the module returns: the same forms that bind/connect/sendto take. */
export type Address = IPv4Address | IPv6Address | UnixAddress;
/** What bind/connect/sendto accept: IPv6 also as [host, port]; AF_UNIX also as bytes. */
export type AddressInput = IPv4Address | [host: string, port: number] | IPv6Address | UnixAddress | Uint8Array;

declare const addressForm: unique symbol;

/**
 * An address family constant (`AF_INET`, `AF_INET6`, `AF_UNIX`). At run time it is the host's
 * number; its type also carries the address form of the family, so that the socket made with
 * it says which form it returns: `socket(AF_INET).getsockname()` is an {@link IPv4Address},
 * `socket(AF_INET6).getsockname()` an {@link IPv6Address}. A family given as a plain number
 * makes a socket typed with the {@link Address} union.
 */
export type AddressFamily<A extends Address> = number & { readonly [addressForm]: A };

/** The last address packed, reused while the same one is sent to again (sendto loops). */
let lastPacked: {
  family: number;
  host: string;
  port: number;
  flowinfo: number;
  scopeid: number;
  bytes: Buffer;
} | null = null;

function notNumeric(family: number, host: string, syscall: string, address: unknown): OSError {
  const kind = family === AF_INET ? "IPv4" : "IPv6";
  return new OSError(E.EINVAL, syscall, {
    address,
    message:
      `${JSON.stringify(host)} is not a numeric ${kind} address; usocket never resolves names here: ` +
      "resolve it with getaddrinfo() first and pass its result",
  });
}

function tuple(address: unknown, family: number, syscall: string): [string, number, number, number] {
  const kind = family === AF_INET ? "AF_INET" : "AF_INET6";
  const shape = family === AF_INET ? "[host, port]" : "[host, port] or [host, port, flowinfo, scopeid]";
  if (!Array.isArray(address)) {
    throw new TypeError(`${syscall}: an ${kind} address must be an array ${shape}, not ${describeType(address)}`);
  }
  const lengthOk = family === AF_INET ? address.length === 2 : address.length >= 2 && address.length <= 4;
  if (!lengthOk) throw new TypeError(`${syscall}: an ${kind} address must be ${shape}, not ${address.length} items`);
  const [host, port, flowinfo = 0, scopeid = 0] = address as unknown[];
  if (typeof host !== "string") throw new TypeError(`${syscall}: the host must be a string, not ${describeType(host)}`);
  return [
    host,
    integer(port, "port", 0, 65535),
    integer(flowinfo, "flowinfo", 0, 0xfffff),
    integer(scopeid, "scopeid", 0, 0xffffffff),
  ];
}

/** Packs an address of `family` for the core; errors as docs/behaviour.md §2 says. */
export function packAddress(family: number, address: unknown, syscall: string): Uint8Array {
  const last = lastPacked;
  // A sendto loop's common case, the same [host, port] as the last call, recognised
  // without building and checking a 4-tuple: equal to values that passed the checks.
  if (
    last !== null &&
    last.family === family &&
    last.flowinfo === 0 &&
    last.scopeid === 0 &&
    Array.isArray(address) &&
    address.length === 2 &&
    address[0] === last.host &&
    address[1] === last.port
  ) {
    return last.bytes;
  }
  if (family === AF_UNIX) return packUnix(address, syscall);
  if (family !== AF_INET && family !== AF_INET6) throw new OSError(E.EAFNOSUPPORT, syscall, { address });
  const [host, port, flowinfo, scopeid] = tuple(address, family, syscall);
  if (
    last !== null &&
    last.family === family &&
    last.host === host &&
    last.port === port &&
    last.flowinfo === flowinfo &&
    last.scopeid === scopeid
  ) {
    return last.bytes;
  }
  const text = family === AF_INET && host === "<broadcast>" ? "255.255.255.255" : host;
  const packed = native.packAddress(family, text, port, flowinfo, scopeid);
  if (typeof packed === "number") throw notNumeric(family, host, syscall, address);
  lastPacked = { family, host, port, flowinfo, scopeid, bytes: packed };
  return packed;
}

function packUnix(address: unknown, syscall: string): Uint8Array {
  let path: Uint8Array;
  if (typeof address === "string") path = Buffer.from(address, "utf8");
  else if (address instanceof Uint8Array) path = address;
  else
    throw new TypeError(
      `${syscall}: an AF_UNIX address must be a path string or a Buffer, not ${describeType(address)}`,
    );
  // A path name ends at its first NUL for the kernel: "a\0b" would silently name "a" (an
  // abstract name, which starts with NUL, is exact and may hold more).
  if (path.length > 0 && path[0] !== 0 && path.indexOf(0) >= 0) {
    throw new OSError(E.EINVAL, syscall, { address, message: "AF_UNIX path with an embedded NUL" });
  }
  const packed = native.packUnixAddress(path);
  if (typeof packed === "number") {
    throw new OSError(-packed, syscall, { address, message: "AF_UNIX path too long" });
  }
  return packed;
}

/** The core's address, as the module returns it ("" for an unnamed AF_UNIX socket). */
export function addressFromNative(address: NativeAddress): Address {
  return address === null ? "" : (address as Address);
}

/**
 * Dotted-quad text to its 4 bytes in `out`, accepting exactly what the C libraries'
 * inet_pton(AF_INET) accepts (glibc's and the BSDs' ISC inet_pton4, musl's): four decimal
 * parts of 1 to 3 digits, each at most 255, no leading zero, nothing else. Returns false
 * for anything else. Parsing here avoids a native call and its string conversion, which
 * cost several times the parsing itself. Exported for bench/w5-parts.js, which times it
 * alone (not part of the package's API: index.ts does not export it).
 */
export function parseIPv4(text: string, out: Uint8Array): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  // Part by part, each digit read once, and never past the end: charCodeAt out of range is
  // NaN, which would take the arithmetic off small integers (twice as slow).
  let i = 0;
  let address = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || text.charCodeAt(i) !== 0x2e) return false;
      i++;
    }
    if (i >= n) return false;
    let digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return false;
    let value = digit;
    i++;
    // A part that starts with 0 is just "0" (no leading zero): a digit after it fails below.
    if (value !== 0 && i < n) {
      digit = text.charCodeAt(i) - 0x30;
      if (digit >= 0 && digit <= 9) {
        value = value * 10 + digit;
        i++;
        if (i < n) {
          digit = text.charCodeAt(i) - 0x30;
          if (digit >= 0 && digit <= 9) {
            value = value * 10 + digit;
            i++;
            if (value > 255) return false;
          }
        }
      }
    }
    address = (address << 8) | value;
  }
  if (i !== n) return false;
  out[0] = address >>> 24;
  out[1] = (address >>> 16) & 0xff;
  out[2] = (address >>> 8) & 0xff;
  out[3] = address & 0xff;
  return true;
}

/**
 * inet_pton(af, text) → the address's 4 (AF_INET) or 16 (AF_INET6) bytes, in network order.
 * @throws OSError(EINVAL) for text that is not a numeric address of the family;
 *   OSError(EAFNOSUPPORT) for another family; TypeError for text that is not a string.
 * @example const bytes = inet_pton(AF_INET6, "::1");
 */
export function inet_pton(af: number, text: string): Buffer {
  const family = int32(af, "af");
  if (typeof text !== "string") throw new TypeError(`inet_pton: text must be a string, not ${describeType(text)}`);
  if (family === AF_INET) {
    const bytes = Buffer.allocUnsafe(4);
    if (parseIPv4(text, bytes)) return bytes;
    // Not a dotted quad: the system decides (and says EINVAL), so the rule stays its own.
  }
  // The core writes into a Buffer allocated here, from Node's pool (as recv's small buffers
  // are): creating one in C costs a malloc per call, and a tiny unpooled Buffer lives on
  // the V8 heap, which the core must first move off it to get its address.
  const result = Buffer.allocUnsafe(family === AF_INET6 ? 16 : 4);
  const rc = native.inetPton(family, text, result);
  if (rc < 0) {
    const errno = -rc;
    throw new OSError(errno, "inet_pton", {
      message:
        errno === E.EINVAL ? `illegal IP address string passed to inet_pton: ${JSON.stringify(text)}` : undefined,
    });
  }
  return result;
}

/**
 * inet_ntop(af, bytes) → the address as text ("127.0.0.1", "::1").
 * @throws RangeError when `bytes` is not 4 (AF_INET) or 16 (AF_INET6) bytes long;
 *   OSError(EAFNOSUPPORT) for another family; TypeError for bytes that are not a byte view.
 * @example const text = inet_ntop(AF_INET, Buffer.from([127, 0, 0, 1]));
 */
export function inet_ntop(af: number, bytes: ArrayBufferView): string {
  const family = int32(af, "af");
  if (!ArrayBuffer.isView(bytes))
    throw new TypeError(`inet_ntop: bytes must be an ArrayBufferView, not ${describeType(bytes)}`);
  if (family !== AF_INET && family !== AF_INET6) throw new OSError(E.EAFNOSUPPORT, "inet_ntop");
  const wanted = family === AF_INET ? 4 : 16;
  if (bytes.byteLength !== wanted) {
    throw new RangeError(
      `inet_ntop: ${family === AF_INET ? "AF_INET" : "AF_INET6"} needs ${wanted} bytes, not ${bytes.byteLength}`,
    );
  }
  if (family === AF_INET) {
    // Exactly what every C library's inet_ntop prints for IPv4 ("%u.%u.%u.%u"), without a
    // native call: the call and its string conversion cost more than the formatting.
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, 4);
    return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  }
  const result = native.inetNtop(family, bytes);
  if (typeof result === "number") throw new OSError(-result, "inet_ntop");
  return result;
}

/** One answer of getaddrinfo: a socket's arguments and the address to connect or bind it to.
 * `canonname` is "" unless AI_CANONNAME was asked for (then set on the first answer). */
export type AddrInfo<A extends Address = Address> = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: A,
];

/** getaddrinfo's port as the resolver's service string. */
function serviceOf(port: unknown): string | null {
  if (port === null || port === undefined) return null;
  if (typeof port === "number") return String(integer(port, "port", 0, 65535));
  if (typeof port === "string") return port;
  throw new TypeError(`getaddrinfo: port must be a number, a string or null, not ${describeType(port)}`);
}

/** Validated arguments of getaddrinfo, shared with getaddrinfoAsync. */
export function getaddrinfoArguments(
  host: unknown,
  port: unknown,
  af: unknown,
  type: unknown,
  proto: unknown,
  flags: unknown,
): [string | null, string | null, number, number, number, number] {
  if (host !== null && host !== undefined && typeof host !== "string") {
    throw new TypeError(`getaddrinfo: host must be a string or null, not ${describeType(host)}`);
  }
  const service = serviceOf(port);
  return [
    host ?? null,
    service,
    optionalInt32(af, "af", 0),
    optionalInt32(type, "type", 0),
    optionalInt32(proto, "proto", 0),
    optionalInt32(flags, "flags", 0),
  ];
}

/** The hints of a getaddrinfo call going in (family, type, proto, flags), and the
 * IPv4-only answers the core writes coming out (room for 64 results); registered with the
 * core, which uses it when a call gives no array of its own. */
const gaiSlots = new Int32Array(new ArrayBuffer(4 * (1 + 64 * 5))); // its bytes never move
native.gaiSlots(gaiSlots);

/** The last IPv4 address getaddrinfo answered, and its text: one address usually comes
 * once per socket type, and again on the next call (a string is immutable; the tuples are
 * new each time). */
let gaiAddress = 0;
let gaiText = "";

/** The tuples of an answer the core wrote to gaiSlots; the address text is what inet_ntop
 * prints for IPv4. */
function getaddrinfoFromSlots(): AddrInfo[] {
  const s = gaiSlots;
  const count = s[0]!;
  const list: AddrInfo[] = new Array(count);
  for (let i = 0, k = 1; i < count; i++, k += 5) {
    const a = s[k + 4]!;
    if (a !== gaiAddress || gaiText === "") {
      gaiText = `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
      gaiAddress = a;
    }
    list[i] = [s[k]!, s[k + 1]!, s[k + 2]!, "", [gaiText, s[k + 3]!]];
  }
  return list;
}

/** The core's answer as the module returns it, or the OSError it stands for. */
export function getaddrinfoResult(result: ReturnType<typeof native.getaddrinfo>): AddrInfo[] {
  if (result === true) return getaddrinfoFromSlots();
  if (typeof result === "number") throw new OSError(result, "getaddrinfo");
  for (const entry of result) entry[4] = addressFromNative(entry[4]);
  return result as AddrInfo[];
}

/**
 * getaddrinfo(host, port, af = 0, type = 0, proto = 0, flags = 0) → the system resolver's
 * answers as `[family, type, proto, canonname, sockaddr]`; `sockaddr` goes straight to
 * connect, sendto or bind. `host` null with AI_PASSIVE = the any address. The only call
 * that resolves names; it blocks the thread while the resolver works (see
 * getaddrinfoAsync). With AF_INET or AF_INET6 the addresses are typed for that family.
 * @throws OSError with a negative EAI_* number (EAI_NONAME for an unknown host, ...);
 *   TypeError or RangeError for arguments of the wrong type or range.
 * @example const [[family, type, proto, , sockaddr]] = getaddrinfo("localhost", 80, AF_INET, SOCK_STREAM);
 */
export function getaddrinfo<A extends Address>(
  host: string | null,
  port: number | string | null,
  af: AddressFamily<A>,
  type?: number,
  proto?: number,
  flags?: number,
): AddrInfo<A>[];
/** getaddrinfo with any family (0 = any): addresses typed {@link Address}. */
export function getaddrinfo(
  host: string | null,
  port: number | string | null,
  af?: number,
  type?: number,
  proto?: number,
  flags?: number,
): AddrInfo[];
export function getaddrinfo(
  host: string | null,
  port: number | string | null,
  af = 0,
  type = 0,
  proto = 0,
  flags = 0,
): AddrInfo[] {
  // The checks of getaddrinfoArguments, without its array: this call is often in a loop.
  if (host !== null && host !== undefined && typeof host !== "string") {
    throw new TypeError(`getaddrinfo: host must be a string or null, not ${describeType(host)}`);
  }
  // A numeric port goes to the core as a number, which writes its decimal text for the
  // resolver (what C passes): no string to make here, none to convert there.
  const service = typeof port === "number" ? integer(port, "port", 0, 65535) : serviceOf(port);
  const slots = gaiSlots;
  slots[0] = int32(af, "af");
  slots[1] = int32(type, "type");
  slots[2] = int32(proto, "proto");
  slots[3] = int32(flags, "flags");
  return getaddrinfoResult(native.getaddrinfo(host ?? null, service));
}

/**
 * getaddrinfo(...) on the thread pool: the same results and the same OSErrors, without
 * blocking the event loop. The options object may follow the last argument given. An abort
 * rejects at once (the system call itself runs on).
 * @example const infos = await getaddrinfoAsync("localhost", 80, { signal });
 */
export function getaddrinfoAsync<A extends Address>(
  host: string | null,
  port: number | string | null,
  af: AddressFamily<A>,
  type?: number | AsyncOptions,
  proto?: number | AsyncOptions,
  flags?: number | AsyncOptions,
  options?: AsyncOptions,
): Promise<AddrInfo<A>[]>;
/** getaddrinfoAsync with any family (0 = any): addresses typed {@link Address}. */
export function getaddrinfoAsync(
  host: string | null,
  port: number | string | null,
  af?: number | AsyncOptions,
  type?: number | AsyncOptions,
  proto?: number | AsyncOptions,
  flags?: number | AsyncOptions,
  options?: AsyncOptions,
): Promise<AddrInfo[]>;
export function getaddrinfoAsync(
  host: string | null,
  port: number | string | null,
  af?: number | AsyncOptions,
  type?: number | AsyncOptions,
  proto?: number | AsyncOptions,
  flags?: number | AsyncOptions,
  options?: AsyncOptions,
): Promise<AddrInfo[]> {
  let signal: AbortSignal | undefined;
  let pending: ReturnType<typeof native.getaddrinfoAsync>;
  try {
    const optional: unknown[] = [af, type, proto, flags, options];
    signal = takeSignal(optional, "getaddrinfo");
    const args = getaddrinfoArguments(host, port, optional[0], optional[1], optional[2], optional[3]);
    if (signal !== undefined && isAborted(signal)) return Promise.reject(abortReason(signal));
    pending = native.getaddrinfoAsync(...args);
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal === undefined) return pending.then(getaddrinfoResult);
  const abortable = signal;
  return new Promise((resolve, reject) => {
    const listener = (): void => reject(abortReason(abortable));
    onAbort(abortable, listener);
    pending.then(
      (result) => {
        offAbort(abortable, listener);
        try {
          resolve(getaddrinfoResult(result));
        } catch (error) {
          reject(error);
        }
      },
      (error: unknown) => {
        offAbort(abortable, listener);
        reject(error);
      },
    );
  });
}
