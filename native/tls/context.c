/* SSL_CTX: one per SSLContext. Certificates and keys arrive as bytes (TypeScript reads
 * files), PEM or DER; the JavaScript callbacks (verification, the PSK server's key lookup)
 * are called from inside OpenSSL during a handshake. Results are OpenSSL's: 1 for success,
 * 0 for failure with the reason left on OpenSSL's error queue. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "../args.h"
#include "tls.h"

static const napi_type_tag CONTEXT_TAG = {0x75736f636b746c73ULL, 0x436f6e7465787421ULL};

static int ex_index = -1;

int context_ex_index(void) {
  /* Called first from module init (the main thread), so the lazy set-up does not race. */
  if (ex_index < 0) ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
  return ex_index;
}

tls_context *context_from_js(napi_env env, napi_value value) {
  void *data = NULL;
  napi_valuetype type;
  bool tagged = false;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &CONTEXT_TAG, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "usocket tls: expected a TLS context");
    return NULL;
  }
  return data;
}

static void drop_ref(napi_env env, napi_ref *ref) {
  if (*ref != NULL) napi_delete_reference(env, *ref);
  *ref = NULL;
}

static void context_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  tls_context *c = data;
  drop_ref(env, &c->verify_callback);
  drop_ref(env, &c->psk_lookup);
  SSL_CTX_free(c->ctx);
  OPENSSL_cleanse(c->psk_key, sizeof c->psk_key);
  free(c);
}

static bool is_nullish(napi_env env, napi_value value) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) != napi_ok || type == napi_null || type == napi_undefined;
}

/* contextNew(kind) → context, or null (error queue): kind 0 TLS client, 1 TLS server,
 * 2 DTLS client, 3 DTLS server. */
static napi_value context_new(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  int32_t kind;
  if (arg_int32(env, argv[0], &kind) < 0) return NULL;
  if (kind < 0 || kind > 3) {
    napi_throw_range_error(env, NULL, "usocket tls: unknown context kind");
    return NULL;
  }
  const SSL_METHOD *methods[4] = {TLS_client_method(), TLS_server_method(), DTLS_client_method(), DTLS_server_method()};
  SSL_CTX *ctx = SSL_CTX_new(methods[kind]);
  napi_value result;
  if (ctx == NULL) {
    NAPI_OK(napi_get_null(env, &result));
    return result;
  }
  tls_context *c = calloc(1, sizeof *c);
  if (c == NULL) {
    SSL_CTX_free(ctx);
    napi_throw_error(env, "ENOMEM", "usocket tls: out of memory");
    return NULL;
  }
  c->ctx = ctx;
  c->dtls = kind >= 2;
  c->server = (kind & 1) != 0;
  if (RAND_bytes(c->cookie_secret, sizeof c->cookie_secret) != 1)
    memset(c->cookie_secret, 0x5a, sizeof c->cookie_secret);
  SSL_CTX_set_ex_data(ctx, context_ex_index(), c);
  /* Partial writes are not needed with memory BIOs, but a moving buffer is: a retried
   * write may come from another JavaScript buffer holding the same bytes. */
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (napi_create_external(env, c, context_finalize, NULL, &result) != napi_ok) {
    SSL_CTX_free(ctx);
    free(c);
    return NULL;
  }
  NAPI_OK(napi_type_tag_object(env, result, &CONTEXT_TAG));
  return result;
}

/* Calls `fn` with `args`; false when it threw (the exception stays pending). */
static bool call_js(napi_ref fn_ref, size_t argc, napi_value *args, napi_value *result) {
  napi_env env = tls_call_env;
  napi_value fn, recv;
  if (env == NULL || tls_call_threw) return false;
  if (napi_get_reference_value(env, fn_ref, &fn) != napi_ok || fn == NULL ||
      napi_get_undefined(env, &recv) != napi_ok || napi_call_function(env, recv, fn, argc, args, result) != napi_ok) {
    tls_call_threw = true;
    return false;
  }
  return true;
}

