#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "interrupt.h"

/* Descriptors must never leak into child processes: atomically where the system can. */
static int mark_new_descriptor(int fd) {
  if (fd < 0) return fd;
#ifndef SOCK_CLOEXEC
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) goto fail;
#endif
#ifdef SO_NOSIGPIPE
  {
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) < 0) goto fail;
  }
#endif
  return fd;
#if !defined(SOCK_CLOEXEC) || defined(SO_NOSIGPIPE)
fail : {
  int saved = errno;
  close(fd);
  errno = saved;
  return -1;
}
#endif
}

int platform_socket(int family, int type, int proto) {
#ifdef SOCK_CLOEXEC
  type |= SOCK_CLOEXEC;
#endif
  return mark_new_descriptor(socket(family, type, proto));
}

int platform_accept(int fd, struct sockaddr *addr, socklen_t *len) {
  int client;
#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
  client = INTERRUPTIBLE(accept4(fd, addr, len, SOCK_CLOEXEC));
#else
  client = INTERRUPTIBLE(accept(fd, addr, len));
  /* Here the new socket inherits the listener's O_NONBLOCK (set while it has a timeout, or
   * for one attempt of acceptAsync); an accepted socket always starts blocking. */
  if (client >= 0 && platform_set_nonblocking(client, 0) < 0) {
    int saved = errno;
    close(client);
    errno = saved;
    return -1;
  }
#endif
  return mark_new_descriptor(client);
}

int platform_socketpair(int family, int type, int proto, int fds[2]) {
#ifdef SOCK_CLOEXEC
  type |= SOCK_CLOEXEC;
#endif
  if (socketpair(family, type, proto, fds) < 0) return -1;
  if (mark_new_descriptor(fds[0]) < 0) {
    int saved = errno;
    close(fds[1]);
    errno = saved;
    return -1;
  }
  if (mark_new_descriptor(fds[1]) < 0) {
    int saved = errno;
    close(fds[0]);
    errno = saved;
    return -1;
  }
  return 0;
}

int platform_set_nonblocking(int fd, int on) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return -1;
  int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted == flags) return 0;
  return fcntl(fd, F_SETFL, wanted);
}

int platform_pipe(int fds[2]) {
#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
  return pipe2(fds, O_CLOEXEC | O_NONBLOCK);
#else
  if (pipe(fds) < 0) return -1;
  for (int i = 0; i < 2; i++) {
    if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[i], F_SETFL, O_NONBLOCK) < 0) {
      int saved = errno;
      close(fds[0]);
      close(fds[1]);
      errno = saved;
      return -1;
    }
  }
  return 0;
#endif
}
