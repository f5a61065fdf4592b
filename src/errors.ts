// OSError: the one error class of the module, for system errors (positive errno) and
// resolver errors (negative EAI_* numbers from getaddrinfo).
import { native } from "./native.js";
import { takeSignal } from "./interrupt.js";
import { describeType, INT32_MAX, INT32_MIN } from "./validate.js";

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(native.errno)) {
  // EWOULDBLOCK and ENOTSUP alias EAGAIN and EOPNOTSUPP on Linux: keep the usual names.
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}
const resolverNames = new Map<number, string>();
for (const [name, value] of Object.entries(native.resolverErrors)) {
  if (!resolverNames.has(value)) resolverNames.set(value, name);
}

/** The symbolic name of an errno (positive) or resolver error (negative), e.g. "ETIMEDOUT". */
export function errorName(errno: number): string {
  return (errno < 0 ? resolverNames.get(errno) : errnoNames.get(errno)) ?? `E${Math.abs(errno)}`;
}

/** Positive errno values and their names, as `usocket-node/errno` exports them. */
export function errnoTable(): ReadonlyMap<number, string> {
  return errnoNames;
}

const EINTR = (native.errno as Readonly<Record<string, number>>)["EINTR"];

/**
 * The error of every failed system call: `errno` is the system's errno (positive) or the
 * resolver's EAI_* number (negative, from getaddrinfo), `code` its name, `args[0]` the
 * number (as MicroPython's `e.args[0]`).
 * @example try { s.connect(addr); } catch (e) { if (e instanceof OSError && e.code === "ECONNREFUSED") retry(); }
 */
export class OSError extends Error {
  /** Positive system errno, or negative EAI_* number for resolver errors. */
  readonly errno: number;
  /** Symbolic name of `errno`: "ETIMEDOUT", "EAI_NONAME", … */
  readonly code: string;
  /** `[errno]`, as in MicroPython, so `e.args[0]` is the number. */
  readonly args: [number];
  /** The operation that failed ("connect", "recv", "getaddrinfo", …). */
  readonly syscall: string;
  /** The error's text without the number and names, as CPython's `e.strerror`: the
   * system's (`strerror`), the resolver's (`gai_strerror`) or the one given. */
  readonly strerror: string;
  /** The address involved, where one applies. */
  declare readonly address?: unknown;
  /** For `sendall`/`write` failing part-way: the bytes that did go out. */
  declare written?: number;
  /** For EINTR: the signal ("SIGINT", "SIGTERM") that ended a blocking call because the
   * program listens for it; the listener runs once the program returns to the event loop.
   * (The MicroPython bridge raises KeyboardInterrupt for "SIGINT".) */
  declare readonly signal?: string;

  /** An OSError for `errno` from `syscall`, with the system's message for it unless `message` is given. */
  constructor(errno: number, syscall: string, options?: { address?: unknown; message?: string; written?: number }) {
    // Exported, so programs build their own: checked here, so a wrong argument is the
    // caller's TypeError/RangeError and never an error from inside the core.
    checkArguments(errno, syscall, options);
    const code = errorName(errno);
    // A watched signal that ended a blocking call left its name in the core for this error.
    const signal = errno === EINTR ? takeSignal() : null;
    const reason =
      options?.message ??
      (signal !== null
        ? `Interrupted system call: a signal arrived (${signal})`
        : errno < 0
          ? native.gaiStrerror(errno)
          : native.strerror(errno));
    super(`[Errno ${errno}] ${reason} (${code}, ${syscall}${describe(options?.address)})`);
    this.name = "OSError";
    this.errno = errno;
    this.code = code;
    this.args = [errno];
    this.syscall = syscall;
    this.strerror = reason;
    if (options?.address !== undefined) this.address = options.address;
    if (options?.written !== undefined) this.written = options.written;
    if (signal !== null) Object.defineProperty(this, "signal", { value: signal, enumerable: true });
  }
}

function checkArguments(errno: unknown, syscall: unknown, options: unknown): void {
  if (typeof errno !== "number") throw new TypeError(`OSError: errno must be a number, not ${describeType(errno)}`);
  if (!Number.isInteger(errno) || errno < INT32_MIN || errno > INT32_MAX || errno === 0) {
    throw new RangeError(`OSError: errno must be a non-zero 32-bit integer, not ${errno}`);
  }
  if (typeof syscall !== "string")
    throw new TypeError(`OSError: syscall must be a string, not ${describeType(syscall)}`);
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`OSError: options must be an object, not ${describeType(options)}`);
  }
  const { message, written } = options as { message?: unknown; written?: unknown };
  if (message !== undefined && typeof message !== "string") {
    throw new TypeError(`OSError: options.message must be a string, not ${describeType(message)}`);
  }
  if (written !== undefined && (typeof written !== "number" || !Number.isSafeInteger(written) || written < 0)) {
    throw new TypeError(`OSError: options.written must be a non-negative integer, not ${describeType(written)}`);
  }
}

function describe(address: unknown): string {
  if (address === undefined) return "";
  // A program's own address object may convert badly (a Symbol, a throwing toString):
  // the message then goes without it rather than the error failing to exist.
  try {
    return describeAddress(address);
  } catch {
    return "";
  }
}

function describeAddress(address: unknown): string {
  if (Array.isArray(address)) {
    const [host, port] = address as [unknown, unknown];
    return ` ${String(host).includes(":") ? `[${String(host)}]` : String(host)}:${String(port)}`;
  }
  return ` ${JSON.stringify(String(address))}`;
}

export const E = native.errno as Readonly<Record<string, number>> & {
  readonly EAGAIN: number;
  readonly EBADF: number;
  readonly EINVAL: number;
  readonly ETIMEDOUT: number;
  readonly EINPROGRESS: number;
  readonly EAFNOSUPPORT: number;
  readonly ENOENT: number;
  readonly EINTR: number;
  readonly EPIPE: number;
  readonly EEXIST: number;
  readonly EMFILE: number;
  readonly ENFILE: number;
};
