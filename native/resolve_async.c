/* getaddrinfoAsync: the system resolver on libuv's thread pool (napi_async_work), so a
 * slow DNS answer never blocks the event loop. Arguments are read and results built
 * exactly as the synchronous getaddrinfo does (addresses.c); only the call moves. */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>

#include "addresses.h"
#include "args.h"
#include "register.h"

struct resolve_request {
  struct resolver_query query;
  struct addrinfo *list;
  int rc;
  int saved_errno;
  napi_deferred deferred;
  napi_async_work work;
};

/* On a pool thread: no Node-API here. */
static void resolve_execute(napi_env env, void *data) {
  (void)env;
  struct resolve_request *request = data;
  errno = 0;
  request->rc = getaddrinfo(request->query.host, request->query.service, &request->query.hints, &request->list);
  request->saved_errno = errno;
}

/* Back on the loop's thread: settle the Promise with what the synchronous call returns
 * (the array, or the error number), or reject if building the array threw. */
static void resolve_complete(napi_env env, napi_status status, void *data) {
  struct resolve_request *request = data;
  napi_value result = NULL;
  if (status == napi_ok && request->rc == 0) {
    result = getaddrinfo_results(env, request->list);
  } else if (status == napi_ok) {
    result = make_int(env, resolver_error(request->rc, request->saved_errno));
  } else {
    result = make_int(env, ECANCELED); /* a positive errno, as for EAI_SYSTEM */
  }
  if (result != NULL) {
    napi_resolve_deferred(env, request->deferred, result);
  } else {
    napi_value error;
    if (napi_get_and_clear_last_exception(env, &error) != napi_ok || error == NULL) napi_get_undefined(env, &error);
    napi_reject_deferred(env, request->deferred, error);
  }
  if (request->list != NULL) freeaddrinfo(request->list);
  napi_delete_async_work(env, request->work);
  free(request);
}

/* getaddrinfoAsync(host|null, service|null, family, type, proto, flags) → Promise of what
 * getaddrinfo returns: the array of 5-tuples, or the error number. */
static napi_value getaddrinfo_async_js(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  napi_value promise, name;
  struct resolve_request *request = calloc(1, sizeof *request);
  if (request == NULL) {
    napi_throw_error(env, "ENOMEM", "usocket core: out of memory");
    return NULL;
  }
  int rc = resolver_arguments(env, argv, &request->query);
  if (rc == -1) {
    free(request);
    return NULL;
  }
  if (napi_create_promise(env, &request->deferred, &promise) != napi_ok) {
    free(request);
    return NULL;
  }
  if (rc < 0) { /* text the resolver cannot take: the same error number, settled at once */
    napi_resolve_deferred(env, request->deferred, make_int(env, rc));
    free(request);
    return promise;
  }
  if (napi_create_string_latin1(env, "usocket:getaddrinfo", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, resolve_execute, resolve_complete, request, &request->work) != napi_ok) {
    napi_resolve_deferred(env, request->deferred, make_int(env, ENOMEM));
    free(request);
    return promise;
  }
  if (napi_queue_async_work(env, request->work) != napi_ok) {
    napi_resolve_deferred(env, request->deferred, make_int(env, ENOMEM));
    napi_delete_async_work(env, request->work);
    free(request);
  }
  return promise;
}

void register_resolve_async(napi_env env, napi_value exports) {
  static const struct export_entry entries[] = {
      {"getaddrinfoAsync", getaddrinfo_async_js},
  };
  register_functions(env, exports, entries, sizeof entries / sizeof entries[0]);
}
