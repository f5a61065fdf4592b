#include "addresses.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "args.h"
#include "register.h"

/* Longest text any numeric host (with an interface suffix) can have; longer is invalid. */
#define HOST_TEXT_MAX 128

int sockaddr_from_value(napi_env env, napi_value value, struct sockaddr_storage *out, socklen_t *len) {
  uint8_t *data;
  size_t size;
  if (arg_bytes(env, value, &data, &size) < 0) return -1;
  if (size < sizeof(sa_family_t) || size > sizeof *out) {
    napi_throw_range_error(env, NULL, "usocket core: not a packed socket address");
    return -1;
  }
  memcpy(out, data, size);
  /* The system reads only `size` bytes, but tools that check what a system call is given
   * (valgrind) look at the whole structure. */
  memset((uint8_t *)out + size, 0, sizeof *out - size);
  *len = (socklen_t)size;
  return 0;
}

/* Whether bytes are well-formed UTF-8 (no overlong forms, no surrogates, nothing past
 * U+10FFFF): only then does a string say exactly what the name is. */
static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (n - i <= extra) return 0;
    for (size_t k = 1; k <= extra; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((extra == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)))
      return 0;
    i += extra + 1;
  }
  return 1;
}

/* An AF_UNIX name as a string, or as a Buffer when its bytes are not UTF-8 (as CPython gives
 * bytes where text would not round-trip): bind, connect and sendto take either back. */
static napi_value unix_path_to_value(napi_env env, const struct sockaddr_un *sun, socklen_t len) {
  napi_value result;
  size_t offset = offsetof(struct sockaddr_un, sun_path);
  size_t n = len > offset ? (size_t)len - offset : 0;
  if (n > sizeof sun->sun_path) n = sizeof sun->sun_path;
  /* A pathname ends at its NUL; an abstract name (leading NUL) is exactly n bytes. */
  if (n > 0 && sun->sun_path[0] != '\0') n = strnlen(sun->sun_path, n);
  if (!valid_utf8((const unsigned char *)sun->sun_path, n)) {
    NAPI_OK(napi_create_buffer_copy(env, n, sun->sun_path, NULL, &result));
    return result;
  }
  if (napi_create_string_utf8(env, sun->sun_path, n, &result) != napi_ok) return NULL;
  return result;
}

napi_value sockaddr_to_value(napi_env env, const struct sockaddr *addr, socklen_t len) {
  napi_value result, item;
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  switch (addr->sa_family) {
    case AF_INET: {
      const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
      inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
      NAPI_OK(napi_create_array_with_length(env, 2, &result));
      NAPI_OK(napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &item));
      NAPI_OK(napi_set_element(env, result, 0, item));
      NAPI_OK(napi_set_element(env, result, 1, make_int(env, ntohs(sin->sin_port))));
      return result;
    }
    case AF_INET6: {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
      /* No "%interface" suffix: the scope is the tuple's scopeid (CPython >= 3.7 likewise),
       * and no interface-name lookup is made for every scoped address received. */
      inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
      NAPI_OK(napi_create_array_with_length(env, 4, &result));
      NAPI_OK(napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &item));
      NAPI_OK(napi_set_element(env, result, 0, item));
      NAPI_OK(napi_set_element(env, result, 1, make_int(env, ntohs(sin6->sin6_port))));
      NAPI_OK(napi_set_element(env, result, 2, make_int(env, ntohl(sin6->sin6_flowinfo))));
      NAPI_OK(napi_set_element(env, result, 3, make_int(env, sin6->sin6_scope_id)));
      return result;
    }
    case AF_UNIX: return unix_path_to_value(env, (const struct sockaddr_un *)addr, len);
    default: NAPI_OK(napi_get_null(env, &result)); return result;
  }
}

/* Reads a JavaScript string into `buf` as UTF-8. Returns 0, or -EINVAL when it is too
 * long or holds a NUL (which C would silently cut at), or -1 on a thrown TypeError. */
