/* Readiness for the Promise API: one libuv poll handle per awaited socket, on the loop
 * of the environment (main thread or Worker) that loaded the addon. The synchronous
 * path never comes here. A watcher is referenced (keeps the loop alive) only while a call
 * waits, so an idle socket never holds the process open.
 *
 * The reference state is shared with JavaScript through three int32 slots (an Int32Array
 * the Promise layer hands over when the watcher is created): a copy of the watcher's
 * state, whether its callback is running, and the state JavaScript wants. While the
 * callback runs (the caller's continuations included: they run in its microtask
 * checkpoint), JavaScript only writes what it wants and the callback applies it when
 * JavaScript returns; a ping-pong that waits again from inside the callback costs no
 * call into the core. Outside the callback JavaScript asks with watchRef. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <uv.h>

#include "args.h"
#include "owners.h"
#include "platform.h"
#include "register.h"

struct env_state;

struct watcher {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int fd; /* the number it watches, linked to its owner in owners.c; -1 once detached */
  struct env_state *state;
  int referenced; /* keeps the loop alive and its callback strongly (see set_referenced) */
  napi_ref slots_ref; /* the shared Int32Array (strong while the watcher lives) */
  int32_t *slots; /* its elements: SLOT_REFERENCED (a copy), SLOT_IN_CALLBACK, SLOT_WANT */
  struct watcher *prev, *next;
};

/* The shared slots (src/promises.ts names them alike). */
enum { SLOT_REFERENCED, SLOT_IN_CALLBACK, SLOT_WANT, SLOT_COUNT };

/* Per environment: the live watchers, so a Worker that exits closes them all. */
struct env_state {
  uv_loop_t *loop;
  struct watcher *head;
  size_t allocated; /* watchers not yet freed (including those closing) */
  int tearing_down;
  napi_async_cleanup_hook_handle hook;
};

static void teardown_finished(struct env_state *state) {
  napi_remove_async_cleanup_hook(state->hook);
  free(state);
}

static void on_closed(uv_handle_t *poll) {
  struct watcher *w = poll->data;
  struct env_state *state = w->state;
  free(w);
  state->allocated--;
  if (state->tearing_down && state->allocated == 0) teardown_finished(state);
}

void watcher_detach(struct watcher *w) {
  owners_forget_watcher(w->fd, w);
  w->fd = -1; /* detached: its memory stays until the poll handle's close callback */
  uv_poll_stop(&w->poll);
  if (w->prev)
    w->prev->next = w->next;
  else
    w->state->head = w->next;
  if (w->next) w->next->prev = w->prev;
  napi_delete_reference(w->env, w->callback);
  napi_delete_reference(w->env, w->slots_ref);
  w->slots = NULL;
  napi_async_destroy(w->env, w->context);
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

/* References the watcher (it keeps the loop alive and its callback strongly) or not. */
static void set_referenced(struct watcher *w, int on) {
  uint32_t count;
  if (on == w->referenced) return;
  if (on) {
    uv_ref((uv_handle_t *)&w->poll);
    napi_reference_ref(w->env, w->callback, &count);
  } else {
    uv_unref((uv_handle_t *)&w->poll);
    napi_reference_unref(w->env, w->callback, &count);
  }
  w->referenced = on;
  w->slots[SLOT_REFERENCED] = on;
}

static void on_environment_exit(napi_async_cleanup_hook_handle hook, void *data) {
  (void)hook;
  struct env_state *state = data;
  state->tearing_down = 1;
  while (state->head) watcher_detach(state->head);
  if (state->allocated == 0) teardown_finished(state);
}

static struct env_state *env_state_of(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) == napi_ok && data != NULL) return data;
  struct env_state *state = calloc(1, sizeof *state);
  if (state == NULL) return NULL;
  if (napi_get_uv_event_loop(env, &state->loop) != napi_ok ||
      napi_add_async_cleanup_hook(env, on_environment_exit, state, &state->hook) != napi_ok ||
      napi_set_instance_data(env, state, NULL, NULL) != napi_ok) {
    free(state);
    return NULL;
  }
  return state;
}

