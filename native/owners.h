/* The descriptor-ownership table (owners.c): which socket owns each number, known by the
 * number and the generation of its claim, and the readiness watcher it made. */
#ifndef USOCKET_OWNERS_H
#define USOCKET_OWNERS_H

#include <stddef.h>
#include <stdint.h>
#include <node_api.h>

struct watcher;

/* Records a new owner of `fd` in `env`, its generation to *gen. A number the system has
 * just handed out (`fresh`) takes over from a stale owner; a number the program hands over
 * that a socket owns is refused. Returns 0 or a positive errno (EEXIST, ENOMEM). */
int owners_claim(napi_env env, int fd, int fresh, int32_t *gen);

/* Ends the ownership of (fd, gen) in `env`: 1 when it still owned the number (the caller
 * closes it), else 0. Its watcher, unlinked, to *watcher, and its tracking reference to
 * *self (NULL when none; the caller deletes it). */
int owners_release(napi_env env, int32_t fd, int32_t gen, struct watcher **watcher, napi_ref *self);

/* Where a FinalizationRegistry cannot be drained synchronously (V8 without cleanupSome):
 * records a weak reference to the socket object of (fd, gen), so that a collection under
 * descriptor pressure can find the sockets the program forgot. 0, or EBADF when the claim
 * owns nothing (the caller deletes the reference). */
int owners_track(napi_env env, int32_t fd, int32_t gen, napi_ref self);

/* Ends the ownership of `env`'s tracked sockets whose objects the collector has found
 * unreachable, at most `capacity` of them, into `out`: how many. The caller detaches the
 * watchers, deletes the references and closes the numbers. */
struct owners_released {
  int fd;
  struct watcher *watcher;
  napi_ref self;
};
size_t owners_release_unreachable(napi_env env, struct owners_released *out, size_t capacity);

/* The watcher of (fd, gen), NULL when it has none: 0, or EBADF when it owns nothing. */
int owners_watcher(napi_env env, int32_t fd, int32_t gen, struct watcher **watcher);

/* Links a new watcher to (fd, gen): 0, or EBADF when it owns nothing any more. */
int owners_attach_watcher(napi_env env, int32_t fd, int32_t gen, struct watcher *watcher);

/* Unlinks `watcher` from number `fd` if it is still linked there. */
void owners_forget_watcher(int fd, const struct watcher *watcher);

/* Makes `env`'s teardown close every number it still owns: 0, or -1. */
int owners_watch_environment(napi_env env);

/* Stops and frees a watcher (readiness.c); its environment's thread only. */
void watcher_detach(struct watcher *watcher);

#endif