/* Whether the UTF-8 copy of `value` that napi_get_value_string_utf8 wrote (n bytes into a
 * buffer of `size`) is the whole string. Node-API cuts a string that does not fit at a
 * character boundary, so a copy up to three bytes short of the room may still have lost a
 * character: only then is the full length asked (the common short text costs nothing). */
static int text_complete(napi_env env, napi_value value, size_t n, size_t size) {
  size_t full;
  if (n + 4 < size) return 1;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &full) != napi_ok) return 0;
  return full == n && n < size - 1;
}

static int host_text(napi_env env, napi_value value, char *buf, size_t size) {
  size_t n;
  if (napi_get_value_string_utf8(env, value, buf, size, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket core: expected a string");
    return -1;
  }
  if (!text_complete(env, value, n, size) || strlen(buf) != n) return -EINVAL;
  return 0;
}

static int scope_from_text(const char *text, uint32_t *scope) {
  char *end;
  if (*text == '\0') return -EINVAL;
  unsigned long number = strtoul(text, &end, 10);
  if (*end == '\0') {
    if (number > UINT32_MAX) return -EINVAL;
    *scope = (uint32_t)number;
    return 0;
  }
  *scope = if_nametoindex(text);
  return *scope == 0 ? -EINVAL : 0;
}

static napi_value packed(napi_env env, const void *addr, size_t len) {
  napi_value result;
  NAPI_OK(napi_create_buffer_copy(env, len, addr, NULL, &result));
  return result;
}

/* packAddress(AF_INET, host, port) / packAddress(AF_INET6, host, port, flowinfo, scopeid)
 * → Buffer holding the sockaddr, or -errno (EINVAL: host is not numeric). */
static napi_value pack_address_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t family, port;
  uint32_t flowinfo = 0, scope = 0;
  char host[HOST_TEXT_MAX];
  if (arg_int32(env, argv[0], &family) < 0) return NULL;
  int rc = host_text(env, argv[1], host, sizeof host);
  if (rc == -1) return NULL;
  if (rc < 0) return make_errno(env, EINVAL);
  if (arg_int32(env, argv[2], &port) < 0) return NULL;
  if (port < 0 || port > 65535) {
    napi_throw_range_error(env, NULL, "usocket core: port out of range");
    return NULL;
  }
  if (family == AF_INET) {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    if (host[0] == '\0')
      sin.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
      return make_errno(env, EINVAL);
    return packed(env, &sin, sizeof sin);
  }
  if (family == AF_INET6) {
    struct sockaddr_in6 sin6;
    uint32_t suffix_scope = 0;
    if ((argc > 3 && arg_uint32(env, argv[3], &flowinfo) < 0) || (argc > 4 && arg_uint32(env, argv[4], &scope) < 0))
      return NULL;
    char *percent = strchr(host, '%');
    if (percent) {
      *percent = '\0';
      if (scope_from_text(percent + 1, &suffix_scope) < 0) return make_errno(env, EINVAL);
    }
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)port);
    sin6.sin6_flowinfo = htonl(flowinfo);
    sin6.sin6_scope_id = scope != 0 ? scope : suffix_scope;
    if (host[0] == '\0')
      sin6.sin6_addr = in6addr_any;
    else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) != 1)
      return make_errno(env, EINVAL);
    return packed(env, &sin6, sizeof sin6);
  }
  return make_errno(env, EAFNOSUPPORT);
}

/* packUnixAddress(pathBytes) → Buffer, or -ENAMETOOLONG. A leading NUL byte names an
 * abstract socket (Linux), whose length is exact; a path gets its terminating NUL. The
 * empty name is the family alone, which bind on Linux takes as "autobind" (as CPython). */
static napi_value pack_unix_address_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  uint8_t *path;
  size_t n;
  struct sockaddr_un sun;
  if (arg_bytes(env, argv[0], &path, &n) < 0) return NULL;
  bool abstract = n > 0 && path[0] == 0;
  if (n > sizeof sun.sun_path - (abstract ? 0 : 1)) return make_errno(env, ENAMETOOLONG);
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  if (n > 0) memcpy(sun.sun_path, path, n); /* an empty view may have no data pointer */
  size_t len = offsetof(struct sockaddr_un, sun_path) + n + (abstract || n == 0 ? 0 : 1);
  return packed(env, &sun, len);
}

