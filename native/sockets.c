/* One function per socket system call. Each takes the descriptor number (TypeScript
 * keeps it next to the handle and checks for a closed socket first), makes the call,
 * retries EINTR, and returns the result or -errno. No policy lives here. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addresses.h"
#include "args.h"
#include "owners.h"
#include "interrupt.h"
#include "platform.h"
#include "poll_async.h"
#include "register.h"

static napi_value result_or_errno(napi_env env, ssize_t rc) {
  return rc < 0 ? make_errno(env, errno) : make_int(env, rc);
}

/* adopt(fd, fresh) → the generation of the claim (≥ 1), or -errno (EEXIST: another socket
 * owns that number). From now on the descriptor is closed by close(fd, gen), or when this
 * environment goes away. `fresh`: the module itself just created the descriptor. */
static napi_value adopt_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 2);
  int32_t fd, gen;
  bool fresh;
  if (arg_int32(env, argv[0], &fd) < 0) return NULL;
  if (napi_get_value_bool(env, argv[1], &fresh) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "usocket core: expected a descriptor and a boolean");
    return NULL;
  }
  int err = owners_claim(env, fd, fresh, &gen);
  if (err != 0) {
    /* A fresh descriptor that cannot be recorded has no other owner: close it. */
    if (fresh) close(fd);
    return make_errno(env, err);
  }
  return make_int(env, gen);
}

/* describe(fd, out) → 0 with the socket's family, type and protocol written to `out` (an
 * Int32Array of 3), or -errno: EBADF when the number is not open, ENOTSOCK when it is not
 * a socket (CPython checks the same before adopting a descriptor). */
static napi_value describe_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd;
  int32_t *out;
  size_t length;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32_array(env, argv[1], 3, &out, &length) < 0) return NULL;
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &len) < 0) return make_errno(env, errno);
  out[1] = value;
#ifdef SO_DOMAIN
  len = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &value, &len) < 0) return make_errno(env, errno);
  out[0] = value;
#else
  struct sockaddr_storage addr;
  socklen_t addr_len = sizeof addr;
  memset(&addr, 0, sizeof addr);
  if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) < 0) return make_errno(env, errno);
  out[0] = addr.ss_family;
#endif
  out[2] = 0;
#ifdef SO_PROTOCOL
  len = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &len) == 0) out[2] = value;
#endif
  return make_int(env, 0);
}

/* close(fd, gen) → 1 when it closed the number, 0 when (fd, gen) owned nothing any more (a
 * second close, the finalization of a socket already closed, or a socket whose number was
 * closed behind its back and now belongs to another), or -errno from close(2), which has
 * released the number all the same. */
static napi_value close_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 2);
  int32_t fd, gen;
  struct watcher *watcher;
  napi_ref self;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &gen) < 0) return NULL;
  if (!owners_release(env, fd, gen, &watcher, &self)) return make_int(env, 0);
  if (self != NULL) napi_delete_reference(env, self);
  if (watcher != NULL) watcher_detach(watcher);
  poll_async_closing(fd);
  /* On Linux the descriptor is released even when close reports EINTR: never retry. */
  if (close(fd) < 0 && errno != EINTR) return make_errno(env, errno);
  return make_int(env, 1);
}

/* track(fd, gen, socket) → 0 or -errno: a weak reference to the socket object of claim
 * (fd, gen), for closeUnreachable. Only where the FinalizationRegistry that closes forgotten
 * sockets cannot be drained at once (src/pressure.ts). */
static napi_value track_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 3);
  int32_t fd, gen;
  napi_valuetype type;
  napi_ref self;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &gen) < 0) return NULL;
  if (napi_typeof(env, argv[2], &type) != napi_ok || type != napi_object) {
    napi_throw_type_error(env, NULL, "usocket core: expected an object");
    return NULL;
  }
  NAPI_OK(napi_create_reference(env, argv[2], 0, &self));
  int err = owners_track(env, fd, gen, self);
  if (err != 0) {
    napi_delete_reference(env, self);
    return make_errno(env, err);
  }
  return make_int(env, 0);
}

/* closeUnreachable() → how many descriptors it closed: those of this environment's tracked
 * sockets whose objects a collection found unreachable (see track). */