/* OpenSSL's verification callback: hands each certificate, its depth, OpenSSL's verdict
 * and error code to JavaScript, which returns the error code to stand (0 = accepted). */
static int verify_callback(int ok, X509_STORE_CTX *store) {
  SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
  if (ssl == NULL) return ok;
  tls_context *c = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_ex_index());
  if (c == NULL || c->verify_callback == NULL) return ok;
  napi_env env = tls_call_env;
  if (env == NULL || tls_call_threw) return 0;
  X509 *cert = X509_STORE_CTX_get_current_cert(store);
  int len = cert == NULL ? 0 : i2d_X509(cert, NULL);
  napi_value args[4], result;
  void *data = NULL;
  if (len < 0) len = 0;
  if (napi_create_buffer(env, (size_t)len, &data, &args[0]) != napi_ok) {
    tls_call_threw = true;
    return 0;
  }
  if (len > 0) {
    unsigned char *p = data;
    i2d_X509(cert, &p);
  }
  if (napi_create_int32(env, X509_STORE_CTX_get_error_depth(store), &args[1]) != napi_ok ||
      napi_get_boolean(env, ok != 0, &args[2]) != napi_ok ||
      napi_create_int32(env, X509_STORE_CTX_get_error(store), &args[3]) != napi_ok) {
    tls_call_threw = true;
    return 0;
  }
  if (!call_js(c->verify_callback, 4, args, &result)) return 0;
  int32_t code = X509_V_ERR_APPLICATION_VERIFICATION;
  napi_get_value_int32(env, result, &code);
  X509_STORE_CTX_set_error(store, code);
  return code == X509_V_OK;
}

/* contextSetVerify(ctx, mode, callback | null): mode is OpenSSL's SSL_VERIFY_* flags. */
static napi_value context_set_verify(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  int32_t mode;
  if (c == NULL || arg_int32(env, argv[1], &mode) < 0) return NULL;
  drop_ref(env, &c->verify_callback);
  if (!is_nullish(env, argv[2])) NAPI_OK(napi_create_reference(env, argv[2], 1, &c->verify_callback));
  SSL_CTX_set_verify(c->ctx, mode, c->verify_callback != NULL ? verify_callback : NULL);
  return make_int(env, 1);
}

static bool looks_pem(const uint8_t *data, size_t len) {
  static const char marker[] = "-----BEGIN";
  size_t m = sizeof marker - 1;
  for (size_t i = 0; i + m <= len; i++)
    if (memcmp(data + i, marker, m) == 0) return true;
  return false;
}

/* contextUseCertificate(ctx, certBytes, keyBytes) → 1, or 0 (error queue): PEM (a chain:
 * the first certificate is the leaf) or one DER certificate; the key PEM or DER (PKCS#1,
 * SEC1 or PKCS#8), checked against the certificate. */