/* inetPton(af, text, out) → 0 with the 4 or 16 bytes written to `out` (a byte view of
 * at least that many bytes, allocated by TypeScript), or -EINVAL / -EAFNOSUPPORT.
 * Writing into a buffer JavaScript allocated is several times cheaper than creating a
 * Buffer here (napi_create_buffer_copy mallocs a backing store per call). */
static napi_value inet_pton_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t family;
  char text[HOST_TEXT_MAX];
  unsigned char bytes[16];
  uint8_t *out;
  size_t out_len;
  if (arg_int32(env, argv[0], &family) < 0) return NULL;
  if (family != AF_INET && family != AF_INET6) return make_errno(env, EAFNOSUPPORT);
  int rc = host_text(env, argv[1], text, sizeof text);
  if (rc == -1) return NULL;
  if (arg_bytes(env, argv[2], &out, &out_len) < 0) return NULL;
  size_t n = family == AF_INET ? 4 : 16;
  if (out_len < n) {
    napi_throw_range_error(env, NULL, "usocket core: inet_pton output buffer too small");
    return NULL;
  }
  if (rc < 0 || inet_pton(family, text, bytes) != 1) return make_errno(env, EINVAL);
  memcpy(out, bytes, n);
  return make_int(env, 0);
}

/* inetNtop(af, bytes) → string, or -EAFNOSUPPORT, or -EINVAL for a wrong length
 * (TypeScript turns that into a RangeError before it gets here). */
static napi_value inet_ntop_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t family;
  uint8_t *bytes;
  size_t n;
  char text[INET6_ADDRSTRLEN];
  napi_value result;
  if (arg_int32(env, argv[0], &family) < 0) return NULL;
  if (family != AF_INET && family != AF_INET6) return make_errno(env, EAFNOSUPPORT);
  if (arg_bytes(env, argv[1], &bytes, &n) < 0) return NULL;
  if (n != (family == AF_INET ? 4u : 16u)) return make_errno(env, EINVAL);
  if (inet_ntop(family, bytes, text, sizeof text) == NULL) return make_errno(env, errno);
  NAPI_OK(napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &result));
  return result;
}

/* Optional string argument: null/undefined → NULL. Returns 0, -EINVAL (bad text), -1 (thrown). */
static int optional_text(napi_env env, napi_value value, char *buf, size_t size, char **out) {
  size_t n;
  /* The string first, without asking its type: one Node-API call in the common case. */
  if (napi_get_value_string_utf8(env, value, buf, size, &n) == napi_ok) {
    *out = buf;
    return !text_complete(env, value, n, size) || strlen(buf) != n ? -EINVAL : 0;
  }
  napi_valuetype type;
  if (napi_typeof(env, value, &type) == napi_ok && (type == napi_null || type == napi_undefined)) {
    *out = NULL;
    return 0;
  }
  napi_throw_type_error(env, NULL, "usocket core: expected a string or null");
  return -1;
}

/* The resolver's error as a negative number whatever the system's sign convention. */
static int negative_eai(int code) {
  return code < 0 ? code : -code;
}

napi_value getaddrinfo_results(napi_env env, const struct addrinfo *list) {
  napi_value result, entry, item;
  uint32_t index = 0;
  NAPI_OK(napi_create_array(env, &result));
  for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
    NAPI_OK(napi_create_array_with_length(env, 5, &entry));
    NAPI_OK(napi_set_element(env, entry, 0, make_int(env, ai->ai_family)));
    NAPI_OK(napi_set_element(env, entry, 1, make_int(env, ai->ai_socktype)));
    NAPI_OK(napi_set_element(env, entry, 2, make_int(env, ai->ai_protocol)));
    NAPI_OK(napi_create_string_utf8(env, ai->ai_canonname ? ai->ai_canonname : "", NAPI_AUTO_LENGTH, &item));
    NAPI_OK(napi_set_element(env, entry, 3, item));
    item = sockaddr_to_value(env, ai->ai_addr, ai->ai_addrlen);
    if (item == NULL) return NULL;
    NAPI_OK(napi_set_element(env, entry, 4, item));
    NAPI_OK(napi_set_element(env, result, index++, entry));
  }
  return result;
}

