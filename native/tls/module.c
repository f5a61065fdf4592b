/* The TLS addon's entry point: OpenSSL's constants and error queue, and the context and
 * connection functions. Loaded only by usocket-node/ssl, so that the socket core does not
 * depend on the OpenSSL symbols of the running node. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "../args.h"
#include "tls.h"

_Thread_local napi_env tls_call_env = NULL;
_Thread_local bool tls_call_threw = false;

void tls_register(napi_env env, napi_value exports, const struct tls_entry *entries, size_t count) {
  for (size_t i = 0; i < count; i++) {
    napi_value fn;
    if (napi_create_function(env, entries[i].name, NAPI_AUTO_LENGTH, entries[i].callback, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, entries[i].name, fn) != napi_ok)
      return;
  }
}

static napi_value text(napi_env env, const char *s) {
  napi_value v;
  if (s == NULL) {
    if (napi_get_null(env, &v) != napi_ok) return NULL;
    return v;
  }
  if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  return v;
}

/* takeError() → null, or the most recent error on this thread's OpenSSL queue as
 * [library number, reason number, library text, reason text, full text]; clears the queue. */
static napi_value take_error(napi_env env, napi_callback_info info) {
  (void)info;
  unsigned long code = ERR_peek_last_error();
  napi_value result, v;
  if (code == 0) {
    NAPI_OK(napi_get_null(env, &result));
    return result;
  }
  char full[256];
  ERR_error_string_n(code, full, sizeof full);
  ERR_clear_error();
  NAPI_OK(napi_create_array_with_length(env, 5, &result));
  NAPI_OK(napi_create_int32(env, ERR_GET_LIB(code), &v));
  NAPI_OK(napi_set_element(env, result, 0, v));
  NAPI_OK(napi_create_int32(env, ERR_GET_REASON(code), &v));
  NAPI_OK(napi_set_element(env, result, 1, v));
  NAPI_OK(napi_set_element(env, result, 2, text(env, ERR_lib_error_string(code))));
  NAPI_OK(napi_set_element(env, result, 3, text(env, ERR_reason_error_string(code))));
  NAPI_OK(napi_set_element(env, result, 4, text(env, full)));
  return result;
}

/* verifyText(code) → OpenSSL's text for an X509_V_ERR_* code. */
static napi_value verify_text(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t code;
  if (arg_int32(env, argv[0], &code) < 0) return NULL;
  return text(env, X509_verify_cert_error_string(code));
}

struct named_int {
  const char *name;
  int value;
};
#define ENTRY(name) {#name, name},

static const struct named_int constants[] = {ENTRY(SSL_VERIFY_NONE) ENTRY(SSL_VERIFY_PEER) ENTRY(
    SSL_VERIFY_FAIL_IF_NO_PEER_CERT) ENTRY(SSL_ERROR_SSL) ENTRY(SSL_ERROR_WANT_READ) ENTRY(SSL_ERROR_WANT_WRITE)
        ENTRY(SSL_ERROR_WANT_X509_LOOKUP) ENTRY(SSL_ERROR_SYSCALL) ENTRY(SSL_ERROR_ZERO_RETURN) ENTRY(SSL_SENT_SHUTDOWN)
            ENTRY(SSL_RECEIVED_SHUTDOWN) ENTRY(TLS1_VERSION) ENTRY(TLS1_1_VERSION) ENTRY(TLS1_2_VERSION)
                ENTRY(TLS1_3_VERSION) ENTRY(DTLS1_VERSION) ENTRY(DTLS1_2_VERSION) ENTRY(ERR_LIB_SSL) ENTRY(ERR_LIB_X509)
                    ENTRY(ERR_LIB_PEM) ENTRY(ERR_LIB_ASN1) ENTRY(ERR_LIB_EVP) ENTRY(ERR_LIB_SYS) ENTRY(X509_V_OK)
                        ENTRY(X509_V_ERR_APPLICATION_VERIFICATION) ENTRY(X509_V_ERR_HOSTNAME_MISMATCH)
                            ENTRY(X509_V_ERR_IP_ADDRESS_MISMATCH) ENTRY(SSL_R_CERTIFICATE_VERIFY_FAILED)};

static napi_value init(napi_env env, napi_value exports) {
  napi_value object, v;
  context_ex_index();
  if (napi_create_object(env, &object) != napi_ok) return NULL;
  for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
    if (napi_create_int32(env, constants[i].value, &v) != napi_ok ||
        napi_set_named_property(env, object, constants[i].name, v) != napi_ok)
      return NULL;
  }
  if (napi_set_named_property(env, exports, "constants", object) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "version", text(env, OpenSSL_version(OPENSSL_VERSION))) != napi_ok)
    return NULL;
  static const struct tls_entry entries[] = {
      {"takeError", take_error},
      {"verifyText", verify_text},
  };
  tls_register(env, exports, entries, sizeof entries / sizeof entries[0]);
  register_tls_context(env, exports);
  register_tls_connection(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