static napi_value context_use_certificate(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  uint8_t *cert_data, *key_data;
  size_t cert_len, key_len;
  if (c == NULL || arg_bytes(env, argv[1], &cert_data, &cert_len) < 0 ||
      arg_bytes(env, argv[2], &key_data, &key_len) < 0)
    return NULL;
  if (cert_len > INT32_MAX || key_len > INT32_MAX) {
    napi_throw_range_error(env, NULL, "usocket tls: certificate or key too large");
    return NULL;
  }
  int ok = 0;
  X509 *leaf = NULL;
  EVP_PKEY *key = NULL;
  BIO *bio = NULL;
  if (looks_pem(cert_data, cert_len)) {
    bio = BIO_new_mem_buf(cert_data, (int)cert_len);
    leaf = bio == NULL ? NULL : PEM_read_bio_X509(bio, NULL, NULL, NULL);
  } else {
    const unsigned char *p = cert_data;
    leaf = d2i_X509(NULL, &p, (long)cert_len);
  }
  if (leaf == NULL || SSL_CTX_use_certificate(c->ctx, leaf) != 1) goto done;
  SSL_CTX_clear_chain_certs(c->ctx);
  if (bio != NULL) {
    X509 *extra;
    while ((extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
      if (SSL_CTX_add0_chain_cert(c->ctx, extra) != 1) {
        X509_free(extra);
        goto done;
      }
    }
    ERR_clear_error(); /* the end of the PEM data is reported as an error */
  }
  if (looks_pem(key_data, key_len)) {
    BIO *kbio = BIO_new_mem_buf(key_data, (int)key_len);
    key = kbio == NULL ? NULL : PEM_read_bio_PrivateKey(kbio, NULL, NULL, NULL);
    BIO_free(kbio);
  } else {
    const unsigned char *p = key_data;
    key = d2i_AutoPrivateKey(NULL, &p, (long)key_len);
  }
  if (key == NULL || SSL_CTX_use_PrivateKey(c->ctx, key) != 1) goto done;
  ok = SSL_CTX_check_private_key(c->ctx);
done:
  X509_free(leaf);
  EVP_PKEY_free(key);
  BIO_free(bio);
  return make_int(env, ok);
}

/* contextAddCA(ctx, bytes) → how many certificates were added (PEM, one or more; or one
 * DER certificate), 0 with the error queue when none could be. */
static napi_value context_add_ca(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  uint8_t *data;
  size_t len;
  if (c == NULL || arg_bytes(env, argv[1], &data, &len) < 0) return NULL;
  if (len > INT32_MAX) {
    napi_throw_range_error(env, NULL, "usocket tls: certificate data too large");
    return NULL;
  }
  X509_STORE *store = SSL_CTX_get_cert_store(c->ctx);
  int added = 0;
  if (looks_pem(data, len)) {
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    X509 *cert;
    while (bio != NULL && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
      int rc = X509_STORE_add_cert(store, cert);
      X509_free(cert);
      if (rc != 1) {
        added = 0;
        break;
      }
      added++;
    }
    BIO_free(bio);
    if (added > 0) ERR_clear_error();
  } else {
    const unsigned char *p = data;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    if (cert != NULL && X509_STORE_add_cert(store, cert) == 1) added = 1;
    X509_free(cert);
  }
  return make_int(env, added);
}

/* Reads an optional string argument into a malloc'd buffer (NULL when null/undefined). */
static int optional_string(napi_env env, napi_value value, char **out) {
  *out = NULL;
  if (is_nullish(env, value)) return 0;
  size_t len;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket tls: expected a string");
    return -1;
  }
  *out = malloc(len + 1);
  if (*out == NULL) {
    napi_throw_error(env, "ENOMEM", "usocket tls: out of memory");
    return -1;
  }
  napi_get_value_string_utf8(env, value, *out, len + 1, &len);
  if (strlen(*out) != len) { /* an embedded NUL would silently shorten a path or list */
    free(*out);
    *out = NULL;
    napi_throw_type_error(env, NULL, "usocket tls: string contains a NUL character");
    return -1;
  }
  return 0;
}

/* contextLoadLocations(ctx, file | null, dir | null) → 1 or 0 (error queue). */
static napi_value context_load_locations(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  char *file, *dir;
  if (c == NULL || optional_string(env, argv[1], &file) < 0) return NULL;
  if (optional_string(env, argv[2], &dir) < 0) {
    free(file);
    return NULL;
  }
  int ok = SSL_CTX_load_verify_locations(c->ctx, file, dir);
  free(file);
  free(dir);
  return make_int(env, ok);
}

/* defaultPaths() → [file, dir, fileEnvName, dirEnvName] as this OpenSSL was built. */
static napi_value default_paths(napi_env env, napi_callback_info info) {
  (void)info;
  const char *parts[4] = {X509_get_default_cert_file(), X509_get_default_cert_dir(), X509_get_default_cert_file_env(),
      X509_get_default_cert_dir_env()};
  napi_value result, s;
  NAPI_OK(napi_create_array_with_length(env, 4, &result));
  for (uint32_t i = 0; i < 4; i++) {
    NAPI_OK(napi_create_string_utf8(env, parts[i], NAPI_AUTO_LENGTH, &s));
    NAPI_OK(napi_set_element(env, result, i, s));
  }
  return result;
}