static napi_value close_unreachable_js(napi_env env, napi_callback_info info) {
  (void)info;
  struct owners_released dead[64];
  int64_t closed = 0;
  for (;;) {
    size_t count = owners_release_unreachable(env, dead, sizeof dead / sizeof dead[0]);
    for (size_t i = 0; i < count; i++) {
      napi_delete_reference(env, dead[i].self);
      if (dead[i].watcher != NULL) watcher_detach(dead[i].watcher);
      poll_async_closing(dead[i].fd);
      close(dead[i].fd);
      closed++;
    }
    if (count < sizeof dead / sizeof dead[0]) break;
  }
  return make_int(env, closed);
}

/* socket(family, type, proto) → gen * 2^31 + fd: a new descriptor, already claimed for the
 * socket being made (one call where socket + adopt would be two), or -errno. */
static napi_value socket_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 3);
  int32_t family, type, proto, gen;
  napi_value result;
  if (arg_int32(env, argv[0], &family) < 0 || arg_int32(env, argv[1], &type) < 0 || arg_int32(env, argv[2], &proto) < 0)
    return NULL;
  int fd = platform_socket(family, type, proto);
  if (fd < 0) return make_errno(env, errno);
  int err = owners_claim(env, fd, 1, &gen);
  if (err != 0) {
    close(fd);
    return make_errno(env, err);
  }
  if (napi_create_double(env, (double)gen * 2147483648.0 + fd, &result) != napi_ok) {
    struct watcher *none;
    napi_ref no_self;
    owners_release(env, fd, gen, &none, &no_self);
    close(fd);
    return NULL;
  }
  return result;
}

static napi_value socketpair_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t family, type, proto;
  int fds[2];
  napi_value result;
  if (arg_int32(env, argv[0], &family) < 0 || arg_int32(env, argv[1], &type) < 0 || arg_int32(env, argv[2], &proto) < 0)
    return NULL;
  if (platform_socketpair(family, type, proto, fds) < 0) return make_errno(env, errno);
  if (napi_create_array_with_length(env, 2, &result) != napi_ok ||
      napi_set_element(env, result, 0, make_int(env, fds[0])) != napi_ok ||
      napi_set_element(env, result, 1, make_int(env, fds[1])) != napi_ok) {
    /* Nobody will own them: do not leak the pair. */
    close(fds[0]);
    close(fds[1]);
    return NULL;
  }
  return result;
}

static napi_value set_nonblocking_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd;
  bool on;
  if (arg_int32(env, argv[0], &fd) < 0) return NULL;
  if (napi_get_value_bool(env, argv[1], &on) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket core: expected a boolean");
    return NULL;
  }
  return result_or_errno(env, platform_set_nonblocking(fd, on));
}

static napi_value bind_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd;
  struct sockaddr_storage addr;
  socklen_t len;
  if (arg_int32(env, argv[0], &fd) < 0 || sockaddr_from_value(env, argv[1], &addr, &len) < 0) return NULL;
  return result_or_errno(env, bind(fd, (struct sockaddr *)&addr, len));
}

/* A blocking connect interrupted by a signal goes on in the kernel; like CPython, wait
 * for it to finish and report its outcome instead of starting it again. */
static int finish_interrupted_connect(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLOUT};
  int err = 0;
  socklen_t len = sizeof err;
  if (INTERRUPTIBLE(poll(&p, 1, -1)) < 0) return -1;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -1;
  if (err != 0) {
    errno = err;
    return -1;
  }
  return 0;
}

static napi_value connect_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 2);
  int32_t fd;
  struct sockaddr_storage addr;
  socklen_t len;
  if (arg_int32(env, argv[0], &fd) < 0 || sockaddr_from_value(env, argv[1], &addr, &len) < 0) return NULL;
  int rc = interrupt_before(fd, POLLOUT, 0);
  if (rc == 0) rc = connect(fd, (struct sockaddr *)&addr, len);
  if (rc < 0 && errno == EINTR) rc = interrupt_pending() ? interrupt_take() : finish_interrupted_connect(fd);
  return result_or_errno(env, rc);
}

static napi_value listen_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd, backlog;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &backlog) < 0) return NULL;
  return result_or_errno(env, listen(fd, backlog));
}

static napi_value shutdown_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd, how;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &how) < 0) return NULL;
  return result_or_errno(env, shutdown(fd, how));
}

