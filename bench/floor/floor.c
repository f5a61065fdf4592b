/* The benchmark's Node-API floor: the cheapest addon that makes the system calls usocket
 * makes for W1, W3, W4 and W1p and hands JavaScript the same objects (bench/peers/floor.js
 * builds them exactly as usocket's fast paths do). No argument checks, no error mapping, no
 * descriptor ownership, no signal handling: what any Node-API addon pays for the crossing
 * and nothing else, so that usocket − floor is usocket's own code and floor − C is the
 * price of Node-API and V8. (W5a's floor makes no call at all: bench/peers/floor.js.) Built by bench/run.js into bench/out/floor.node, never part of
 * the package.
 *
 * Every call returns its system call's result, or -errno; floor.js throws on a negative
 * one (failing loudly is all the error handling a benchmark needs). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

static napi_value number(napi_env env, ssize_t rc) {
  napi_value result;
  napi_create_int32(env, rc < 0 ? -errno : (int32_t)rc, &result);
  return result;
}

static int32_t int_arg(napi_env env, napi_value value) {
  int32_t out = 0;
  napi_get_value_int32(env, value, &out);
  return out;
}

static void *bytes_arg(napi_env env, napi_value value, size_t *len) {
  void *data = NULL;
  napi_get_buffer_info(env, value, &data, len);
  return data;
}

/* send(fd, buffer, flags) → bytes sent: MSG_NOSIGNAL, as usocket and the C client add. */
static napi_value send_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t len;
  void *data = bytes_arg(env, argv[1], &len);
  return number(env, send(int_arg(env, argv[0]), data, len, int_arg(env, argv[2]) | MSG_NOSIGNAL));
}

/* recv(fd, buffer, flags) → bytes received into the buffer (JavaScript allocates it, as
 * usocket does: a pooled Buffer is cheaper than one made here; docs/performance.md). */
static napi_value recv_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t len;
  void *data = bytes_arg(env, argv[1], &len);
  return number(env, recv(int_arg(env, argv[0]), data, len, int_arg(env, argv[2])));
}

/* recvNew(fd, length) → a new Buffer of the bytes received, made here: the other way to
 * return a Buffer, measured against recv + a pooled Buffer (docs/performance.md). */
static napi_value recv_new_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t data[65536];
  int32_t want = int_arg(env, argv[1]);
  ssize_t n = recv(int_arg(env, argv[0]), data, (size_t)want, 0);
  if (n < 0) return number(env, n);
  napi_value result;
  napi_create_buffer_copy(env, (size_t)n, data, NULL, &result);
  return result;
}

/* sendto(fd, buffer, packed) → bytes sent; `packed` holds a struct sockaddr_in made once
 * (usocket packs an address once per distinct [host, port] too). */
static napi_value sendto_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t len, addr_len;
  void *data = bytes_arg(env, argv[1], &len);
  void *addr = bytes_arg(env, argv[2], &addr_len);
  return number(
      env, sendto(int_arg(env, argv[0]), data, len, MSG_NOSIGNAL, (struct sockaddr *)addr, (socklen_t)addr_len));
}

/* Where recvfrom writes an AF_INET sender (port, address in host order): an Int32Array
 * registered once, as usocket's senderSlots. */
static int32_t *sender;

static napi_value sender_slots_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_ref keep;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL);
  napi_create_reference(env, argv[0], 1, &keep);
  sender = data;
  return number(env, 0);
}

/* recvfrom(fd, buffer) → bytes received, the sender in the registered slots. */
static napi_value recvfrom_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t len;
  void *data = bytes_arg(env, argv[1], &len);
  struct sockaddr_storage from;
  socklen_t from_len = sizeof from;
  ssize_t n = recvfrom(int_arg(env, argv[0]), data, len, 0, (struct sockaddr *)&from, &from_len);
  if (n >= 0) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&from;
    sender[0] = ntohs(sin->sin_port);
    sender[1] = (int32_t)ntohl(sin->sin_addr.s_addr);
  }
  return number(env, n);
}

/* socket(family, type, proto) → a close-on-exec descriptor, as usocket makes them. */
static napi_value socket_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return number(env, socket(int_arg(env, argv[0]), int_arg(env, argv[1]) | SOCK_CLOEXEC, int_arg(env, argv[2])));
}

static napi_value connect_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t addr_len;
  void *addr = bytes_arg(env, argv[1], &addr_len);
  return number(env, connect(int_arg(env, argv[0]), (struct sockaddr *)addr, (socklen_t)addr_len));
}

static napi_value close_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return number(env, close(int_arg(env, argv[0])));
}