/* contextSetCiphers(ctx, tls12List | null, tls13Suites | null) → 1 or 0 (error queue). */
static napi_value context_set_ciphers(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  char *list, *suites;
  if (c == NULL || optional_string(env, argv[1], &list) < 0) return NULL;
  if (optional_string(env, argv[2], &suites) < 0) {
    free(list);
    return NULL;
  }
  int ok = 1;
  if (list != NULL) ok = SSL_CTX_set_cipher_list(c->ctx, list);
  if (ok == 1 && suites != NULL) ok = SSL_CTX_set_ciphersuites(c->ctx, suites);
  free(list);
  free(suites);
  return make_int(env, ok);
}

/* contextGetCiphers(ctx) → the enabled suites' IANA names, in preference order. */
static napi_value context_get_ciphers(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  if (c == NULL) return NULL;
  STACK_OF(SSL_CIPHER) *ciphers = SSL_CTX_get_ciphers(c->ctx);
  int n = ciphers == NULL ? 0 : sk_SSL_CIPHER_num(ciphers);
  napi_value result, name;
  NAPI_OK(napi_create_array_with_length(env, (size_t)n, &result));
  for (int i = 0; i < n; i++) {
    const char *text = SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(ciphers, i));
    if (text == NULL) text = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i));
    NAPI_OK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &name));
    NAPI_OK(napi_set_element(env, result, (uint32_t)i, name));
  }
  return result;
}

/* cipherName(ianaName) → OpenSSL's name for it, or null when OpenSSL does not know it. */
static napi_value cipher_name(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  char *std;
  napi_value result;
  if (optional_string(env, argv[0], &std) < 0) return NULL;
  const char *name = std == NULL ? NULL : OPENSSL_cipher_name(std);
  if (name == NULL || strcmp(name, "(NONE)") == 0) {
    free(std);
    NAPI_OK(napi_get_null(env, &result));
    return result;
  }
  napi_status status = napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result);
  free(std);
  return status == napi_ok ? result : NULL;
}

static unsigned int psk_client_callback(
    SSL *ssl, const char *hint, char *identity, unsigned int max_identity, unsigned char *psk, unsigned int max_psk) {
  (void)hint;
  tls_context *c = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_ex_index());
  if (c == NULL || !c->psk_client) return 0;
  size_t id_len = strlen((const char *)c->psk_identity);
  if (id_len + 1 > max_identity || c->psk_key_len > max_psk) return 0;
  memcpy(identity, c->psk_identity, id_len + 1);
  memcpy(psk, c->psk_key, c->psk_key_len);
  return (unsigned int)c->psk_key_len;
}

static unsigned int psk_server_callback(SSL *ssl, const char *identity, unsigned char *psk, unsigned int max_psk) {
  tls_context *c = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_ex_index());
  if (c == NULL || c->psk_lookup == NULL || identity == NULL) return 0;
  napi_env env = tls_call_env;
  if (env == NULL || tls_call_threw) return 0;
  napi_value arg, result;
  void *copy;
  size_t id_len = strlen(identity);
  if (napi_create_buffer_copy(env, id_len, identity, &copy, &arg) != napi_ok) {
    tls_call_threw = true;
    return 0;
  }
  if (!call_js(c->psk_lookup, 1, &arg, &result)) return 0;
  uint8_t *key;
  size_t key_len;
  bool is_view = false;
  if (napi_is_typedarray(env, result, &is_view) != napi_ok || !is_view) return 0;
  if (arg_bytes(env, result, &key, &key_len) < 0) {
    tls_call_threw = true;
    return 0;
  }
  if (key_len == 0 || key_len > max_psk) return 0;
  memcpy(psk, key, key_len);
  return (unsigned int)key_len;
}

