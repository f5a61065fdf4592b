/* What the rest of the core tells pollAsync (poll_async.c). */
#ifndef USOCKET_POLL_ASYNC_H
#define USOCKET_POLL_ASYNC_H

/* A socket's descriptor is about to be closed: every pending pollAsync that polls that
 * number wakes and reports it POLLNVAL, so its thread lets the descriptor really close.
 * Called by close (also when a forgotten socket is closed); costs one load when no pollAsync is pending. */
void poll_async_closing(int fd);

#endif
