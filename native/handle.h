/* The native side of one Socket: the descriptor, and the readiness watcher the Promise
 * API uses. The JavaScript object holds it as an external whose finalizer closes a
 * descriptor the program forgot, exactly once. */
#ifndef USOCKET_HANDLE_H
#define USOCKET_HANDLE_H

#include <node_api.h>

struct watcher;

typedef struct usock_handle {
  int fd; /* -1 once closed */
  struct watcher *watcher; /* owned by readiness.c; NULL when the socket was never awaited */
  napi_env env; /* where the external lives */
  napi_ref self; /* weak, to the external: empty once it was collected (NULL once closed) */
} usock_handle;

/* Returns the handle behind an external, or NULL with a TypeError pending. */
usock_handle *handle_from_value(napi_env env, napi_value value);

/* Stops and releases a handle's watcher (readiness.c); safe when there is none. */
void watcher_detach(usock_handle *handle);

#endif
