/* Reading arguments from JavaScript. TypeScript validates every argument before it
 * reaches the core; these checks are the last line that keeps a wrong call from
 * reading or writing outside memory, and they throw instead of guessing. */
#ifndef USOCKET_ARGS_H
#define USOCKET_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <node_api.h>

#define MAX_ARGS 8

/* Evaluates a Node-API call; on failure returns NULL from the calling function
 * (a pending exception, if any, propagates to JavaScript). */
#define NAPI_OK(call) \
  do { \
    if ((call) != napi_ok) return NULL; \
  } while (0)

/* napi_get_cb_info itself fills the slots past the arguments given with `undefined`. */
#define GET_ARGS(env, info, argv, argc) \
  napi_value argv[MAX_ARGS]; \
  size_t argc = MAX_ARGS; \
  NAPI_OK(napi_get_cb_info((env), (info), &argc, argv, NULL, NULL)); \
  (void)argc

/* The same for a function that reads exactly `n` (at most MAX_ARGS) arguments: the fewer
 * slots asked for, the less napi_get_cb_info copies and fills, on every call. */
#define GET_ARGS_N(env, info, argv, n) \
  napi_value argv[MAX_ARGS]; \
  do { \
    size_t argc_ = (n); \
    NAPI_OK(napi_get_cb_info((env), (info), &argc_, argv, NULL, NULL)); \
  } while (0)

/* Each returns 0 on success; otherwise a TypeError/RangeError is pending and -1 is returned. */
int arg_int32(napi_env env, napi_value value, int32_t *out);
int arg_uint32(napi_env env, napi_value value, uint32_t *out);
int arg_double(napi_env env, napi_value value, double *out);
/* Any ArrayBufferView or ArrayBuffer: its bytes. */
int arg_bytes(napi_env env, napi_value value, uint8_t **data, size_t *len);
/* A window [offset, offset + count) of a byte view, checked against its bounds. */
int arg_window(napi_env env, napi_value view, napi_value offset, napi_value count, uint8_t **data, size_t *len);
/* An Int32Array of at least `min` elements: its elements and how many there are. */
int arg_int32_array(napi_env env, napi_value value, size_t min, int32_t **data, size_t *count);
/* The same for an array the core keeps writing to between calls: it is held (a reference
 * never released) for as long as the environment lives. */
int arg_kept_int32_array(napi_env env, napi_value value, size_t min, int32_t **data, size_t *count);

/* Result values. */
napi_value make_int(napi_env env, int64_t value);
napi_value make_errno(napi_env env, int err); /* the number -err */

#endif
