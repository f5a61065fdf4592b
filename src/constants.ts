// The socket module's constants, with the host system's values (docs/behaviour.md §3).
import { native, optionalSystemConstant, systemConstant as required } from "./native.js";
import type { AddressFamily, IPv4Address, IPv6Address, UnixAddress } from "./addresses.js";

/** Address families: AF_INET (IPv4), AF_INET6 (IPv6), AF_UNIX (local paths), AF_UNSPEC (any,
 * for getaddrinfo). The first three carry their address form in the types: see {@link AddressFamily}.
 * @example const s = socket(AF_INET6); */
export const AF_UNSPEC = required("AF_UNSPEC");
export const AF_INET = required("AF_INET") as AddressFamily<IPv4Address>;
export const AF_INET6 = required("AF_INET6") as AddressFamily<IPv6Address>;
export const AF_UNIX = required("AF_UNIX") as AddressFamily<UnixAddress>;
/** Socket types: SOCK_STREAM (TCP, or a local stream), SOCK_DGRAM (UDP, or local
 * datagrams), SOCK_RAW. */
export const SOCK_STREAM = required("SOCK_STREAM");
export const SOCK_DGRAM = required("SOCK_DGRAM");
export const SOCK_RAW = required("SOCK_RAW");
/** Protocol numbers, for socket() and as setsockopt/getsockopt levels. */
export const IPPROTO_IP = required("IPPROTO_IP");
export const IPPROTO_TCP = required("IPPROTO_TCP");
export const IPPROTO_UDP = required("IPPROTO_UDP");
export const IPPROTO_IPV6 = required("IPPROTO_IPV6");
/** Socket option level and the options at SOL_SOCKET.
 * @example s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); */
export const SOL_SOCKET = required("SOL_SOCKET");
export const SO_REUSEADDR = required("SO_REUSEADDR");
/** Absent (undefined) where the system has no SO_REUSEPORT. */
export const SO_REUSEPORT: number | undefined = optionalSystemConstant("SO_REUSEPORT");
export const SO_BROADCAST = required("SO_BROADCAST");
export const SO_KEEPALIVE = required("SO_KEEPALIVE");
export const SO_LINGER = required("SO_LINGER");
export const SO_RCVBUF = required("SO_RCVBUF");
export const SO_SNDBUF = required("SO_SNDBUF");
export const SO_RCVTIMEO = required("SO_RCVTIMEO");
export const SO_SNDTIMEO = required("SO_SNDTIMEO");
export const SO_ERROR = required("SO_ERROR");
export const SO_TYPE = required("SO_TYPE");
/** More SOL_SOCKET options, as CPython has them (undefined where the system lacks one). */
export const SO_RCVLOWAT: number | undefined = optionalSystemConstant("SO_RCVLOWAT");
export const SO_SNDLOWAT: number | undefined = optionalSystemConstant("SO_SNDLOWAT");
export const SO_ACCEPTCONN: number | undefined = optionalSystemConstant("SO_ACCEPTCONN");
export const SO_OOBINLINE: number | undefined = optionalSystemConstant("SO_OOBINLINE");
export const SO_DONTROUTE: number | undefined = optionalSystemConstant("SO_DONTROUTE");
/** Options at IPPROTO_TCP, IPPROTO_IP and IPPROTO_IPV6. IP_ADD_MEMBERSHIP and
 * IP_DROP_MEMBERSHIP take the bytes of a struct ip_mreq (group address, then interface). */
export const TCP_NODELAY = required("TCP_NODELAY");
export const IP_TTL = required("IP_TTL");
export const IP_ADD_MEMBERSHIP = required("IP_ADD_MEMBERSHIP");
export const IP_DROP_MEMBERSHIP = required("IP_DROP_MEMBERSHIP");
export const IP_MULTICAST_TTL = required("IP_MULTICAST_TTL");
export const IP_MULTICAST_LOOP = required("IP_MULTICAST_LOOP");
export const IP_MULTICAST_IF = required("IP_MULTICAST_IF");
export const IPV6_V6ONLY = required("IPV6_V6ONLY");
/** More IPPROTO_TCP, IPPROTO_IP and IPPROTO_IPV6 options, as CPython has them (undefined
 * where the system lacks one: TCP_QUICKACK and TCP_CORK are Linux's). IPV6_JOIN_GROUP and
 * IPV6_LEAVE_GROUP take the bytes of a struct ipv6_mreq (group address, then interface index).
 * @example s.setsockopt(IPPROTO_TCP, TCP_KEEPIDLE!, 30); */
