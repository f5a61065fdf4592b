/* Each concern file exports its functions through one table, named for JavaScript. */
#ifndef USOCKET_REGISTER_H
#define USOCKET_REGISTER_H

#include <stddef.h>
#include <node_api.h>

struct export_entry {
  const char *name;
  napi_callback callback;
};

void register_functions(napi_env env, napi_value exports, const struct export_entry *entries, size_t count);

void register_addresses(napi_env env, napi_value exports);
void register_sockets(napi_env env, napi_value exports);
void register_wait(napi_env env, napi_value exports);
void register_constants(napi_env env, napi_value exports);
void register_readiness(napi_env env, napi_value exports);
void register_poll_async(napi_env env, napi_value exports);
void register_resolve_async(napi_env env, napi_value exports);
void register_interrupt(napi_env env, napi_value exports);

#endif