/* The host and service of a query (argv[0], argv[1]): 0, a negative EAI_* code, or -1 with
 * an exception pending. */
static int resolver_names(napi_env env, const napi_value *argv, struct resolver_query *query) {
  int rc = optional_text(env, argv[0], query->host_buf, sizeof query->host_buf, &query->host);
  if (rc == -1) return -1;
  if (rc < 0) return negative_eai(EAI_NONAME);
  rc = optional_text(env, argv[1], query->service_buf, sizeof query->service_buf, &query->service);
  if (rc == -1) return -1;
  if (rc < 0) return negative_eai(EAI_SERVICE);
  return 0;
}

static void resolver_hints(struct resolver_query *query, const int32_t values[4]) {
  memset(&query->hints, 0, sizeof query->hints);
  query->hints.ai_family = values[0];
  query->hints.ai_socktype = values[1];
  query->hints.ai_protocol = values[2];
  query->hints.ai_flags = values[3];
}

int resolver_arguments(napi_env env, const napi_value *argv, struct resolver_query *query) {
  int32_t hints_values[4];
  int rc = resolver_names(env, argv, query);
  if (rc != 0) return rc;
  for (int i = 0; i < 4; i++)
    if (arg_int32(env, argv[2 + i], &hints_values[i]) < 0) return -1;
  resolver_hints(query, hints_values);
  return 0;
}

int resolver_error(int rc, int saved_errno) {
#ifdef EAI_SYSTEM
  if (rc == EAI_SYSTEM) return saved_errno ? saved_errno : EIO;
#else
  (void)saved_errno;
#endif
  return negative_eai(rc);
}

/* The fast answer of getaddrinfo: when every result is AF_INET without a canonical name
 * and they fit, each is written to `slots` as five int32 (family, socktype, protocol,
 * port, address in host order), after the count in slots[0]; TypeScript builds the
 * tuples (the address text as inet_ntop prints it). Building them here costs a
 * napi_set_element (a generic property store) per field, several times the resolver's
 * own time for a numeric host. Returns 1 when written, 0 when the list does not qualify. */
#define GAI_SLOT_FIELDS 5
static int getaddrinfo_slots(const struct addrinfo *list, int32_t *slots, size_t capacity) {
  size_t count = 0;
  for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET || ai->ai_canonname != NULL || ai->ai_addr == NULL ||
        ai->ai_addrlen < sizeof(struct sockaddr_in) || ai->ai_addr->sa_family != AF_INET || count >= capacity)
      return 0;
    count++;
  }
  slots[0] = (int32_t)count;
  int32_t *slot = slots + 1;
  for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next, slot += GAI_SLOT_FIELDS) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;
    slot[0] = ai->ai_family;
    slot[1] = ai->ai_socktype;
    slot[2] = ai->ai_protocol;
    slot[3] = ntohs(sin->sin_port);
    slot[4] = (int32_t)ntohl(sin->sin_addr.s_addr);
  }
  return 1;
}

/* The Int32Array of hints and answers getaddrinfo(host, service) uses: one of this
 * thread's environment (one environment per thread), given once by gaiSlots() and kept
 * alive from then on, so that no call has to look it up again. */
static _Thread_local int32_t *gai_slots;
static _Thread_local size_t gai_slots_length;

/* gaiSlots(slots) → 0: registers the Int32Array (at least 4 elements) of getaddrinfo's
 * hints and answers. */
static napi_value gai_slots_js(napi_env env, napi_callback_info info) {
  GET_ARGS_N(env, info, argv, 1);
  int32_t *data;
  size_t length;
  if (arg_kept_int32_array(env, argv[0], 4, &data, &length) < 0) return NULL;
  gai_slots = data;
  gai_slots_length = length;
  return make_int(env, 0);
}

