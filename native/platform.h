/* Everything that differs between Linux, macOS and the BSDs lives behind these few
 * functions, so the rest of the core is written once. */
#ifndef USOCKET_PLATFORM_H
#define USOCKET_PLATFORM_H

#include <sys/socket.h>

/* Flags added to every send: Linux suppresses SIGPIPE per call; elsewhere the socket
 * carries SO_NOSIGPIPE from birth (see platform_socket). */
#ifdef MSG_NOSIGNAL
#define USOCK_SEND_FLAGS MSG_NOSIGNAL
#else
#define USOCK_SEND_FLAGS 0
#endif

/* Each returns a close-on-exec descriptor (or -1 with errno set). */
int platform_socket(int family, int type, int proto);
int platform_accept(int fd, struct sockaddr *addr, socklen_t *len);
int platform_socketpair(int family, int type, int proto, int fds[2]);

/* A pipe whose two ends are close-on-exec and non-blocking; 0 or -1 with errno set. */
int platform_pipe(int fds[2]);

/* Sets or clears O_NONBLOCK; returns 0 or -1 with errno set. */
int platform_set_nonblocking(int fd, int on);

#endif
