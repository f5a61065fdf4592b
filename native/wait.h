/* The wait primitive shared by the synchronous poll (wait.c) and pollAsync (poll_async.c). */
#ifndef USOCKET_WAIT_H
#define USOCKET_WAIT_H

#include <poll.h>

/* poll(2) with timeout_ms < 0 meaning forever, retried on EINTR with the time that remains.
 * Returns what poll(2) returns (errno set on -1). `interruptible` (the synchronous calls of
 * the main thread): a watched signal (interrupt.h) ends the wait with EINTR. */
int poll_until(struct pollfd *fds, nfds_t count, int timeout_ms, int interruptible);

#endif
