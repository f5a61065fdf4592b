/* The signal side of interrupt.h: the chained handler, and the hooks JavaScript calls.
 *
 * armSignals() runs (main thread) whenever the program adds a SIGINT or SIGTERM listener,
 * right after Node installed libuv's handler for it: the handler found is kept and called
 * from ours, which is installed with the same mask and flags minus SA_RESTART. Node's
 * default handlers (no listener: reset the terminal, end the process) are never wrapped.
 * When the last listener goes, libuv puts the default back and ours is gone with it.
 *
 * A signal counts as delivered once a poll phase of the event loop that began after it
 * arrived is over (that phase read libuv's signal pipe and ran the listeners): from then on
 * it interrupts nothing, so a program that handled it is not interrupted later by a stale
 * signal. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <uv.h>

#include "args.h"
#include "interrupt.h"
#include "register.h"

volatile sig_atomic_t interrupt_arrived, interrupt_seen;
static volatile sig_atomic_t last_signal;
static int reported_signal;

static const int watched[] = {SIGINT, SIGTERM};
#define WATCHED (sizeof watched / sizeof watched[0])
static struct sigaction chained[WATCHED];

static pthread_t main_thread;
static int main_thread_known;

int interrupt_on_main_thread(void) {
  return main_thread_known && pthread_equal(pthread_self(), main_thread);
}

static uv_check_t delivered;
static uv_prepare_t before_poll;
static uv_idle_t linger;
static sig_atomic_t arrived_before_poll;
static int polled;
static int delivered_started;

static void on_signal(int sig, siginfo_t *info, void *context) {
  int saved = errno;
  /* The kernel gives a process's signal to any thread that does not block it, and the
   * main thread may be the one blocked in a call: hand the signal over to it, where it is
   * counted and passed on as if it had come there first. */
  if (main_thread_known && !pthread_equal(pthread_self(), main_thread)) {
    pthread_kill(main_thread, sig);
    errno = saved;
    return;
  }
  last_signal = sig;
  interrupt_arrived++;
  for (size_t i = 0; i < WATCHED; i++) {
    if (watched[i] != sig) continue;
    if (chained[i].sa_flags & SA_SIGINFO)
      chained[i].sa_sigaction(sig, info, context);
    else if (chained[i].sa_handler != SIG_DFL && chained[i].sa_handler != SIG_IGN)
      chained[i].sa_handler(sig);
  }
  errno = saved;
}

static void on_idle(uv_idle_t *idle) {
  (void)idle;
}

int interrupt_take(void) {
  reported_signal = last_signal;
  interrupt_seen = interrupt_arrived;
  /* The program may catch the error and end its script: Node would then leave without
   * another turn of the loop (the signal handles hold none), and the listener would never
   * run. One turn is kept, its poll made without waiting; the check phase ends it. */
  if (delivered_started) {
    uv_idle_start(&linger, on_idle);
    polled = 0;
  }
  errno = EINTR;
  return -1;
}

int interrupt_before_slow(int fd, short events, int dontwait) {
  if (!interrupt_pending() || dontwait) return 0;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || (flags & O_NONBLOCK)) return 0;
  struct pollfd p = {.fd = fd, .events = events, .revents = 0};
  if (poll(&p, 1, 0) != 0) return 0; /* ready, or an error the call itself reports */
  return interrupt_take();
}

/* Before each poll phase: what arrived so far is in libuv's signal pipe, which that phase
 * reads (calling the listeners); a kept turn is due once that phase has passed. */
static void on_prepare(uv_prepare_t *prepare) {
  (void)prepare;
  arrived_before_poll = interrupt_arrived;
  polled = 1;
}

static void on_check(uv_check_t *check) {
  (void)check;
  if (!polled) return; /* this check phase follows no poll phase of ours */
  polled = 0;
  /* Never backwards: a call in this turn may have reported a later signal already. */
  if ((int)(arrived_before_poll - interrupt_seen) > 0) interrupt_seen = arrived_before_poll;
  uv_idle_stop(&linger);
}

/* Wraps the current handler of one signal; 0, or -1 with errno set. */
static int arm(size_t i) {
  struct sigaction current, wrapped;
  sigset_t block, old;
  if (sigaction(watched[i], NULL, &current) < 0) return -1;
  if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_signal) return 0;
  if (!(current.sa_flags & SA_SIGINFO) && (current.sa_handler == SIG_DFL || current.sa_handler == SIG_IGN)) return 0;
  /* Node's own exit handler (no listener) resets itself: nothing to keep the process in. */
  if (current.sa_flags & SA_RESETHAND) return 0;
  wrapped = current;
  wrapped.sa_sigaction = on_signal;
  wrapped.sa_flags = (current.sa_flags | SA_SIGINFO) & ~SA_RESTART;
  /* The handler must not run between the two updates, with half of them done. */
  sigemptyset(&block);
  sigaddset(&block, watched[i]);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  chained[i] = current;
  int rc = sigaction(watched[i], &wrapped, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

/* The environment goes: its loop must not keep a handle of ours. */
static void on_environment_exit(void *data) {
  (void)data;
  if (!delivered_started) return;
  uv_check_stop(&delivered);
  uv_close((uv_handle_t *)&delivered, NULL);
  uv_idle_stop(&linger);
  uv_close((uv_handle_t *)&linger, NULL);
  uv_prepare_stop(&before_poll);
  uv_close((uv_handle_t *)&before_poll, NULL);
  delivered_started = 0;
}

/* armSignals() → 0 or -errno. Main thread only (Node delivers signals there). */
static napi_value arm_signals_js(napi_env env, napi_callback_info info) {
  (void)info;
  main_thread = pthread_self();
  main_thread_known = 1;
  if (!delivered_started) {
    uv_loop_t *loop;
    NAPI_OK(napi_get_uv_event_loop(env, &loop));
    if (uv_check_init(loop, &delivered) != 0 || uv_idle_init(loop, &linger) != 0 ||
        uv_prepare_init(loop, &before_poll) != 0 || uv_check_start(&delivered, on_check) != 0 ||
        uv_prepare_start(&before_poll, on_prepare) != 0)
      return make_errno(env, ENOMEM);
    uv_unref((uv_handle_t *)&delivered);
    uv_unref((uv_handle_t *)&before_poll);
    delivered_started = 1;
    napi_add_env_cleanup_hook(env, on_environment_exit, NULL);
  }
  for (size_t i = 0; i < WATCHED; i++)
    if (arm(i) < 0) return make_errno(env, errno);
  return make_int(env, 0);
}

/* takeSignal() → the signal number the last interrupted call reported, once; else 0. */
static napi_value take_signal_js(napi_env env, napi_callback_info info) {
  (void)info;
  int sig = reported_signal;
  reported_signal = 0;
  return make_int(env, sig);
}

void register_interrupt(napi_env env, napi_value exports) {
  static const struct export_entry entries[] = {
      {"armSignals", arm_signals_js},
      {"takeSignal", take_signal_js},
  };
  register_functions(env, exports, entries, sizeof entries / sizeof entries[0]);
}
