#include "args.h"

#include <stdio.h>

/* napi_get_value_int32 would take NaN and the infinities as 0, cut fractions and wrap
 * 2^32 to 0: a caller's mistake would silently become another descriptor or flag. Every
 * comparison below is false for NaN, and the range check comes before the cast (casting
 * an out-of-range double is undefined behaviour). */
static int integer_in(napi_env env, napi_value value, double low, double high, double *out) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket core: expected a number");
    return -1;
  }
  if (!(d >= low && d <= high) || d != (double)(int64_t)d) {
    napi_throw_range_error(env, NULL, "usocket core: expected an integer in range");
    return -1;
  }
  *out = d;
  return 0;
}

int arg_int32(napi_env env, napi_value value, int32_t *out) {
  double d;
  if (integer_in(env, value, (double)INT32_MIN, (double)INT32_MAX, &d) < 0) return -1;
  *out = (int32_t)d;
  return 0;
}

int arg_uint32(napi_env env, napi_value value, uint32_t *out) {
  double d;
  if (integer_in(env, value, 0, (double)UINT32_MAX, &d) < 0) return -1;
  *out = (uint32_t)d;
  return 0;
}

int arg_double(napi_env env, napi_value value, double *out) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket core: expected a number");
    return -1;
  }
  return 0;
}

static size_t element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array: return 8;
    default: return 1;
  }
}

int arg_bytes(napi_env env, napi_value value, uint8_t **data, size_t *len) {
  bool is;
  void *ptr = NULL;
  napi_typedarray_type type;
  size_t count;
  /* Any ArrayBufferView (Buffer, every typed array, DataView) first, without asking: one
   * Node-API call on the path every send and recv takes. napi_get_buffer_info gives the
   * view's bytes directly, where napi_get_typedarray_info first works out the element type
   * (a chain of type tests, about 250 instructions a call); for anything else it fails
   * without throwing. */
  if (napi_get_buffer_info(env, value, &ptr, len) == napi_ok) {
    *data = ptr;
    return 0;
  }
  if (napi_get_typedarray_info(env, value, &type, &count, &ptr, NULL, NULL) == napi_ok) {
    *data = ptr;
    *len = count * element_size(type);
    return 0;
  }
  if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    if (napi_get_dataview_info(env, value, len, &ptr, NULL, NULL) != napi_ok) return -1;
    *data = ptr;
    return 0;
  }
  if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, value, &ptr, len) != napi_ok) return -1;
    *data = ptr;
    return 0;
  }
  napi_throw_type_error(env, NULL, "usocket core: expected an ArrayBufferView");
  return -1;
}

int arg_window(napi_env env, napi_value view, napi_value offset, napi_value count, uint8_t **data, size_t *len) {
  uint8_t *base;
  size_t size;
  double off, n;
  if (arg_bytes(env, view, &base, &size) < 0) return -1;
  if (integer_in(env, offset, 0, 9007199254740991.0, &off) < 0 || integer_in(env, count, 0, 9007199254740991.0, &n) < 0)
    return -1;
  if (!(off <= (double)size && n <= (double)size - off)) {
    napi_throw_range_error(env, NULL, "usocket core: window outside the buffer");
    return -1;
  }
  *data = base + (size_t)off;
  *len = (size_t)n;
  return 0;
}

int arg_int32_array(napi_env env, napi_value value, size_t min, int32_t **data, size_t *count) {
  napi_typedarray_type type;
  void *ptr;
  /* Fails without throwing for anything that is not a typed array. */
  if (napi_get_typedarray_info(env, value, &type, count, &ptr, NULL, NULL) != napi_ok || type != napi_int32_array ||
      *count < min) {
    char message[80];
    snprintf(message, sizeof message, "usocket core: expected an Int32Array of at least %zu elements", min);
    napi_throw_type_error(env, NULL, message);
    return -1;
  }
  *data = ptr;
  return 0;
}

int arg_kept_int32_array(napi_env env, napi_value value, size_t min, int32_t **data, size_t *count) {
  napi_ref keep;
  if (arg_int32_array(env, value, min, data, count) < 0) return -1;
  /* The memory of an ArrayBuffer does not move, and the reference keeps it alive. */
  if (napi_create_reference(env, value, 1, &keep) == napi_ok) return 0;
  napi_throw_error(env, NULL, "usocket core: could not keep the Int32Array");
  return -1;
}

napi_value make_int(napi_env env, int64_t value) {
  napi_value result;
  /* Byte counts and errnos fit an int32: the cheaper call, a small integer at once. */
  if (value >= INT32_MIN && value <= INT32_MAX) {
    if (napi_create_int32(env, (int32_t)value, &result) != napi_ok) return NULL;
  } else if (napi_create_int64(env, value, &result) != napi_ok) {
    return NULL;
  }
  return result;
}

napi_value make_errno(napi_env env, int err) {
  return make_int(env, -(int64_t)err);
}
