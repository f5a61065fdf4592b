/* The host system's values of every constant the TypeScript layer exports.
 * Names the system lacks are simply absent. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "args.h"
#include "register.h"

struct named_int {
  const char *name;
  int value;
};

#define ENTRY(name) {#name, name},

/* The tables are laid out by hand: one ENTRY per #ifdef, which clang-format cannot parse. */
/* clang-format off */
static const struct named_int socket_constants[] = {
#ifdef AF_UNSPEC
    ENTRY(AF_UNSPEC)
#endif
#ifdef AF_INET
    ENTRY(AF_INET)
#endif
#ifdef AF_INET6
    ENTRY(AF_INET6)
#endif
#ifdef AF_UNIX
    ENTRY(AF_UNIX)
#endif
#ifdef SOCK_STREAM
    ENTRY(SOCK_STREAM)
#endif
#ifdef SOCK_DGRAM
    ENTRY(SOCK_DGRAM)
#endif
#ifdef SOCK_RAW
    ENTRY(SOCK_RAW)
#endif
#ifdef SOCK_SEQPACKET
    ENTRY(SOCK_SEQPACKET)
#endif
#ifdef IPPROTO_IP
    ENTRY(IPPROTO_IP)
#endif
#ifdef IPPROTO_TCP
    ENTRY(IPPROTO_TCP)
#endif
#ifdef IPPROTO_UDP
    ENTRY(IPPROTO_UDP)
#endif
#ifdef IPPROTO_IPV6
    ENTRY(IPPROTO_IPV6)
#endif
#ifdef IPPROTO_ICMP
    ENTRY(IPPROTO_ICMP)
#endif
#ifdef IPPROTO_ICMPV6
    ENTRY(IPPROTO_ICMPV6)
#endif
#ifdef IPPROTO_RAW
    ENTRY(IPPROTO_RAW)
#endif
#ifdef SOL_SOCKET
    ENTRY(SOL_SOCKET)
#endif
#ifdef SO_REUSEADDR
    ENTRY(SO_REUSEADDR)
#endif
#ifdef SO_REUSEPORT
    ENTRY(SO_REUSEPORT)
#endif
#ifdef SO_BROADCAST
    ENTRY(SO_BROADCAST)
#endif
#ifdef SO_KEEPALIVE
    ENTRY(SO_KEEPALIVE)
#endif
#ifdef SO_LINGER
    ENTRY(SO_LINGER)
#endif
#ifdef SO_RCVBUF
    ENTRY(SO_RCVBUF)
#endif
#ifdef SO_SNDBUF
    ENTRY(SO_SNDBUF)
#endif
#ifdef SO_RCVLOWAT
    ENTRY(SO_RCVLOWAT)
#endif
#ifdef SO_SNDLOWAT
    ENTRY(SO_SNDLOWAT)
#endif
#ifdef SO_RCVTIMEO
    ENTRY(SO_RCVTIMEO)
#endif
#ifdef SO_SNDTIMEO
    ENTRY(SO_SNDTIMEO)
#endif
#ifdef SO_ERROR
    ENTRY(SO_ERROR)
#endif
#ifdef SO_TYPE
    ENTRY(SO_TYPE)
#endif
#ifdef SO_ACCEPTCONN
    ENTRY(SO_ACCEPTCONN)
#endif
#ifdef SO_OOBINLINE
    ENTRY(SO_OOBINLINE)
#endif
#ifdef SO_DONTROUTE
    ENTRY(SO_DONTROUTE)
#endif
#ifdef TCP_NODELAY
    ENTRY(TCP_NODELAY)
#endif
#ifdef TCP_MAXSEG
    ENTRY(TCP_MAXSEG)
#endif
#ifdef TCP_KEEPIDLE
    ENTRY(TCP_KEEPIDLE)
#endif
#ifdef TCP_KEEPINTVL
    ENTRY(TCP_KEEPINTVL)
#endif
#ifdef TCP_KEEPCNT
    ENTRY(TCP_KEEPCNT)
#endif
#ifdef TCP_QUICKACK
    ENTRY(TCP_QUICKACK)
#endif
#ifdef TCP_CORK
    ENTRY(TCP_CORK)
#endif
#ifdef IP_TOS
    ENTRY(IP_TOS)
#endif
#ifdef IP_TTL
    ENTRY(IP_TTL)
#endif
#ifdef IP_HDRINCL
    ENTRY(IP_HDRINCL)
#endif
#ifdef IP_ADD_MEMBERSHIP
    ENTRY(IP_ADD_MEMBERSHIP)
#endif
#ifdef IP_DROP_MEMBERSHIP
    ENTRY(IP_DROP_MEMBERSHIP)
#endif
#ifdef IP_MULTICAST_IF
    ENTRY(IP_MULTICAST_IF)
#endif
#ifdef IP_MULTICAST_TTL
    ENTRY(IP_MULTICAST_TTL)
#endif
#ifdef IP_MULTICAST_LOOP
    ENTRY(IP_MULTICAST_LOOP)
#endif
#ifdef IPV6_V6ONLY
    ENTRY(IPV6_V6ONLY)
#endif
#ifdef IPV6_JOIN_GROUP
    ENTRY(IPV6_JOIN_GROUP)
#endif
#ifdef IPV6_LEAVE_GROUP
    ENTRY(IPV6_LEAVE_GROUP)
#endif
#ifdef IPV6_MULTICAST_IF
    ENTRY(IPV6_MULTICAST_IF)
#endif
#ifdef IPV6_MULTICAST_HOPS
    ENTRY(IPV6_MULTICAST_HOPS)
#endif
#ifdef IPV6_MULTICAST_LOOP
    ENTRY(IPV6_MULTICAST_LOOP)
#endif
#ifdef IPV6_UNICAST_HOPS
    ENTRY(IPV6_UNICAST_HOPS)
#endif
#ifdef MSG_PEEK
    ENTRY(MSG_PEEK)
#endif
#ifdef MSG_DONTWAIT
    ENTRY(MSG_DONTWAIT)
#endif
#ifdef MSG_OOB
    ENTRY(MSG_OOB)
#endif
#ifdef MSG_WAITALL
    ENTRY(MSG_WAITALL)
#endif
#ifdef MSG_TRUNC
    ENTRY(MSG_TRUNC)
#endif
#ifdef MSG_DONTROUTE
    ENTRY(MSG_DONTROUTE)
#endif
#ifdef MSG_NOSIGNAL
    ENTRY(MSG_NOSIGNAL)
#endif
#ifdef SHUT_RD
    ENTRY(SHUT_RD)
#endif
#ifdef SHUT_WR
    ENTRY(SHUT_WR)
#endif
#ifdef SHUT_RDWR
    ENTRY(SHUT_RDWR)
#endif
#ifdef AI_PASSIVE
    ENTRY(AI_PASSIVE)
#endif
#ifdef AI_CANONNAME
    ENTRY(AI_CANONNAME)
#endif
#ifdef AI_NUMERICHOST
    ENTRY(AI_NUMERICHOST)
#endif
#ifdef AI_NUMERICSERV
    ENTRY(AI_NUMERICSERV)
#endif
#ifdef AI_V4MAPPED
    ENTRY(AI_V4MAPPED)
#endif
#ifdef AI_ALL
    ENTRY(AI_ALL)
#endif
#ifdef AI_ADDRCONFIG
    ENTRY(AI_ADDRCONFIG)
#endif
#ifdef SOMAXCONN
    ENTRY(SOMAXCONN)
#endif
#ifdef INADDR_ANY
    ENTRY(INADDR_ANY)
#endif
#ifdef POLLIN
    ENTRY(POLLIN)
#endif
#ifdef POLLPRI
    ENTRY(POLLPRI)
#endif
#ifdef POLLOUT
    ENTRY(POLLOUT)
#endif
#ifdef POLLERR
    ENTRY(POLLERR)
#endif
#ifdef POLLHUP
    ENTRY(POLLHUP)
#endif
#ifdef POLLNVAL
    ENTRY(POLLNVAL)
#endif
#ifdef POLLRDNORM
    ENTRY(POLLRDNORM)
#endif
#ifdef POLLWRNORM
    ENTRY(POLLWRNORM)
#endif
};

