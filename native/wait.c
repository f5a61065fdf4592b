/* The wait primitive of the synchronous path: poll(2) on one descriptor, or on the array
 * of a select.Poll, with a timeout that is one deadline across EINTR retries. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <time.h>

#include "args.h"
#include "interrupt.h"
#include "register.h"
#include "wait.h"

/* TypeScript lays out the pollfd array itself; this is the layout it assumes. */
_Static_assert(sizeof(struct pollfd) == 8, "struct pollfd is 8 bytes");
_Static_assert(offsetof(struct pollfd, fd) == 0, "pollfd.fd at 0");
_Static_assert(offsetof(struct pollfd, events) == 4, "pollfd.events at 4");
_Static_assert(offsetof(struct pollfd, revents) == 6, "pollfd.revents at 6");

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int poll_until(struct pollfd *fds, nfds_t count, int timeout_ms, int interruptible) {
  int64_t deadline = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;
  if (interruptible && timeout_ms != 0 && interrupt_pending()) return interrupt_take();
  for (;;) {
    int rc = poll(fds, count, timeout_ms);
    if (rc >= 0 || errno != EINTR) return rc;
    if (interruptible && interrupt_pending()) return interrupt_take();
    if (timeout_ms > 0) {
      int64_t left = deadline - now_ms();
      timeout_ms = left > 0 ? (int)left : 0;
    }
  }
}

/* wait(fd, events, timeoutMs) → revents (0 when the time ran out) or -errno. */
static napi_value wait_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd, events, timeout_ms;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &events) < 0 ||
      arg_int32(env, argv[2], &timeout_ms) < 0)
    return NULL;
  struct pollfd p = {.fd = fd, .events = (short)events, .revents = 0};
  int rc = poll_until(&p, 1, timeout_ms, 1);
  if (rc < 0) return make_errno(env, errno);
  return make_int(env, rc == 0 ? 0 : p.revents);
}

/* poll(pollfdBytes, count, timeoutMs) → number of ready entries or -errno; revents are
 * written into the caller's array, which must hold `count` entries. */
static napi_value poll_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  uint8_t *data;
  size_t size;
  int32_t count, timeout_ms;
  if (arg_bytes(env, argv[0], &data, &size) < 0 || arg_int32(env, argv[1], &count) < 0 ||
      arg_int32(env, argv[2], &timeout_ms) < 0)
    return NULL;
  if (count < 0 || (size_t)count > size / sizeof(struct pollfd) || ((uintptr_t)data % _Alignof(struct pollfd)) != 0) {
    napi_throw_range_error(env, NULL, "usocket core: pollfd array too short or misaligned");
    return NULL;
  }
  int rc = poll_until((struct pollfd *)(void *)data, (nfds_t)count, timeout_ms, 1);
  return rc < 0 ? make_errno(env, errno) : make_int(env, rc);
}

void register_wait(napi_env env, napi_value exports) {
  static const struct export_entry entries[] = {
      {"wait", wait_js},
      {"poll", poll_js},
  };
  register_functions(env, exports, entries, sizeof entries / sizeof entries[0]);
}