/* contextSetPskClient(ctx, identityBytes, keyBytes) → 1; identity without NUL bytes. */
static napi_value context_set_psk_client(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  uint8_t *id, *key;
  size_t id_len, key_len;
  if (c == NULL || arg_bytes(env, argv[1], &id, &id_len) < 0 || arg_bytes(env, argv[2], &key, &key_len) < 0)
    return NULL;
  if (id_len > PSK_MAX || key_len == 0 || key_len > PSK_MAX || memchr(id, 0, id_len) != NULL) {
    napi_throw_range_error(env, NULL, "usocket tls: PSK identity or key of an unusable size");
    return NULL;
  }
  memcpy(c->psk_identity, id, id_len);
  c->psk_identity[id_len] = 0;
  memcpy(c->psk_key, key, key_len);
  c->psk_key_len = key_len;
  c->psk_client = true;
  SSL_CTX_set_psk_client_callback(c->ctx, psk_client_callback);
  return make_int(env, 1);
}

/* contextSetPskServer(ctx, lookup): lookup(identityBytes) → key bytes, or anything else
 * for an unknown identity. */
static napi_value context_set_psk_server(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  if (c == NULL) return NULL;
  drop_ref(env, &c->psk_lookup);
  NAPI_OK(napi_create_reference(env, argv[1], 1, &c->psk_lookup));
  SSL_CTX_set_psk_server_callback(c->ctx, psk_server_callback);
  return make_int(env, 1);
}

/* contextSetVersions(ctx, min, max) → 1 or 0: protocol versions as OpenSSL numbers
 * (0 = the library's limit). */
static napi_value context_set_versions(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  int32_t min, max;
  if (c == NULL || arg_int32(env, argv[1], &min) < 0 || arg_int32(env, argv[2], &max) < 0) return NULL;
  int ok = SSL_CTX_set_min_proto_version(c->ctx, min) == 1 && SSL_CTX_set_max_proto_version(c->ctx, max) == 1;
  return make_int(env, ok);
}

/* contextSetOptions(ctx, set, clear) → the options now in force (lower 31 bits). */
static napi_value context_set_options(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  double set, clear;
  if (c == NULL || arg_double(env, argv[1], &set) < 0 || arg_double(env, argv[2], &clear) < 0) return NULL;
  if (clear > 0) SSL_CTX_clear_options(c->ctx, (uint64_t)clear);
  uint64_t now = SSL_CTX_set_options(c->ctx, (uint64_t)(set > 0 ? set : 0));
  return make_int(env, (int64_t)(now & 0x7fffffff));
}

/* contextSecurityLevel(ctx, level) → the security level now in force; a level of 0 to 5
 * replaces it first, anything below 0 only reads it. */
static napi_value context_security_level(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  int32_t level;
  if (c == NULL || arg_int32(env, argv[1], &level) < 0) return NULL;
  if (level > 5) {
    napi_throw_range_error(env, NULL, "usocket tls: security level above 5");
    return NULL;
  }
  if (level >= 0) SSL_CTX_set_security_level(c->ctx, level);
  return make_int(env, SSL_CTX_get_security_level(c->ctx));
}

void register_tls_context(napi_env env, napi_value exports) {
  static const struct tls_entry entries[] = {
      {"contextNew", context_new},
      {"contextSetVerify", context_set_verify},
      {"contextUseCertificate", context_use_certificate},
      {"contextAddCA", context_add_ca},
      {"contextLoadLocations", context_load_locations},
      {"defaultPaths", default_paths},
      {"contextSetCiphers", context_set_ciphers},
      {"contextGetCiphers", context_get_ciphers},
      {"cipherName", cipher_name},
      {"contextSetPskClient", context_set_psk_client},
      {"contextSetPskServer", context_set_psk_server},
      {"contextSetVersions", context_set_versions},
      {"contextSetOptions", context_set_options},
      {"contextSecurityLevel", context_security_level},
  };
  tls_register(env, exports, entries, sizeof entries / sizeof entries[0]);
}