static void on_poll(uv_poll_t *poll, int status, int events) {
  struct watcher *w = poll->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value callback, receiver, argv[1], result;
  /* One argument: libuv's error status (POLLERR is UV_EBADF), else the poll events. */
  int code = status < 0 ? status : ((events & UV_READABLE) ? POLLIN : 0) | ((events & UV_WRITABLE) ? POLLOUT : 0);
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, w->callback, &callback) != napi_ok || callback == NULL) {
    /* Idle (weak) and its socket was collected: nobody can wait any more. (The receiver
     * below is an object: napi_make_callback converts it with ToObject.) */
    uv_poll_stop(poll);
  } else if (napi_get_global(env, &receiver) == napi_ok && napi_create_int32(env, code, &argv[0]) == napi_ok) {
    w->slots[SLOT_WANT] = w->referenced;
    w->slots[SLOT_IN_CALLBACK] = 1;
    napi_status called = napi_make_callback(env, w->context, receiver, callback, 1, argv, &result);
    /* The socket may have been closed meanwhile: detached (fd -1), the watcher's memory
     * stays until the poll handle's close callback, later in this loop iteration. */
    if (w->fd >= 0) {
      w->slots[SLOT_IN_CALLBACK] = 0;
      set_referenced(w, w->slots[SLOT_WANT] != 0);
    }
    if (called == napi_pending_exception) {
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

/* Returns the new watcher, or NULL with *err set to the positive errno that prevented it
 * (ENOMEM when memory or a Node-API call failed). */
static struct watcher *watcher_create(
    napi_env env, int32_t fd, int32_t gen, napi_value callback, napi_value slots, int32_t *slots_data, int *err) {
  struct env_state *state = env_state_of(env);
  napi_value resource, name;
  *err = ENOMEM;
  if (state == NULL) return NULL;
  struct watcher *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  /* uv_poll_init sets O_NONBLOCK, but the descriptor's mode belongs to the socket's
   * timeout (a blocking socket's synchronous calls must block): put it back. The watcher
   * only learns readiness from it, so it does not care. */
  int flags = fcntl(fd, F_GETFL);
  int rc = flags < 0 ? -errno : uv_poll_init(state->loop, &w->poll, fd);
  if (rc != 0) {
    free(w);
    *err = -rc; /* libuv errors are -errno on Unix */
    return NULL;
  }
  if (!(flags & O_NONBLOCK)) platform_set_nonblocking(fd, 0);
  w->poll.data = w;
  w->env = env;
  w->fd = fd;
  w->state = state;
  w->referenced = 1; /* a poll handle starts referenced */
  state->allocated++;
  if (napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_latin1(env, "usocket:readiness", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, resource, name, &w->context) != napi_ok ||
      napi_create_reference(env, slots, 1, &w->slots_ref) != napi_ok ||
      napi_create_reference(env, callback, 1, &w->callback) != napi_ok) {
    /* Not yet linked: close the poll handle alone. */
    if (w->slots_ref) napi_delete_reference(env, w->slots_ref);
    if (w->context) napi_async_destroy(env, w->context);
    uv_close((uv_handle_t *)&w->poll, on_closed);
    return NULL;
  }
  /* An ArrayBuffer's memory does not move, and the reference keeps it alive. */
  w->slots = slots_data;
  w->slots[SLOT_REFERENCED] = 1;
  w->slots[SLOT_IN_CALLBACK] = 0;
  w->slots[SLOT_WANT] = 1;
  w->next = state->head;
  if (state->head) state->head->prev = w;
  state->head = w;
  if (owners_attach_watcher(env, fd, gen, w) != 0) {
    /* Only another thread taking the number over can get here. */
    watcher_detach(w);
    *err = EBADF;
    return NULL;
  }
  return w;
}

/* watch(fd, gen, events, callback, slots) → 0 or -errno. Asks for callback(code) when the
 * socket becomes ready for `events` (POLLIN and/or POLLOUT): code is the events reported,
 * or libuv's negative error status. events 0 stops watching. The callback and the slots
 * (an Int32Array of at least SLOT_COUNT) of the first call are kept for the life of the
 * watcher, which starts referenced. The watcher stays armed until it is changed:
 * level-triggered, like poll(2). */
static napi_value watch_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd, gen, events;
  struct watcher *w;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &gen) < 0 || arg_int32(env, argv[2], &events) < 0)
    return NULL;
  if (owners_watcher(env, fd, gen, &w) != 0) return make_errno(env, EBADF);
  if (events == 0) {
    if (w) uv_poll_stop(&w->poll);
    return make_int(env, 0);
  }
  if (w == NULL) {
    napi_valuetype type;
    size_t slots_length;
    int32_t *slots_data;
    if (napi_typeof(env, argv[3], &type) != napi_ok || type != napi_function) {
      napi_throw_type_error(env, NULL, "usocket core: expected a callback");
      return NULL;
    }
    if (arg_int32_array(env, argv[4], SLOT_COUNT, &slots_data, &slots_length) < 0) return NULL;
    int err;
    w = watcher_create(env, fd, gen, argv[3], argv[4], slots_data, &err);
    if (w == NULL) return make_errno(env, err);
  }
  int uv_events = ((events & POLLIN) ? UV_READABLE : 0) | ((events & POLLOUT) ? UV_WRITABLE : 0);
  int rc = uv_poll_start(&w->poll, uv_events, on_poll);
  return make_int(env, rc < 0 ? rc : 0); /* libuv errors are -errno on Unix */
}

/* watchRef(fd, gen, on) → 0. Whether the watcher keeps the event loop alive and holds its
 * callback strongly: on while a call is waiting, off while the socket is idle, so that an
 * idle socket neither keeps the process running nor its own object from being collected
 * (the callback refers to the socket). An idle watcher may stay armed; if it fires after
 * its callback was collected it stops itself. No watcher yet: nothing to do. */
static napi_value watch_ref_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd, gen;
  bool on;
  struct watcher *w;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &gen) < 0) return NULL;
  if (napi_get_value_bool(env, argv[2], &on) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket core: expected a boolean");
    return NULL;
  }
  if (owners_watcher(env, fd, gen, &w) != 0 || w == NULL) return make_int(env, 0);
  set_referenced(w, on);
  return make_int(env, 0);
}

void register_readiness(napi_env env, napi_value exports) {
  static const struct export_entry entries[] = {
      {"watch", watch_js},
      {"watchRef", watch_ref_js},
  };
  register_functions(env, exports, entries, sizeof entries / sizeof entries[0]);
}
