// The module functions CPython users reach for beyond MicroPython's list (docs/behaviour.md §3):
// socketpair, create_connection, gethostname.
import { native } from "./native.js";
import { E, OSError } from "./errors.js";
import { AF_UNIX, SOCK_STREAM } from "./constants.js";
import { getaddrinfo, type Address } from "./addresses.js";
import { Socket, getdefaulttimeout } from "./socket.js";
import { describeType, int32, integer, timeoutSeconds } from "./validate.js";

/** socketpair(af = AF_UNIX, type = SOCK_STREAM, proto = 0) → two connected sockets. */
export function socketpair(af: number = AF_UNIX, type: number = SOCK_STREAM, proto = 0): [Socket, Socket] {
  const family = int32(af, "af");
  const kind = int32(type, "type");
  const protocol = int32(proto, "proto");
  const fds = native.socketpair(family, kind, protocol);
  if (typeof fds === "number") throw new OSError(-fds, "socketpair");
  return [Socket._adopt(fds[0], family, kind, protocol), Socket._adopt(fds[1], family, kind, protocol)];
}

/**
 * create_connection([host, port], timeout?, source_address?): resolves `host` (the only
 * call that resolves names) and tries each address in turn within one deadline.
 */
export function create_connection(
  address: [host: string, port: number], timeout: number | null = getdefaulttimeout(), source_address?: Address,
): Socket {
  if (!Array.isArray(address) || address.length !== 2) {
    throw new TypeError(`create_connection: address must be [host, port], not ${describeType(address)}`);
  }
  const [host, port] = address;
  if (typeof host !== "string") throw new TypeError(`create_connection: host must be a string, not ${describeType(host)}`);
  integer(port, "port", 0, 65535);
  const seconds = timeoutSeconds(timeout);
  const deadline = seconds === null ? Infinity : performance.now() + seconds * 1000;
  let lastError: unknown = null;
  for (const [family, type, proto, , sockaddr] of getaddrinfo(host, port, 0, SOCK_STREAM)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    let sock: Socket | null = null;
    try {
      sock = new Socket(family, type, proto);
      // Always set: the socket started with the default timeout, and an explicit null
      // (blocking) must override it, as in CPython.
      sock.settimeout(seconds === null ? null : seconds === 0 ? 0 : left / 1000);
      if (source_address !== undefined) sock.bind(source_address);
      sock.connect(sockaddr);
      sock.settimeout(seconds);
      return sock;
    } catch (error) {
      lastError = error;
      sock?.close();
    }
  }
  if (lastError !== null) throw lastError;
  throw new OSError(E.ETIMEDOUT, "create_connection", { address });
}

export function gethostname(): string {
  const name = native.gethostname();
  if (typeof name === "number") throw new OSError(-name, "gethostname");
  return name;
}