static const struct named_int errno_constants[] = {
#ifdef EPERM
    ENTRY(EPERM)
#endif
#ifdef ENOENT
    ENTRY(ENOENT)
#endif
#ifdef ESRCH
    ENTRY(ESRCH)
#endif
#ifdef EINTR
    ENTRY(EINTR)
#endif
#ifdef EIO
    ENTRY(EIO)
#endif
#ifdef ENXIO
    ENTRY(ENXIO)
#endif
#ifdef E2BIG
    ENTRY(E2BIG)
#endif
#ifdef ENOEXEC
    ENTRY(ENOEXEC)
#endif
#ifdef EBADF
    ENTRY(EBADF)
#endif
#ifdef ECHILD
    ENTRY(ECHILD)
#endif
#ifdef EAGAIN
    ENTRY(EAGAIN)
#endif
#ifdef EWOULDBLOCK
    ENTRY(EWOULDBLOCK)
#endif
#ifdef ENOMEM
    ENTRY(ENOMEM)
#endif
#ifdef EACCES
    ENTRY(EACCES)
#endif
#ifdef EFAULT
    ENTRY(EFAULT)
#endif
#ifdef EBUSY
    ENTRY(EBUSY)
#endif
#ifdef EEXIST
    ENTRY(EEXIST)
#endif
#ifdef EXDEV
    ENTRY(EXDEV)
#endif
#ifdef ENODEV
    ENTRY(ENODEV)
#endif
#ifdef ENOTDIR
    ENTRY(ENOTDIR)
#endif
#ifdef EISDIR
    ENTRY(EISDIR)
#endif
#ifdef EINVAL
    ENTRY(EINVAL)
#endif
#ifdef ENFILE
    ENTRY(ENFILE)
#endif
#ifdef EMFILE
    ENTRY(EMFILE)
#endif
#ifdef ENOTTY
    ENTRY(ENOTTY)
#endif
#ifdef EFBIG
    ENTRY(EFBIG)
#endif
#ifdef ENOSPC
    ENTRY(ENOSPC)
#endif
#ifdef ESPIPE
    ENTRY(ESPIPE)
#endif
#ifdef EROFS
    ENTRY(EROFS)
#endif
#ifdef EMLINK
    ENTRY(EMLINK)
#endif
#ifdef EPIPE
    ENTRY(EPIPE)
#endif
#ifdef EDOM
    ENTRY(EDOM)
#endif
#ifdef ERANGE
    ENTRY(ERANGE)
#endif
#ifdef EDEADLK
    ENTRY(EDEADLK)
#endif
#ifdef ENAMETOOLONG
    ENTRY(ENAMETOOLONG)
#endif
#ifdef ENOLCK
    ENTRY(ENOLCK)
#endif
#ifdef ENOSYS
    ENTRY(ENOSYS)
#endif
#ifdef ENOTEMPTY
    ENTRY(ENOTEMPTY)
#endif
#ifdef ELOOP
    ENTRY(ELOOP)
#endif
#ifdef ENOMSG
    ENTRY(ENOMSG)
#endif
#ifdef EIDRM
    ENTRY(EIDRM)
#endif
#ifdef ENOSTR
    ENTRY(ENOSTR)
#endif
#ifdef ENODATA
    ENTRY(ENODATA)
#endif
#ifdef ETIME
    ENTRY(ETIME)
#endif
#ifdef ENOSR
    ENTRY(ENOSR)
#endif
#ifdef EREMOTE
    ENTRY(EREMOTE)
#endif
#ifdef ENOLINK
    ENTRY(ENOLINK)
#endif
#ifdef EPROTO
    ENTRY(EPROTO)
#endif
#ifdef EBADMSG
    ENTRY(EBADMSG)
#endif
#ifdef EOVERFLOW
    ENTRY(EOVERFLOW)
#endif
#ifdef EILSEQ
    ENTRY(EILSEQ)
#endif
#ifdef EUSERS
    ENTRY(EUSERS)
#endif
#ifdef ENOTSOCK
    ENTRY(ENOTSOCK)
#endif
#ifdef EDESTADDRREQ
    ENTRY(EDESTADDRREQ)
#endif
#ifdef EMSGSIZE
    ENTRY(EMSGSIZE)
#endif
#ifdef EPROTOTYPE
    ENTRY(EPROTOTYPE)
#endif
#ifdef ENOPROTOOPT
    ENTRY(ENOPROTOOPT)
#endif
#ifdef EPROTONOSUPPORT
    ENTRY(EPROTONOSUPPORT)
#endif
#ifdef ESOCKTNOSUPPORT
    ENTRY(ESOCKTNOSUPPORT)
#endif
#ifdef EOPNOTSUPP
    ENTRY(EOPNOTSUPP)
#endif
#ifdef ENOTSUP
    ENTRY(ENOTSUP)
#endif
#ifdef EPFNOSUPPORT
    ENTRY(EPFNOSUPPORT)
#endif
#ifdef EAFNOSUPPORT
    ENTRY(EAFNOSUPPORT)
#endif
#ifdef EADDRINUSE
    ENTRY(EADDRINUSE)
#endif
#ifdef EADDRNOTAVAIL
    ENTRY(EADDRNOTAVAIL)
#endif
#ifdef ENETDOWN
    ENTRY(ENETDOWN)
#endif
#ifdef ENETUNREACH
    ENTRY(ENETUNREACH)
#endif
#ifdef ENETRESET
    ENTRY(ENETRESET)
#endif
#ifdef ECONNABORTED
    ENTRY(ECONNABORTED)
#endif
#ifdef ECONNRESET
    ENTRY(ECONNRESET)
#endif
#ifdef ENOBUFS
    ENTRY(ENOBUFS)
#endif
#ifdef EISCONN
    ENTRY(EISCONN)
#endif
#ifdef ENOTCONN
    ENTRY(ENOTCONN)
#endif
#ifdef ESHUTDOWN
    ENTRY(ESHUTDOWN)
#endif
#ifdef ETOOMANYREFS
    ENTRY(ETOOMANYREFS)
#endif
#ifdef ETIMEDOUT
    ENTRY(ETIMEDOUT)
#endif
#ifdef ECONNREFUSED
    ENTRY(ECONNREFUSED)
#endif
#ifdef EHOSTDOWN
    ENTRY(EHOSTDOWN)
#endif
#ifdef EHOSTUNREACH
    ENTRY(EHOSTUNREACH)
#endif
#ifdef EALREADY
    ENTRY(EALREADY)
#endif
#ifdef EINPROGRESS
    ENTRY(EINPROGRESS)
#endif
#ifdef ESTALE
    ENTRY(ESTALE)
#endif
#ifdef EDQUOT
    ENTRY(EDQUOT)
#endif
#ifdef ECANCELED
    ENTRY(ECANCELED)
#endif
#ifdef EOWNERDEAD
    ENTRY(EOWNERDEAD)
#endif
#ifdef ENOTRECOVERABLE
    ENTRY(ENOTRECOVERABLE)
#endif
};