/* accept(fd) → [newFd, address] or -errno. */
static napi_value accept_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd;
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  napi_value result, address;
  if (arg_int32(env, argv[0], &fd) < 0) return NULL;
  memset(&addr, 0, sizeof addr);
  int client = interrupt_before(fd, POLLIN, 0);
  if (client == 0) client = platform_accept(fd, (struct sockaddr *)&addr, &len);
  if (client < 0) return make_errno(env, errno);
  address = sockaddr_to_value(env, (struct sockaddr *)&addr, len);
  if (address == NULL || napi_create_array_with_length(env, 2, &result) != napi_ok ||
      napi_set_element(env, result, 0, make_int(env, client)) != napi_ok ||
      napi_set_element(env, result, 1, address) != napi_ok) {
    close(client);
    return NULL;
  }
  return result;
}

/* The data calls come in two shapes: a window (view, offset, length), for the bridge's
 * heap and the stream rules' partial transfers, and the whole view (the *View functions),
 * for the methods' common call, which sends or fills a whole Buffer: two arguments fewer,
 * and no window to check, about 150 instructions a call (docs/performance.md, W3). */

/* The arguments every transfer call starts with: fd, the bytes (the whole view, or with
 * `windowed` a view, an offset and a length), then the flags. */
struct transfer {
  int32_t fd;
  int32_t flags;
  uint8_t *data;
  size_t len;
};

static int transfer_args(napi_env env, napi_value *argv, bool windowed, struct transfer *t) {
  if (arg_int32(env, argv[0], &t->fd) < 0) return -1;
  if ((windowed ? arg_window(env, argv[1], argv[2], argv[3], &t->data, &t->len)
                : arg_bytes(env, argv[1], &t->data, &t->len)) < 0)
    return -1;
  return arg_int32(env, argv[windowed ? 4 : 2], &t->flags);
}

static napi_value send_call(napi_env env, int32_t fd, const uint8_t *data, size_t len, int32_t flags) {
  if (interrupt_before(fd, POLLOUT, flags & MSG_DONTWAIT) < 0) return make_errno(env, EINTR);
  return result_or_errno(env, INTERRUPTIBLE(send(fd, data, len, flags | USOCK_SEND_FLAGS)));
}

/* send(fd, view, offset, length, flags) → bytes sent or -errno. */
static napi_value send_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 5);
  struct transfer t;
  if (transfer_args(env, argv, true, &t) < 0) return NULL;
  return send_call(env, t.fd, t.data, t.len, t.flags);
}

/* sendView(fd, view, flags) → bytes sent or -errno: every byte of the view. */
static napi_value send_view_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 3);
  struct transfer t;
  if (transfer_args(env, argv, false, &t) < 0) return NULL;
  return send_call(env, t.fd, t.data, t.len, t.flags);
}

static napi_value sendto_call(
    napi_env env, int32_t fd, const uint8_t *data, size_t len, int32_t flags, napi_value packed) {
  struct sockaddr_storage addr;
  socklen_t addr_len;
  if (sockaddr_from_value(env, packed, &addr, &addr_len) < 0) return NULL;
  if (interrupt_before(fd, POLLOUT, flags & MSG_DONTWAIT) < 0) return make_errno(env, EINTR);
  return result_or_errno(
      env, INTERRUPTIBLE(sendto(fd, data, len, flags | USOCK_SEND_FLAGS, (struct sockaddr *)&addr, addr_len)));
}

/* sendto(fd, view, offset, length, flags, packedAddress) → bytes sent or -errno. */
static napi_value sendto_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 6);
  struct transfer t;
  if (transfer_args(env, argv, true, &t) < 0) return NULL;
  return sendto_call(env, t.fd, t.data, t.len, t.flags, argv[5]);
}

/* sendtoView(fd, view, flags, packedAddress) → bytes sent or -errno: the whole view. */
static napi_value sendto_view_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 4);
  struct transfer t;
  if (transfer_args(env, argv, false, &t) < 0) return NULL;
  return sendto_call(env, t.fd, t.data, t.len, t.flags, argv[3]);
}

static napi_value recv_call(napi_env env, int32_t fd, uint8_t *data, size_t len, int32_t flags) {
  if (interrupt_before(fd, POLLIN, flags & MSG_DONTWAIT) < 0) return make_errno(env, EINTR);
  return result_or_errno(env, INTERRUPTIBLE(recv(fd, data, len, flags)));
}

