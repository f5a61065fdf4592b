// The socket module's constants, with the host system's values (docs/behaviour.md §3).
import { native, optionalSystemConstant, systemConstant as required } from "./native.js";

export const AF_UNSPEC = required("AF_UNSPEC");
export const AF_INET = required("AF_INET");
export const AF_INET6 = required("AF_INET6");
export const AF_UNIX = required("AF_UNIX");
export const SOCK_STREAM = required("SOCK_STREAM");
export const SOCK_DGRAM = required("SOCK_DGRAM");
export const SOCK_RAW = required("SOCK_RAW");
export const IPPROTO_IP = required("IPPROTO_IP");
export const IPPROTO_TCP = required("IPPROTO_TCP");
export const IPPROTO_UDP = required("IPPROTO_UDP");
export const IPPROTO_IPV6 = required("IPPROTO_IPV6");
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
export const TCP_NODELAY = required("TCP_NODELAY");
export const IP_TTL = required("IP_TTL");
export const IP_ADD_MEMBERSHIP = required("IP_ADD_MEMBERSHIP");
export const IP_DROP_MEMBERSHIP = required("IP_DROP_MEMBERSHIP");
export const IP_MULTICAST_TTL = required("IP_MULTICAST_TTL");
export const IP_MULTICAST_LOOP = required("IP_MULTICAST_LOOP");
export const IPV6_V6ONLY = required("IPV6_V6ONLY");
export const MSG_PEEK = required("MSG_PEEK");
export const MSG_DONTWAIT = required("MSG_DONTWAIT");
export const MSG_OOB = required("MSG_OOB");
export const MSG_WAITALL = required("MSG_WAITALL");
export const SHUT_RD = required("SHUT_RD");
export const SHUT_WR = required("SHUT_WR");
export const SHUT_RDWR = required("SHUT_RDWR");
export const AI_PASSIVE = required("AI_PASSIVE");
export const AI_CANONNAME = required("AI_CANONNAME");
export const AI_NUMERICHOST = required("AI_NUMERICHOST");
export const AI_NUMERICSERV = required("AI_NUMERICSERV");
export const SOMAXCONN = required("SOMAXCONN");

// The resolver's errors, as the negative numbers getaddrinfo's OSError carries.
const R = native.resolverErrors;
const resolverError = (name: string): number => {
  const value = R[name];
  if (value === undefined) throw new Error(`usocket: the system lacks ${name}`);
  return value;
};
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
