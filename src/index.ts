/**
 * MicroPython's `socket` module for Node.js: `socket()` and `Socket`, `getaddrinfo`,
 * `inet_pton`/`inet_ntop`, `OSError`, and the constants with the host system's values.
 *
 * @module usocket-node
 */
export * from "./constants.js";
export { OSError } from "./errors.js";
export { Socket, socket, getdefaulttimeout, setdefaulttimeout } from "./socket.js";
export type { AnySocket, NonBlockingSocket, SocketMode, StreamResult } from "./socket.js";
export { getaddrinfo, getaddrinfoAsync, inet_ntop, inet_pton } from "./addresses.js";
export type { AsyncOptions } from "./options.js";
export type {
  Address,
  AddressFamily,
  AddressInput,
  AddrInfo,
  IPv4Address,
  IPv6Address,
  UnixAddress,
} from "./addresses.js";
export { socketpair, create_connection, gethostname } from "./helpers.js";