/* recv(fd, view, offset, length, flags) → bytes received (0 at EOF) or -errno. */
static napi_value recv_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 5);
  struct transfer t;
  if (transfer_args(env, argv, true, &t) < 0) return NULL;
  return recv_call(env, t.fd, t.data, t.len, t.flags);
}

/* recvView(fd, view, flags) → bytes received into the view (0 at EOF) or -errno. */
static napi_value recv_view_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 3);
  struct transfer t;
  if (transfer_args(env, argv, false, &t) < 0) return NULL;
  return recv_call(env, t.fd, t.data, t.len, t.flags);
}

/* Where recvfrom writes an AF_INET sender: an Int32Array of this thread's environment (one
 * environment per thread), given once by senderSlots() and kept alive from then on, so
 * that no call has to look the array up again (about 300 instructions each time). */
static _Thread_local int32_t *sender_slots;

/* senderSlots(slots) → 0: registers the Int32Array (at least 2 elements) recvfrom writes
 * senders to. */
static napi_value sender_slots_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 1);
  int32_t *data;
  size_t length;
  if (arg_kept_int32_array(env, argv[0], 2, &data, &length) < 0) return NULL;
  sender_slots = data;
  return make_int(env, 0);
}

/* recvfrom(fd, view, offset, length, flags[, slots]) → [bytes, address] or -errno; the
 * address is null when the system gave none (a connected stream socket). With `slots`
 * true, an AF_INET sender is written to the registered slots (senderSlots: port, then the
 * address in host order) instead and the result is just the byte count: building the
 * address here costs an inet_ntop, a string, two arrays and four element stores per
 * datagram. */
static napi_value recvfrom_call(napi_env env, int32_t fd, uint8_t *data, size_t len, int32_t flags, bool slots) {
  struct sockaddr_storage addr;
  socklen_t addr_len = sizeof addr;
  napi_value result, address;
  memset(&addr, 0, sizeof addr);
  if (interrupt_before(fd, POLLIN, flags & MSG_DONTWAIT) < 0) return make_errno(env, EINTR);
  ssize_t n = INTERRUPTIBLE(recvfrom(fd, data, len, flags, (struct sockaddr *)&addr, &addr_len));
  if (n < 0) return make_errno(env, errno);
  if (slots && addr_len >= sizeof(struct sockaddr_in) && addr.ss_family == AF_INET) {
    if (sender_slots == NULL) {
      napi_throw_type_error(env, NULL, "usocket core: no sender slots registered");
      return NULL;
    }
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&addr;
    sender_slots[0] = ntohs(sin->sin_port);
    sender_slots[1] = (int32_t)ntohl(sin->sin_addr.s_addr);
    return make_int(env, n);
  }
  if (addr_len == 0) {
    NAPI_OK(napi_get_null(env, &address));
  } else {
    address = sockaddr_to_value(env, (struct sockaddr *)&addr, addr_len);
    if (address == NULL) return NULL;
  }
  NAPI_OK(napi_create_array_with_length(env, 2, &result));
  NAPI_OK(napi_set_element(env, result, 0, make_int(env, n)));
  NAPI_OK(napi_set_element(env, result, 1, address));
  return result;
}

static napi_value recvfrom_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 6);
  struct transfer t;
  napi_valuetype slots_type;
  if (transfer_args(env, argv, true, &t) < 0) return NULL;
  NAPI_OK(napi_typeof(env, argv[5], &slots_type));
  return recvfrom_call(env, t.fd, t.data, t.len, t.flags, slots_type != napi_undefined);
}

/* recvfromView(fd, view, flags) → as recvfrom(fd, view, 0, view's length, flags, true): the
 * whole view, an AF_INET sender in the slots. */
static napi_value recvfrom_view_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 3);
  struct transfer t;
  if (transfer_args(env, argv, false, &t) < 0) return NULL;
  return recvfrom_call(env, t.fd, t.data, t.len, t.flags, true);
}

/* setsockopt(fd, level, option, value): value is an integer or a byte view passed as is. */
static napi_value setsockopt_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd, level, option, number;
  napi_valuetype type;
  const void *data;
  socklen_t len;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &level) < 0 || arg_int32(env, argv[2], &option) < 0)
    return NULL;
  NAPI_OK(napi_typeof(env, argv[3], &type));
  if (type == napi_number) {
    if (arg_int32(env, argv[3], &number) < 0) return NULL;
    data = &number;
    len = sizeof number;
  } else {
    uint8_t *bytes;
    size_t size;
    if (arg_bytes(env, argv[3], &bytes, &size) < 0) return NULL;
    data = bytes;
    len = (socklen_t)size;
  }
  return result_or_errno(env, setsockopt(fd, level, option, data, len));
}

