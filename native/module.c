/* The addon's entry point: one exports object gathering each concern's functions. */
#include "register.h"

void register_functions(napi_env env, napi_value exports, const struct export_entry *entries, size_t count) {
  for (size_t i = 0; i < count; i++) {
    napi_value fn;
    if (napi_create_function(env, entries[i].name, NAPI_AUTO_LENGTH, entries[i].callback, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, entries[i].name, fn) != napi_ok)
      return;
  }
}

static napi_value init(napi_env env, napi_value exports) {
  register_constants(env, exports);
  register_sockets(env, exports);
  register_addresses(env, exports);
  register_wait(env, exports);
  register_readiness(env, exports);
  register_poll_async(env, exports);
  register_resolve_async(env, exports);
  register_interrupt(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
