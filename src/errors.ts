// OSError: the one error class of the module, for system errors (positive errno) and
// resolver errors (negative EAI_* numbers from getaddrinfo).
import { native } from "./native.js";

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
  /** The address involved, where one applies. */
  declare readonly address?: unknown;
  /** For `sendall`/`write` failing part-way: the bytes that did go out. */
  declare written?: number;

  /** An OSError for `errno` from `syscall`, with the system's message for it unless `message` is given. */
  constructor(errno: number, syscall: string, options?: { address?: unknown; message?: string; written?: number }) {
    const code = errorName(errno);
    const reason = options?.message ?? (errno < 0 ? native.gaiStrerror(errno) : native.strerror(errno));
    super(`[Errno ${errno}] ${reason} (${code}, ${syscall}${describe(options?.address)})`);
    this.name = "OSError";
    this.errno = errno;
    this.code = code;
    this.args = [errno];
    this.syscall = syscall;
    if (options?.address !== undefined) this.address = options.address;
    if (options?.written !== undefined) this.written = options.written;
  }
}

function describe(address: unknown): string {
  if (address === undefined) return "";
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
};
