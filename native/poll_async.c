/* Poll.pollAsync: poll(2) over a copy of a select.Poll's pollfd array, on a thread of its
 * own, so the event loop never blocks. The array carries one more entry, the read end of a
 * pipe that belongs to this call: an abort, or the environment shutting down, writes to it
 * and poll(2) returns at once.
 *
 * Why a thread per call and not the libuv thread pool: a poll can wait for ever, and the
 * pool has four threads shared by the whole process (fs, dns, zlib, getaddrinfoAsync);
 * a few pending polls would starve it, and a pool thread stuck in poll(2) makes
 * process.exit() wait for it. A detached thread holds nothing the process waits for.
 *
 * The main thread learns of the result through a uv_async_t on the loop of the environment
 * that made the call (main thread or Worker); while it is open the loop stays alive. If
 * that environment exits first, an async cleanup hook wakes the thread and holds the
 * environment's teardown until the handle is closed, so a Worker neither hangs nor frees
 * memory the thread still uses. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "args.h"
#include "platform.h"
#include "register.h"
#include "poll_async.h"
#include "wait.h"

struct poll_job {
  uv_async_t done; /* sent by the thread once poll(2) returned */
  napi_env env;
  napi_ref callback; /* NULL once released */
  napi_async_context context;
  napi_async_cleanup_hook_handle hook;
  struct pollfd *fds; /* count entries from JavaScript, then the pipe's read end */
  nfds_t count;
  int timeout_ms;
  int wake[2]; /* -1 once closed */
  int result; /* written by the thread: ready entries or -errno */
  int settled; /* on_done ran: the thread is finished with the job */
  int tearing_down;
  int owners; /* the open uv handle, and the JavaScript external */
  uint8_t *closed; /* per entry: its descriptor was closed while the thread waited */
  struct poll_job *prev, *next; /* in `polling` while the thread waits */
};

/* The jobs whose thread is in poll(2), process-wide: a descriptor closed by any socket of
 * any thread must wake the polls that hold it (poll(2) keeps the open file alive until it
 * returns, so the close would neither send a FIN nor be noticed). */
static pthread_mutex_t polling_lock = PTHREAD_MUTEX_INITIALIZER;
static struct poll_job *polling;
static volatile int polling_count;

static void polling_add(struct poll_job *job) {
  pthread_mutex_lock(&polling_lock);
  job->prev = NULL;
  job->next = polling;
  if (polling != NULL) polling->prev = job;
  polling = job;
  polling_count++;
  pthread_mutex_unlock(&polling_lock);
}

static void polling_remove(struct poll_job *job) {
  pthread_mutex_lock(&polling_lock);
  if (job->prev != NULL)
    job->prev->next = job->next;
  else
    polling = job->next;
  if (job->next != NULL) job->next->prev = job->prev;
  polling_count--;
  pthread_mutex_unlock(&polling_lock);
}

void poll_async_closing(int fd) {
  if (polling_count == 0) return; /* the common close: no poll anywhere */
  pthread_mutex_lock(&polling_lock);
  for (struct poll_job *job = polling; job != NULL; job = job->next) {
    int hit = 0;
    for (nfds_t i = 0; i < job->count; i++) {
      if (job->fds[i].fd == fd) {
        job->closed[i] = 1;
        hit = 1;
      }
    }
    if (hit) {
      /* The pipe stays open while the job is listed (it is closed after on_done). */
      ssize_t rc;
      do rc = write(job->wake[1], "", 1);
      while (rc < 0 && errno == EINTR);
    }
  }
  pthread_mutex_unlock(&polling_lock);
}

/* Marks the externals this file hands out, so that no other external passes for a job. */
static const napi_type_tag JOB_TAG = {0x7573736f636b6574ULL, 0x706f6c6c4a6f6221ULL};

static void job_release(struct poll_job *job) {
  if (--job->owners > 0) return;
  free(job->fds);
  free(job->closed);
  free(job);
}