export const TCP_MAXSEG: number | undefined = optionalSystemConstant("TCP_MAXSEG");
export const TCP_KEEPIDLE: number | undefined = optionalSystemConstant("TCP_KEEPIDLE");
export const TCP_KEEPINTVL: number | undefined = optionalSystemConstant("TCP_KEEPINTVL");
export const TCP_KEEPCNT: number | undefined = optionalSystemConstant("TCP_KEEPCNT");
export const TCP_QUICKACK: number | undefined = optionalSystemConstant("TCP_QUICKACK");
export const TCP_CORK: number | undefined = optionalSystemConstant("TCP_CORK");
export const IP_TOS: number | undefined = optionalSystemConstant("IP_TOS");
export const IPV6_JOIN_GROUP: number | undefined = optionalSystemConstant("IPV6_JOIN_GROUP");
export const IPV6_LEAVE_GROUP: number | undefined = optionalSystemConstant("IPV6_LEAVE_GROUP");
export const IPV6_MULTICAST_IF: number | undefined = optionalSystemConstant("IPV6_MULTICAST_IF");
export const IPV6_MULTICAST_HOPS: number | undefined = optionalSystemConstant("IPV6_MULTICAST_HOPS");
export const IPV6_MULTICAST_LOOP: number | undefined = optionalSystemConstant("IPV6_MULTICAST_LOOP");
export const IPV6_UNICAST_HOPS: number | undefined = optionalSystemConstant("IPV6_UNICAST_HOPS");
/** Flags for send/recv and their kin: MSG_PEEK (look without taking), MSG_DONTWAIT (this
 * call only, non-blocking), MSG_OOB (urgent data), MSG_WAITALL (wait for the full amount). */
export const MSG_PEEK = required("MSG_PEEK");
export const MSG_DONTWAIT = required("MSG_DONTWAIT");
export const MSG_OOB = required("MSG_OOB");
export const MSG_WAITALL = required("MSG_WAITALL");
/** MSG_TRUNC (recv: the datagram's real length; Linux), MSG_DONTROUTE, MSG_NOSIGNAL (every
 * send uses it already where the system has it); undefined where the system lacks one. */
export const MSG_TRUNC: number | undefined = optionalSystemConstant("MSG_TRUNC");
export const MSG_DONTROUTE: number | undefined = optionalSystemConstant("MSG_DONTROUTE");
export const MSG_NOSIGNAL: number | undefined = optionalSystemConstant("MSG_NOSIGNAL");
/** shutdown(how): SHUT_RD, SHUT_WR (the peer reads end of stream), SHUT_RDWR. */
export const SHUT_RD = required("SHUT_RD");
export const SHUT_WR = required("SHUT_WR");
export const SHUT_RDWR = required("SHUT_RDWR");
/** getaddrinfo flags: AI_PASSIVE (an address to bind; host null = any),
 * AI_CANONNAME (the canonical name in the first answer), AI_NUMERICHOST and AI_NUMERICSERV
 * (resolve nothing: numeric host or port only). */
export const AI_PASSIVE = required("AI_PASSIVE");
export const AI_CANONNAME = required("AI_CANONNAME");
export const AI_NUMERICHOST = required("AI_NUMERICHOST");
export const AI_NUMERICSERV = required("AI_NUMERICSERV");
/** getaddrinfo flags for AF_INET6: AI_V4MAPPED (IPv4 answers as ::ffff:a.b.c.d when there is
 * no IPv6 one), AI_ALL (with AI_V4MAPPED: both), and AI_ADDRCONFIG (only families the host
 * has an address of, loopback aside). */
export const AI_V4MAPPED = required("AI_V4MAPPED");
export const AI_ALL = required("AI_ALL");
export const AI_ADDRCONFIG = required("AI_ADDRCONFIG");
/** The system's largest listen() backlog. */
export const SOMAXCONN = required("SOMAXCONN");

const R = native.resolverErrors;
const resolverError = (name: string): number => {
  const value = R[name];
  if (value === undefined) throw new Error(`usocket: the system lacks ${name}`);
  return value;
};
/** The resolver's errors (negative, as getaddrinfo's OSError carries them in `errno`):
 * EAI_NONAME for an unknown host, EAI_AGAIN for a temporary failure, ...
 * @example if (error.errno === EAI_NONAME) console.log("no such host"); */
export const EAI_AGAIN = resolverError("EAI_AGAIN");
export const EAI_BADFLAGS = resolverError("EAI_BADFLAGS");
export const EAI_FAIL = resolverError("EAI_FAIL");
export const EAI_FAMILY = resolverError("EAI_FAMILY");
export const EAI_MEMORY = resolverError("EAI_MEMORY");
export const EAI_NONAME = resolverError("EAI_NONAME");
export const EAI_SERVICE = resolverError("EAI_SERVICE");
export const EAI_SOCKTYPE = resolverError("EAI_SOCKTYPE");
export const EAI_SYSTEM = resolverError("EAI_SYSTEM");
export const EAI_ADDRFAMILY: number | undefined = R["EAI_ADDRFAMILY"];
export const EAI_NODATA: number | undefined = R["EAI_NODATA"];
