// The module functions CPython users reach for beyond MicroPython's list (docs/behaviour.md §3):
// socketpair, create_connection, gethostname.
import { native } from "./native.js";
import { E, OSError } from "./errors.js";
import { recoveredFromPressure } from "./pressure.js";
import { AF_UNIX, SOCK_STREAM } from "./constants.js";
import {
  getaddrinfo,
  type Address,
  type AddressFamily,
  type IPv4Address,
  type IPv6Address,
  type UnixAddress,
} from "./addresses.js";
import { Socket, getdefaulttimeout } from "./socket.js";
import { describeType, int32, integer, timeoutSeconds } from "./validate.js";

/**
 * socketpair(af = AF_UNIX, type = SOCK_STREAM, proto = 0) → two sockets connected to each
 * other, with the default timeout.
 * @throws OSError from socketpair(2) (EOPNOTSUPP for a family other than AF_UNIX on most
 *   systems, EMFILE, ...).
 * @example const [a, b] = socketpair();
 */
export function socketpair<A extends Address = UnixAddress>(
  af?: AddressFamily<A>,
  type?: number,
  proto?: number,
): [Socket<A>, Socket<A>];
/** socketpair with a family given as a plain number: addresses typed {@link Address}. */
export function socketpair(af?: number, type?: number, proto?: number): [Socket, Socket];
export function socketpair(af: number = AF_UNIX, type: number = SOCK_STREAM, proto = 0): [Socket, Socket] {
  const family = int32(af, "af");
  const kind = int32(type, "type");
  const protocol = int32(proto, "proto");
  let fds = native.socketpair(family, kind, protocol);
  if (typeof fds === "number" && recoveredFromPressure(fds)) fds = native.socketpair(family, kind, protocol);
  if (typeof fds === "number") throw new OSError(-fds, "socketpair");
  return [Socket._adopt(fds[0], family, kind, protocol), Socket._adopt(fds[1], family, kind, protocol)];
}

/**
 * create_connection([host, port], timeout?, source_address?) → a connected TCP socket:
 * resolves `host` (names too, like getaddrinfo) and tries each address in turn within one
 * deadline. The socket keeps `timeout` (default: getdefaulttimeout()).
 * @throws the last address's OSError (ECONNREFUSED, ...), OSError(ETIMEDOUT) when the
 *   deadline passed, or getaddrinfo's OSError (EAI_NONAME, ...).
 * @example const s = create_connection(["localhost", 8080], 5);
 */
export function create_connection(
  address: [host: string, port: number],
  timeout: number | null = getdefaulttimeout(),
  source_address?: Address,
): Socket<IPv4Address | IPv6Address> {
  if (!Array.isArray(address) || address.length !== 2) {
    throw new TypeError(`create_connection: address must be [host, port], not ${describeType(address)}`);
  }
  const [host, port] = address;
  if (typeof host !== "string")
    throw new TypeError(`create_connection: host must be a string, not ${describeType(host)}`);
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
      return sock as Socket<IPv4Address | IPv6Address>;
    } catch (error) {
      lastError = error;
      sock?.close();
    }
  }
  if (lastError !== null) throw lastError;
  throw new OSError(E.ETIMEDOUT, "create_connection", { address });
}

/**
 * The host's name, as gethostname(2) reports it.
 * @throws OSError from gethostname(2).
 * @example console.log(gethostname());
 */
export function gethostname(): string {
  const name = native.gethostname();
  if (typeof name === "number") throw new OSError(-name, "gethostname");
  return name;
}