static napi_value setsockopt_js(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int value = int_arg(env, argv[3]);
  return number(
      env, setsockopt(int_arg(env, argv[0]), int_arg(env, argv[1]), int_arg(env, argv[2]), &value, sizeof value));
}

static napi_value shutdown_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return number(env, shutdown(int_arg(env, argv[0]), int_arg(env, argv[1])));
}

/* Where getaddrinfo writes its IPv4 answers, 5 slots each (family, type, protocol, port,
 * address in host order): an Int32Array registered once, as usocket's gaiSlots. */
static int32_t *answers;
static size_t answer_slots;

static napi_value gai_slots_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_ref keep;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  void *data;
  napi_get_typedarray_info(env, argv[0], &type, &answer_slots, &data, NULL, NULL);
  napi_create_reference(env, argv[0], 1, &keep);
  answers = data;
  return number(env, 0);
}

/* getaddrinfo(host, service) → how many answers it wrote (zeroed hints, as usocket and the
 * C client pass them), or the EAI_* error (negative). */
static napi_value getaddrinfo_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char host[256], service[32];
  size_t len;
  napi_get_value_string_utf8(env, argv[0], host, sizeof host, &len);
  napi_get_value_string_utf8(env, argv[1], service, sizeof service, &len);
  struct addrinfo hints = {0}, *list;
  int rc = getaddrinfo(host, service, &hints, &list);
  napi_value result;
  if (rc != 0) {
    napi_create_int32(env, rc < 0 ? rc : -rc, &result);
    return result;
  }
  int32_t count = 0;
  for (const struct addrinfo *a = list; a != NULL && (size_t)(count + 1) * 5 <= answer_slots; a = a->ai_next) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)a->ai_addr;
    int32_t *slot = answers + count * 5;
    slot[0] = a->ai_family;
    slot[1] = a->ai_socktype;
    slot[2] = a->ai_protocol;
    slot[3] = ntohs(sin->sin_port);
    slot[4] = (int32_t)ntohl(sin->sin_addr.s_addr);
    count++;
  }
  freeaddrinfo(list);
  napi_create_int32(env, count, &result);
  return result;
}

/* The Promise floor's wait: one libuv poll handle on the loop, POLLIN armed from watch() to
 * unwatch() (as usocket keeps it armed between calls), calling back into JavaScript through
 * napi_make_callback, which also runs the microtasks the callback queued (the resolved
 * Promise's continuation). One socket at a time. */
static struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} watcher;

static void on_readable(uv_poll_t *poll, int status, int events) {
  napi_env env = watcher.env;
  napi_handle_scope scope;
  napi_value callback, receiver, result;
  napi_open_handle_scope(env, &scope);
  napi_get_reference_value(env, watcher.callback, &callback);
  /* An object: napi_make_callback converts the receiver with ToObject. */
  napi_get_global(env, &receiver);
  if (napi_make_callback(env, watcher.context, receiver, callback, 0, NULL, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

/* watch(fd, callback) → 0 or a libuv error. */
static napi_value watch_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name, resource;
  uv_loop_t *loop;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_uv_event_loop(env, &loop);
  watcher.env = env;
  napi_create_reference(env, argv[1], 1, &watcher.callback);
  napi_create_string_latin1(env, "floor", NAPI_AUTO_LENGTH, &name);
  napi_create_object(env, &resource);
  napi_async_init(env, resource, name, &watcher.context);
  int rc = uv_poll_init(loop, &watcher.poll, int_arg(env, argv[0]));
  if (rc == 0) rc = uv_poll_start(&watcher.poll, UV_READABLE, on_readable);
  return number(env, rc);
}

/* unwatch() lets the loop end: the handle closes, the callback goes. */
static napi_value unwatch_js(napi_env env, napi_callback_info info) {
  uv_poll_stop(&watcher.poll);
  uv_close((uv_handle_t *)&watcher.poll, NULL);
  napi_delete_reference(env, watcher.callback);
  napi_async_destroy(env, watcher.context);
  return number(env, 0);
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      {"send", NULL, send_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, recv_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvNew", NULL, recv_new_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendto", NULL, sendto_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"senderSlots", NULL, sender_slots_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvfrom", NULL, recvfrom_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"socket", NULL, socket_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"connect", NULL, connect_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setsockopt", NULL, setsockopt_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"shutdown", NULL, shutdown_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gaiSlots", NULL, gai_slots_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getaddrinfo", NULL, getaddrinfo_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watch", NULL, watch_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unwatch", NULL, unwatch_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
