/* Signals that end a blocking call. Node's libuv installs its SIGINT/SIGTERM handler (when
 * a program listens for them) with SA_RESTART, so a blocking system call would restart
 * after the handler and never return to JavaScript, where the listener waits to run.
 * interrupt.c chains that handler without SA_RESTART and counts the signals; the retry
 * loops of the synchronous calls ask here whether an EINTR they see is such a signal. */
#ifndef USOCKET_INTERRUPT_H
#define USOCKET_INTERRUPT_H

#include <signal.h>

extern volatile sig_atomic_t interrupt_arrived, interrupt_seen;

/* Whether this is the thread whose listeners the signals go to (Workers are never interrupted). */
int interrupt_on_main_thread(void);

/* Whether a watched signal arrived that neither a synchronous call has reported nor the
 * event loop has delivered to its listeners: one load and compare, for every retry loop. */
static inline int interrupt_pending(void) {
  return interrupt_arrived != interrupt_seen && interrupt_on_main_thread();
}

/* Reports the pending signal (it will interrupt no other call): sets errno to EINTR and
 * returns -1, for the caller to return as its system call's failure. */
int interrupt_take(void);

/* For a call about to block on `fd` (events POLLIN/POLLOUT; `dontwait` when this attempt
 * cannot block): -1 with errno EINTR when a signal is pending and the call would wait,
 * else 0. Costs one load when no signal is pending. */
int interrupt_before_slow(int fd, short events, int dontwait);
static inline int interrupt_before(int fd, short events, int dontwait) {
  return interrupt_arrived == interrupt_seen ? 0 : interrupt_before_slow(fd, events, dontwait);
}

/* The retry loop of a blocking system call: EINTR is retried unless it was a watched signal. */
#define INTERRUPTIBLE(expr) \
  ({ \
    __typeof__(expr) r_; \
    do r_ = (expr); \
    while (r_ < 0 && errno == EINTR && !interrupt_pending()); \
    if (r_ < 0 && errno == EINTR) r_ = interrupt_take(); \
    r_; \
  })

#endif