/* getsockopt(fd, level, option, buflen) → [integer] when buflen is 0, else a Buffer of the
 * length the system returned (at most buflen); -errno on failure. */
static napi_value getsockopt_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd, level, option, buflen;
  napi_value result;
  if (arg_int32(env, argv[0], &fd) < 0 || arg_int32(env, argv[1], &level) < 0 || arg_int32(env, argv[2], &option) < 0 ||
      arg_int32(env, argv[3], &buflen) < 0)
    return NULL;
  if (buflen <= 0) {
    int value = 0;
    socklen_t len = sizeof value;
    if (getsockopt(fd, level, option, &value, &len) < 0) return make_errno(env, errno);
    NAPI_OK(napi_create_array_with_length(env, 1, &result));
    NAPI_OK(napi_set_element(env, result, 0, make_int(env, value)));
    return result;
  }
  if (buflen > 1024) {
    napi_throw_range_error(env, NULL, "usocket core: buflen out of range");
    return NULL;
  }
  uint8_t buf[1024];
  socklen_t len = (socklen_t)buflen;
  memset(buf, 0, (size_t)buflen);
  if (getsockopt(fd, level, option, buf, &len) < 0) return make_errno(env, errno);
  if (len > (socklen_t)buflen) len = (socklen_t)buflen;
  NAPI_OK(napi_create_buffer_copy(env, len, buf, NULL, &result));
  return result;
}

typedef int (*name_getter)(int, struct sockaddr *, socklen_t *);

static napi_value socket_name(napi_env env, napi_callback_info info, name_getter getter) {
  GET_ARGS(env, info, argv, argc);
  int32_t fd;
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (arg_int32(env, argv[0], &fd) < 0) return NULL;
  memset(&addr, 0, sizeof addr);
  if (getter(fd, (struct sockaddr *)&addr, &len) < 0) return make_errno(env, errno);
  return sockaddr_to_value(env, (struct sockaddr *)&addr, len);
}

static napi_value getsockname_js(napi_env env, napi_callback_info info) {
  return socket_name(env, info, getsockname);
}

static napi_value getpeername_js(napi_env env, napi_callback_info info) {
  return socket_name(env, info, getpeername);
}

static napi_value gethostname_js(napi_env env, napi_callback_info info) {
  (void)info;
  char name[256];
  napi_value result;
  if (gethostname(name, sizeof name) < 0) return make_errno(env, errno);
  name[sizeof name - 1] = '\0';
  NAPI_OK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value strerror_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t err;
  napi_value result;
  if (arg_int32(env, argv[0], &err) < 0) return NULL;
  NAPI_OK(napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &result));
  return result;
}

void register_sockets(napi_env env, napi_value exports) {
  static const struct export_entry entries[] = {
      {"socket", socket_js},
      {"socketpair", socketpair_js},
      {"adopt", adopt_js},
      {"describe", describe_js},
      {"close", close_js},
      {"track", track_js},
      {"closeUnreachable", close_unreachable_js},
      {"setNonblocking", set_nonblocking_js},
      {"bind", bind_js},
      {"connect", connect_js},
      {"listen", listen_js},
      {"shutdown", shutdown_js},
      {"accept", accept_js},
      {"send", send_js},
      {"sendView", send_view_js},
      {"sendto", sendto_js},
      {"sendtoView", sendto_view_js},
      {"recv", recv_js},
      {"recvView", recv_view_js},
      {"recvfrom", recvfrom_js},
      {"recvfromView", recvfrom_view_js},
      {"senderSlots", sender_slots_js},
      {"setsockopt", setsockopt_js},
      {"getsockopt", getsockopt_js},
      {"getsockname", getsockname_js},
      {"getpeername", getpeername_js},
      {"gethostname", gethostname_js},
      {"strerror", strerror_js},
  };
  register_functions(env, exports, entries, sizeof entries / sizeof entries[0]);
  (void)owners_watch_environment(env); /* without it a Worker's sockets close only with the process */
}
