// usocket: MicroPython's socket module for Node.js.
export * from "./constants.js";
export { OSError } from "./errors.js";
export { Socket, socket, getdefaulttimeout, setdefaulttimeout } from "./socket.js";
export { getaddrinfo, getaddrinfoAsync, inet_ntop, inet_pton } from "./addresses.js";
export type { AsyncOptions } from "./options.js";
export type { Address, AddressInput, AddrInfo, IPv4Address, IPv6Address, UnixAddress } from "./addresses.js";
export { socketpair, create_connection, gethostname } from "./helpers.js";
