/* Which socket owns each descriptor number, process-wide (Workers share the numbers):
 * two sockets owning one number would both close it, the second time closing whatever
 * the number names by then. A socket is known here by its number and the generation its
 * claim was given, not by a native object of its own: making, tracking and finalizing
 * one external per socket cost more than the socket's system calls in user space. The
 * JavaScript side protects a forgotten socket with a FinalizationRegistry that hands the
 * (number, generation) pair back to close(); an environment that goes away closes what it
 * still owns here. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "owners.h"

struct slot {
  napi_env env; /* the owner's environment; NULL when nobody owns the number */
  int32_t gen; /* the owner's generation: 1 .. GEN_LIMIT - 1 */
  struct watcher *watcher; /* the owner's readiness watcher (readiness.c), if it made one */
  napi_ref self; /* weak, to the owner's object: only where it is tracked (owners_track) */
};

/* Generations stay below 2^22 so that JavaScript can pack (fd, gen) exactly into one
 * number (gen * 2^31 + fd < 2^53). A number reused 2^22 - 1 times wraps to 1 again. */
#define GEN_LIMIT (1 << 22)

/* The table's lock: a spin lock rather than a mutex. It is held for a few loads and stores
 * (a rare realloc, and the pressure path's walk on V8 without cleanupSome), and taken twice
 * per socket, uncontended unless Workers make sockets at the same moment: an exchange and a
 * store where pthread_mutex_lock and unlock cost ≈ 110 instructions a socket. A waiter that
 * finds it taken yields, so a holder preempted on the same core still gets to run. */
static int lock_word;

static void lock(void) {
  while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE) != 0) {
    while (__atomic_load_n(&lock_word, __ATOMIC_RELAXED) != 0) sched_yield();
  }
}

static void unlock(void) {
  __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

static struct slot *slots; /* indexed by number; grown on demand, only under the lock */
static size_t slots_size;

/* The slot (fd, gen) owns in `env`, or NULL. Under the lock. */
static struct slot *owned(napi_env env, int32_t fd, int32_t gen) {
  if (fd < 0 || (size_t)fd >= slots_size) return NULL;
  struct slot *slot = &slots[fd];
  return slot->env == env && slot->gen == gen ? slot : NULL;
}

int owners_claim(napi_env env, int fd, int fresh, int32_t *gen) {
  int err = 0;
  lock();
  if ((size_t)fd >= slots_size) {
    size_t size = slots_size < 64 ? 64 : slots_size;
    while (size <= (size_t)fd) size *= 2;
    struct slot *grown = realloc(slots, size * sizeof *grown);
    if (grown == NULL) {
      err = ENOMEM;
    } else {
      memset(grown + slots_size, 0, (size - slots_size) * sizeof *grown);
      slots = grown;
      slots_size = size;
    }
  }
  if (err == 0) {
    struct slot *slot = &slots[fd];
    if (slot->env != NULL && !fresh) {
      err = EEXIST;
    } else {
      /* A number the system has just handed out cannot be open through another socket:
       * one still recorded lost it to a close made behind its back. Its watcher, if any,
       * stays with it (it belongs to that socket's environment) and goes when it does. */
      slot->env = env;
      slot->watcher = NULL;
      slot->self = NULL; /* a stale owner's reference stays with its environment */
      slot->gen = slot->gen + 1 < GEN_LIMIT ? slot->gen + 1 : 1;
      *gen = slot->gen;
    }
  }
  unlock();
  return err;
}

int owners_release(napi_env env, int32_t fd, int32_t gen, struct watcher **watcher, napi_ref *self) {
  lock();
  struct slot *slot = owned(env, fd, gen);
  *watcher = slot == NULL ? NULL : slot->watcher;
  *self = slot == NULL ? NULL : slot->self;
  if (slot != NULL) {
    slot->env = NULL;
    slot->watcher = NULL;
    slot->self = NULL;
  }
  unlock();
  return slot != NULL;
}

int owners_track(napi_env env, int32_t fd, int32_t gen, napi_ref self) {
  lock();
  struct slot *slot = owned(env, fd, gen);
  if (slot != NULL) slot->self = self;
  unlock();
  return slot == NULL ? EBADF : 0;
}

size_t owners_release_unreachable(napi_env env, struct owners_released *out, size_t capacity) {
  size_t count = 0;
  lock();
  for (size_t fd = 0; fd < slots_size && count < capacity; fd++) {
    struct slot *slot = &slots[fd];
    napi_value value = NULL;
    if (slot->env != env || slot->self == NULL || napi_get_reference_value(env, slot->self, &value) != napi_ok ||
        value != NULL)
      continue;
    out[count].fd = (int)fd;
    out[count].watcher = slot->watcher;
    out[count].self = slot->self;
    count++;
    slot->env = NULL;
    slot->watcher = NULL;
    slot->self = NULL;
  }
  unlock();
  return count;
}

int owners_watcher(napi_env env, int32_t fd, int32_t gen, struct watcher **watcher) {
  lock();
  struct slot *slot = owned(env, fd, gen);
  *watcher = slot == NULL ? NULL : slot->watcher;
  unlock();
  return slot == NULL ? EBADF : 0;
}

int owners_attach_watcher(napi_env env, int32_t fd, int32_t gen, struct watcher *watcher) {
  lock();
  struct slot *slot = owned(env, fd, gen);
  if (slot != NULL) slot->watcher = watcher;
  unlock();
  return slot == NULL ? EBADF : 0;
}

void owners_forget_watcher(int fd, const struct watcher *watcher) {
  lock();
  if (fd >= 0 && (size_t)fd < slots_size && slots[fd].watcher == watcher) slots[fd].watcher = NULL;
  unlock();
}

/* The environment goes away (a Worker ends, or the process exits): its sockets will never
 * be closed or collected by JavaScript any more, so their numbers are closed here. No
 * pollAsync is woken for them: that would call back into JavaScript that is exiting (the
 * environment's own cleanup ends its polls). */
static void close_environment(void *data) {
  napi_env env = data;
  /* One number at a time, so that the lock is never held across close(2). */
  for (size_t next = 0;;) {
    int fd = -1;
    struct watcher *watcher = NULL;
    lock();
    for (; next < slots_size; next++) {
      if (slots[next].env != env) continue;
      fd = (int)next;
      watcher = slots[next].watcher;
      slots[next].env = NULL;
      slots[next].watcher = NULL;
      slots[next].self = NULL; /* the environment's references go with it */
      break;
    }
    unlock();
    if (fd < 0) return;
    if (watcher != NULL) watcher_detach(watcher);
    close(fd);
  }
}

int owners_watch_environment(napi_env env) {
  return napi_add_env_cleanup_hook(env, close_environment, env) == napi_ok ? 0 : -1;
}
