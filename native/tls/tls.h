/* The TLS addon (usocket_tls.node): OpenSSL as the running node exports it, driven from
 * TypeScript. A context is an SSL_CTX with the JavaScript callbacks it calls during a
 * handshake; a connection is an SSL whose records move through two memory BIOs (fed and
 * drained by the transport) or, for DTLS, through the descriptor itself. Every function
 * returns OpenSSL's own result codes; which of them is an error, and what kind, is
 * decided in TypeScript (src/tls-errors.ts). */
#ifndef USOCKET_TLS_H
#define USOCKET_TLS_H

#include <node_api.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

#define PSK_MAX 256

typedef struct tls_context {
  SSL_CTX *ctx;
  bool dtls;
  bool server;
  napi_ref verify_callback; /* (der, depth, preverifyOk, errorCode) → error code or 0 */
  napi_ref psk_lookup; /* server: (identity) → key bytes or null */
  unsigned char psk_identity[PSK_MAX + 1];
  unsigned char psk_key[PSK_MAX];
  size_t psk_key_len;
  bool psk_client;
  unsigned char cookie_secret[32];
} tls_context;

typedef struct tls_connection {
  SSL *ssl;
  BIO *in; /* ciphertext from the peer (memory BIO); NULL when attached to a descriptor */
  BIO *out; /* ciphertext for the peer (memory BIO); NULL when attached */
  napi_ref context_ref; /* keeps the context's callbacks alive as long as the SSL */
  uint8_t *scratch; /* receive buffer of recvFd, allocated on first use */
  unsigned char client_id[64];
  size_t client_id_len;
  bool cookie_sent; /* a DTLS server sent HelloVerifyRequest */
  bool cookie_ok; /* ... and a ClientHello came back with a valid cookie */
} tls_connection;

/* The environment of the call in progress on this thread: OpenSSL invokes the context's
 * callbacks inside SSL_do_handshake/SSL_read, which run inside a Node-API call. */
extern _Thread_local napi_env tls_call_env;
/* Set when a JavaScript callback threw: the exception is left pending and the Node-API
 * function returns NULL once OpenSSL is done, so it reaches the caller. */
extern _Thread_local bool tls_call_threw;

tls_context *context_from_js(napi_env env, napi_value value);
int context_ex_index(void);
void register_tls_context(napi_env env, napi_value exports);
void register_tls_connection(napi_env env, napi_value exports);

struct tls_entry {
  const char *name;
  napi_callback callback;
};
void tls_register(napi_env env, napi_value exports, const struct tls_entry *entries, size_t count);

#endif