/* The decimal text of a port from 0 to 65535 into `buf` (at least 6 bytes). */
static void port_text(uint32_t port, char *buf) {
  char digits[5];
  int n = 0;
  do {
    digits[n++] = (char)('0' + port % 10);
    port /= 10;
  } while (port != 0 && n < 5);
  for (int i = 0; i < n; i++) buf[i] = digits[n - 1 - i];
  buf[n] = '\0';
}

/* getaddrinfo(host|null, service|port|null[, slots]) → array of 5-tuples, or `true` when
 * the results were written to the slots, or a number: the negative EAI_* code, or (for
 * EAI_SYSTEM) the positive errno. `slots` is an Int32Array that carries the hints in (family,
 * type, proto, flags in its first four elements) and the answer out (see getaddrinfo_slots):
 * one typed array instead of four number arguments, on a call programs make in loops;
 * without it, the array registered by gaiSlots. With no room for a result (four elements),
 * the answer always comes back as arrays. A port (a number TypeScript checked to be 0 to
 * 65535) goes to the resolver as its decimal text, what a C program passes: formatted here
 * it costs a few instructions, where reading a JavaScript string costs a conversion. */
static napi_value getaddrinfo_js(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  struct resolver_query query;
  struct addrinfo *list = NULL;
  size_t length;
  int32_t *slots;
  if (argc < 3) {
    slots = gai_slots;
    length = gai_slots_length;
    if (slots == NULL) {
      napi_throw_type_error(env, NULL, "usocket core: no getaddrinfo slots registered");
      return NULL;
    }
  } else if (arg_int32_array(env, argv[2], 4, &slots, &length) < 0) {
    return NULL;
  }
  double port;
  int rc;
  if (argc >= 2 && napi_get_value_double(env, argv[1], &port) == napi_ok) {
    if (!(port >= 0 && port <= 65535 && port == (double)(uint32_t)port)) {
      napi_throw_range_error(env, NULL, "usocket core: a port is an integer from 0 to 65535");
      return NULL;
    }
    rc = optional_text(env, argv[0], query.host_buf, sizeof query.host_buf, &query.host);
    if (rc == -1) return NULL;
    if (rc < 0) return make_int(env, negative_eai(EAI_NONAME));
    port_text((uint32_t)port, query.service_buf);
    query.service = query.service_buf;
  } else {
    rc = resolver_names(env, argv, &query);
    if (rc == -1) return NULL;
    if (rc < 0) return make_int(env, rc);
  }
  resolver_hints(&query, slots);
  rc = getaddrinfo(query.host, query.service, &query.hints, &list);
  if (rc != 0) return make_int(env, resolver_error(rc, errno));
  if (getaddrinfo_slots(list, slots, (length - 1) / GAI_SLOT_FIELDS)) {
    freeaddrinfo(list);
    napi_value yes;
    NAPI_OK(napi_get_boolean(env, true, &yes));
    return yes;
  }
  napi_value result = getaddrinfo_results(env, list);
  freeaddrinfo(list);
  return result;
}

static napi_value gai_strerror_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t code;
  napi_value result;
  if (arg_int32(env, argv[0], &code) < 0) return NULL;
#if defined(EAI_NONAME) && EAI_NONAME > 0
  code = -code; /* systems whose EAI_* are positive */
#endif
  NAPI_OK(napi_create_string_utf8(env, gai_strerror(code), NAPI_AUTO_LENGTH, &result));
  return result;
}

void register_addresses(napi_env env, napi_value exports) {
  static const struct export_entry entries[] = {
      {"packAddress", pack_address_js},
      {"packUnixAddress", pack_unix_address_js},
      {"inetPton", inet_pton_js},
      {"inetNtop", inet_ntop_js},
      {"getaddrinfo", getaddrinfo_js},
      {"gaiSlots", gai_slots_js},
      {"gaiStrerror", gai_strerror_js},
  };
  register_functions(env, exports, entries, sizeof entries / sizeof entries[0]);
}
