/* Socket addresses between C and JavaScript. A sockaddr travels to the core as the
 * exact bytes of a `struct sockaddr_*` (built once by `packAddress`), and comes back
 * as the tuple forms of docs/behaviour.md §2. */
#ifndef USOCKET_ADDRESSES_H
#define USOCKET_ADDRESSES_H

#include <sys/socket.h>
#include <node_api.h>

/* Copies a packed address from a JavaScript byte view; 0, or -1 with an exception pending. */
int sockaddr_from_value(napi_env env, napi_value value, struct sockaddr_storage *out, socklen_t *len);

/* The tuple form of an address: [host, port] for IPv4, [host, port, flowinfo, scopeid]
 * for IPv6, a path string for AF_UNIX ("" when unnamed; a Buffer when the name is not
 * UTF-8), null for other families. */
napi_value sockaddr_to_value(napi_env env, const struct sockaddr *addr, socklen_t len);

#include <netdb.h>

/* The array of 5-tuples [family, type, proto, canonname, sockaddr] for a resolver list. */
napi_value getaddrinfo_results(napi_env env, const struct addrinfo *list);

/* A resolver query read from JavaScript (host|null, service|null, family, type, proto,
 * flags): the strings live in the struct, so it can travel to another thread. */
struct resolver_query {
  char host_buf[1025], service_buf[64];
  char *host, *service; /* NULL, or pointing into the buffers above */
  struct addrinfo hints;
};

/* Reads argv[0..5] into `query`. Returns 0; a negative EAI_* code (EAI_NONAME or EAI_SERVICE,
 * never -1) for text the resolver cannot take (too long, an embedded NUL); or -1 with a
 * TypeError pending. */
int resolver_arguments(napi_env env, const napi_value *argv, struct resolver_query *query);

/* What a failed getaddrinfo returns to JavaScript: the negative EAI_* code, or for
 * EAI_SYSTEM the positive errno the resolver left (`saved_errno`). */
int resolver_error(int rc, int saved_errno);

#endif