/* Releases what belongs to the JavaScript side; safe to call twice. */
static void release_references(struct poll_job *job) {
  if (job->callback == NULL) return;
  napi_delete_reference(job->env, job->callback);
  job->callback = NULL;
  napi_async_destroy(job->env, job->context);
}

static void on_closed(uv_handle_t *handle) {
  struct poll_job *job = handle->data;
  for (int i = 0; i < 2; i++) {
    if (job->wake[i] >= 0) close(job->wake[i]);
    job->wake[i] = -1;
  }
  /* During teardown this also tells Node that the cleanup hook has finished. */
  if (job->hook != NULL) napi_remove_async_cleanup_hook(job->hook);
  job->hook = NULL;
  job_release(job);
}

static void wake(struct poll_job *job) {
  if (job->settled || job->wake[1] < 0) return;
  ssize_t rc;
  do rc = write(job->wake[1], "", 1);
  while (rc < 0 && errno == EINTR);
  /* EAGAIN: the pipe is full, so the thread is awake already. */
}

static void call_back(struct poll_job *job) {
  napi_env env = job->env;
  napi_handle_scope scope;
  napi_value callback, receiver, argv[2], result;
  int rc = job->result;
  /* The wake-up entry is not the caller's: leave it out of the count. */
  if (rc > 0 && job->fds[job->count].revents != 0) rc--;
  /* A descriptor closed during the wait is reported as poll(2) reports a closed one. */
  if (rc >= 0) {
    for (nfds_t i = 0; i < job->count; i++) {
      if (!job->closed[i]) continue;
      if (job->fds[i].revents == 0) rc++;
      job->fds[i].revents = POLLNVAL;
    }
  }
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, job->callback, &callback) == napi_ok &&
      napi_get_global(env, &receiver) == napi_ok && napi_create_int32(env, rc, &argv[0]) == napi_ok) {
    napi_status status;
    if (rc > 0) {
      void *copy;
      status = napi_create_buffer_copy(env, job->count * sizeof(struct pollfd), job->fds, &copy, &argv[1]);
    } else {
      status = napi_get_null(env, &argv[1]);
    }
    if (status == napi_ok &&
        napi_make_callback(env, job->context, receiver, callback, 2, argv, &result) == napi_pending_exception) {
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_done(uv_async_t *handle) {
  struct poll_job *job = handle->data;
  if (job->settled) return;
  job->settled = 1;
  if (!job->tearing_down) call_back(job);
  release_references(job);
  uv_close((uv_handle_t *)&job->done, on_closed);
}

static void *run(void *data) {
  struct poll_job *job = data;
  int rc = poll_until(job->fds, job->count + 1, job->timeout_ms, 0);
  job->result = rc < 0 ? -errno : rc;
  polling_remove(job);
  /* The last touch of the job from this thread: after it the main thread may free it. */
  uv_async_send(&job->done);
  return NULL;
}

static void on_environment_exit(napi_async_cleanup_hook_handle hook, void *data) {
  (void)hook;
  struct poll_job *job = data;
  job->tearing_down = 1;
  release_references(job);
  wake(job);
}

static void on_external_collected(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  job_release(data);
}

static int start_thread(struct poll_job *job) {
  pthread_attr_t attr;
  pthread_t thread;
  sigset_t all, old;
  size_t stack = 256 * 1024;
  if (stack < (size_t)PTHREAD_STACK_MIN) stack = (size_t)PTHREAD_STACK_MIN;
  int err = pthread_attr_init(&attr);
  if (err != 0) return err;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, stack);
  /* Signals are for the threads Node runs; this one inherits a mask that blocks them all. */
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  err = pthread_create(&thread, &attr, run, job);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  return err;
}

/* pollAsync(pollfds, count, timeoutMs, done) → job (an external) or -errno. Copies the first
 * `count` pollfds; done(rc, pollfdsWithRevents | null) runs once on this thread, unless the
 * environment is exiting. */
static napi_value poll_async_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  uint8_t *data;
  size_t size;
  int32_t count, timeout_ms;
  napi_valuetype type;
  napi_value name, external;
  uv_loop_t *loop;
  if (arg_bytes(env, argv[0], &data, &size) < 0 || arg_int32(env, argv[1], &count) < 0 ||
      arg_int32(env, argv[2], &timeout_ms) < 0)
    return NULL;
  if (count < 0 || (size_t)count > size / sizeof(struct pollfd)) {
    napi_throw_range_error(env, NULL, "usocket core: pollfd array too short");
    return NULL;
  }
  if (napi_typeof(env, argv[3], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "usocket core: expected a callback");
    return NULL;
  }
  NAPI_OK(napi_get_uv_event_loop(env, &loop));
  NAPI_OK(napi_create_string_latin1(env, "usocket:pollAsync", NAPI_AUTO_LENGTH, &name));

  struct poll_job *job = calloc(1, sizeof *job);
  struct pollfd *fds = malloc(((size_t)count + 1) * sizeof *fds);
  uint8_t *closed = calloc((size_t)count + 1, 1);
  if (job == NULL || fds == NULL || closed == NULL) {
    free(job);
    free(fds);
    free(closed);
    return make_errno(env, ENOMEM);
  }
  job->closed = closed;
  if (count > 0) memcpy(fds, data, (size_t)count * sizeof *fds);
  if (platform_pipe(job->wake) < 0) {
    int err = errno;
    free(closed);
    free(job);
    free(fds);
    return make_errno(env, err);
  }
  fds[count].fd = job->wake[0];
  fds[count].events = POLLIN;
  fds[count].revents = 0;
  job->fds = fds;
  job->count = (nfds_t)count;
  job->timeout_ms = timeout_ms;
  job->env = env;
  job->done.data = job;
  job->owners = 1;
  if (napi_create_reference(env, argv[3], 1, &job->callback) != napi_ok) goto undo;
  if (napi_async_init(env, argv[3], name, &job->context) != napi_ok) {
    napi_delete_reference(env, job->callback);
    job->callback = NULL;
    goto undo;
  }
  if (uv_async_init(loop, &job->done, on_done) != 0) {
    release_references(job);
    goto undo;
  }
  /* From here the job ends through on_done → on_closed, which owns the release. */
  if (napi_add_async_cleanup_hook(env, on_environment_exit, job, &job->hook) != napi_ok) job->hook = NULL;
  if (napi_create_external(env, job, on_external_collected, NULL, &external) == napi_ok) {
    job->owners++;
    if (napi_type_tag_object(env, external, &JOB_TAG) != napi_ok) external = NULL;
  } else {
    external = NULL;
  }
  int err = ENOMEM;
  if (job->hook != NULL && external != NULL) {
    polling_add(job);
    err = start_thread(job);
    if (err != 0) polling_remove(job);
  }
  if (err != 0) {
    job->settled = 1;
    release_references(job);
    uv_close((uv_handle_t *)&job->done, on_closed);
    return make_errno(env, err);
  }
  return external;

undo:
  close(job->wake[0]);
  close(job->wake[1]);
  free(fds);
  free(closed);
  free(job);
  return NULL;
}

/* pollAsyncAbort(job): wakes the thread, whose callback then runs soon; a no-op once done. */
static napi_value poll_async_abort_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  void *data = NULL;
  napi_valuetype type;
  bool tagged = false;
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, argv[0], &JOB_TAG, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "usocket core: expected a pollAsync job");
    return NULL;
  }
  wake(data);
  return NULL;
}

void register_poll_async(napi_env env, napi_value exports) {
  static const struct export_entry entries[] = {
      {"pollAsync", poll_async_js},
      {"pollAsyncAbort", poll_async_abort_js},
  };
  register_functions(env, exports, entries, sizeof entries / sizeof entries[0]);
}