static const struct named_int resolver_constants[] = {
#ifdef EAI_ADDRFAMILY
    ENTRY(EAI_ADDRFAMILY)
#endif
#ifdef EAI_AGAIN
    ENTRY(EAI_AGAIN)
#endif
#ifdef EAI_BADFLAGS
    ENTRY(EAI_BADFLAGS)
#endif
#ifdef EAI_FAIL
    ENTRY(EAI_FAIL)
#endif
#ifdef EAI_FAMILY
    ENTRY(EAI_FAMILY)
#endif
#ifdef EAI_MEMORY
    ENTRY(EAI_MEMORY)
#endif
#ifdef EAI_NODATA
    ENTRY(EAI_NODATA)
#endif
#ifdef EAI_NONAME
    ENTRY(EAI_NONAME)
#endif
#ifdef EAI_SERVICE
    ENTRY(EAI_SERVICE)
#endif
#ifdef EAI_SOCKTYPE
    ENTRY(EAI_SOCKTYPE)
#endif
#ifdef EAI_SYSTEM
    ENTRY(EAI_SYSTEM)
#endif
#ifdef EAI_OVERFLOW
    ENTRY(EAI_OVERFLOW)
#endif
};
/* clang-format on */

static napi_value object_of(napi_env env, const struct named_int *table, size_t count, int negate) {
  napi_value object;
  NAPI_OK(napi_create_object(env, &object));
  for (size_t i = 0; i < count; i++) {
    int value = table[i].value;
    if (negate && value > 0) value = -value; /* EAI_* are negative numbers to JavaScript */
    NAPI_OK(napi_set_named_property(env, object, table[i].name, make_int(env, value)));
  }
  return object;
}

#define COUNT(table) (sizeof table / sizeof table[0])

void register_constants(napi_env env, napi_value exports) {
  napi_value value;
  if ((value = object_of(env, socket_constants, COUNT(socket_constants), 0)) != NULL)
    napi_set_named_property(env, exports, "constants", value);
  if ((value = object_of(env, errno_constants, COUNT(errno_constants), 0)) != NULL)
    napi_set_named_property(env, exports, "errno", value);
  if ((value = object_of(env, resolver_constants, COUNT(resolver_constants), 1)) != NULL)
    napi_set_named_property(env, exports, "resolverErrors", value);
}
