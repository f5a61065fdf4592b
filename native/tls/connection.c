/* One SSL per SSLSocket. Records move through two memory BIOs: the transport feeds what
 * the peer sent (feed, or recvFd straight from a descriptor) and sends what OpenSSL wrote
 * (drain, or sendFd). The same engine can instead be attached to the descriptor (SSL_set_fd,
 * or a datagram BIO for DTLS), where OpenSSL makes the system calls itself. Results are
 * OpenSSL's: a byte count, or the negated SSL_get_error() code; -errno from the system
 * calls of recvFd/sendFd. */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../args.h"
#include "tls.h"

static const napi_type_tag CONNECTION_TAG = {0x75736f636b746c73ULL, 0x436f6e6e65637421ULL};

/* Receive size of recvFd: several full records per system call. */
#define SCRATCH_SIZE (64 * 1024)

static tls_connection *connection_from_js(napi_env env, napi_value value) {
  void *data = NULL;
  napi_valuetype type;
  bool tagged = false;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &CONNECTION_TAG, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "usocket tls: expected a TLS connection");
    return NULL;
  }
  tls_connection *conn = data;
  if (conn->ssl == NULL) {
    napi_throw_error(env, "EBADF", "usocket tls: the TLS connection was freed");
    return NULL;
  }
  return conn;
}

static void connection_release(napi_env env, tls_connection *conn) {
  if (conn->ssl != NULL) SSL_free(conn->ssl); /* frees the BIOs it owns */
  conn->ssl = NULL;
  conn->in = conn->out = NULL;
  free(conn->scratch);
  conn->scratch = NULL;
  if (conn->context_ref != NULL) napi_delete_reference(env, conn->context_ref);
  conn->context_ref = NULL;
}

static void connection_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  connection_release(env, data);
  free(data);
}

/* Brackets every call into OpenSSL that may run a JavaScript callback. */
static void enter(napi_env env) {
  tls_call_env = env;
  tls_call_threw = false;
  ERR_clear_error();
}

/* The result of an SSL call: n, or -SSL_get_error; NULL when a callback threw. */
static napi_value leave(napi_env env, tls_connection *conn, int rc) {
  tls_call_env = NULL;
  if (tls_call_threw) {
    tls_call_threw = false;
    ERR_clear_error();
    return NULL;
  }
  return make_int(env, rc > 0 ? rc : -SSL_get_error(conn->ssl, rc));
}

static int cookie_of(SSL *ssl, unsigned char *out, unsigned int *len) {
  tls_connection *conn = SSL_get_app_data(ssl);
  tls_context *c = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_ex_index());
  if (conn == NULL || c == NULL) return 0;
  unsigned char material[sizeof c->cookie_secret + sizeof conn->client_id];
  memcpy(material, c->cookie_secret, sizeof c->cookie_secret);
  memcpy(material + sizeof c->cookie_secret, conn->client_id, conn->client_id_len);
  return EVP_Digest(material, sizeof c->cookie_secret + conn->client_id_len, out, len, EVP_sha256(), NULL);
}

/* DTLS cookies are bound to the client_id the server was given for this client (the
 * transport address is not visible through a connected socket's BIO). */
static int cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len) {
  tls_connection *conn = SSL_get_app_data(ssl);
  if (conn != NULL) conn->cookie_sent = true;
  return cookie_of(ssl, cookie, len);
}

static int cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len) {
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  tls_connection *conn = SSL_get_app_data(ssl);
  int ok = cookie_of(ssl, expected, &n) && n == len && CRYPTO_memcmp(expected, cookie, n) == 0;
  if (ok && conn != NULL) conn->cookie_ok = true;
  return ok;
}

static int optional_text(napi_env env, napi_value value, char *out, size_t size, bool *present) {
  napi_valuetype type;
  *present = false;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (type == napi_null || type == napi_undefined) return 0;
  size_t len;
  if (type != napi_string || napi_get_value_string_utf8(env, value, out, size, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket tls: expected a string");
    return -1;
  }
  if (len + 1 >= size || strlen(out) != len) {
    napi_throw_range_error(env, NULL, "usocket tls: name too long or containing NUL");
    return -1;
  }
  *present = true;
  return 0;
}

/* connectionNew(ctx, server, sniName | null, verifyHost | null, verifyIp | null, clientId | null)
 * → connection, or null (error queue). */
static napi_value connection_new(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_context *c = context_from_js(env, argv[0]);
  bool server, has_sni, has_host, has_ip;
  char sni[256], host[256], ip[64];
  if (c == NULL || napi_get_value_bool(env, argv[1], &server) != napi_ok) {
    if (c != NULL) napi_throw_type_error(env, NULL, "usocket tls: expected a boolean");
    return NULL;
  }
  if (optional_text(env, argv[2], sni, sizeof sni, &has_sni) < 0 ||
      optional_text(env, argv[3], host, sizeof host, &has_host) < 0 ||
      optional_text(env, argv[4], ip, sizeof ip, &has_ip) < 0)
    return NULL;
  uint8_t *client_id = NULL;
  size_t client_id_len = 0;
  napi_valuetype type;
  NAPI_OK(napi_typeof(env, argv[5], &type));
  if (type != napi_null && type != napi_undefined) {
    if (arg_bytes(env, argv[5], &client_id, &client_id_len) < 0) return NULL;
    if (client_id_len > sizeof((tls_connection *)0)->client_id) {
      napi_throw_range_error(env, NULL, "usocket tls: client_id longer than 64 bytes");
      return NULL;
    }
  }
  napi_value result;
  ERR_clear_error();
  tls_connection *conn = calloc(1, sizeof *conn);
  if (conn == NULL) {
    napi_throw_error(env, "ENOMEM", "usocket tls: out of memory");
    return NULL;
  }
  conn->ssl = SSL_new(c->ctx);
  conn->in = BIO_new(BIO_s_mem());
  conn->out = BIO_new(BIO_s_mem());
  if (conn->ssl == NULL || conn->in == NULL || conn->out == NULL) {
    /* The BIOs are not the SSL's yet. */
    BIO_free(conn->in);
    BIO_free(conn->out);
    goto fail;
  }
  SSL_set_bio(conn->ssl, conn->in, conn->out);
  SSL_set_app_data(conn->ssl, conn);
  if (server)
    SSL_set_accept_state(conn->ssl);
  else
    SSL_set_connect_state(conn->ssl);
  if (has_sni && SSL_set_tlsext_host_name(conn->ssl, sni) != 1) goto fail;
  if (has_host && SSL_set1_host(conn->ssl, host) != 1) goto fail;
  if (has_ip && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(conn->ssl), ip) != 1) goto fail;
  if (client_id != NULL) {
    memcpy(conn->client_id, client_id, client_id_len);
    conn->client_id_len = client_id_len;
    if (c->dtls && server) {
      SSL_CTX_set_cookie_generate_cb(c->ctx, cookie_generate);
      SSL_CTX_set_cookie_verify_cb(c->ctx, cookie_verify);
      SSL_set_options(conn->ssl, SSL_OP_COOKIE_EXCHANGE);
    }
  }
  if (napi_create_reference(env, argv[0], 1, &conn->context_ref) != napi_ok) goto fail;
  if (napi_create_external(env, conn, connection_finalize, NULL, &result) != napi_ok) {
    connection_release(env, conn);
    free(conn);
    return NULL;
  }
  NAPI_OK(napi_type_tag_object(env, result, &CONNECTION_TAG));
  return result;
fail:
  SSL_free(conn->ssl); /* NULL-safe; frees the BIOs once they were set */
  free(conn);
  NAPI_OK(napi_get_null(env, &result));
  return result;
}

/* connectionAttach(conn, fd, datagram) → 1, or 0 (error queue): from now on OpenSSL reads
 * and writes the descriptor itself (a datagram BIO for DTLS over a connected socket). */
static napi_value connection_attach(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  int32_t fd;
  bool datagram;
  if (conn == NULL || arg_int32(env, argv[1], &fd) < 0) return NULL;
  if (napi_get_value_bool(env, argv[2], &datagram) != napi_ok) {
    napi_throw_type_error(env, NULL, "usocket tls: expected a boolean");
    return NULL;
  }
  if (fd < 0) {
    napi_throw_range_error(env, NULL, "usocket tls: bad descriptor");
    return NULL;
  }
  ERR_clear_error();
  BIO *bio = datagram ? BIO_new_dgram(fd, BIO_NOCLOSE) : BIO_new_socket(fd, BIO_NOCLOSE);
  if (bio == NULL) return make_int(env, 0);
  if (datagram) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0) BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &peer);
  }
  SSL_set_bio(conn->ssl, bio, bio); /* frees the memory BIOs */
  conn->in = conn->out = NULL;
  return make_int(env, 1);
}

static napi_value connection_handshake(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL) return NULL;
  enter(env);
  int rc = SSL_do_handshake(conn->ssl);
  return leave(env, conn, rc);
}

/* connectionRead(conn, buf, offset, length, peek) → bytes, or -SSL_get_error. */
static napi_value connection_read(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  uint8_t *data;
  size_t len;
  bool peek = false;
  if (conn == NULL || arg_window(env, argv[1], argv[2], argv[3], &data, &len) < 0) return NULL;
  napi_get_value_bool(env, argv[4], &peek);
  if (len > INT32_MAX) len = INT32_MAX;
  enter(env);
  int rc = len == 0 ? 0 : peek ? SSL_peek(conn->ssl, data, (int)len) : SSL_read(conn->ssl, data, (int)len);
  if (len == 0) {
    tls_call_env = NULL;
    return make_int(env, 0);
  }
  return leave(env, conn, rc);
}

/* connectionWrite(conn, data, offset, length) → bytes taken, or -SSL_get_error. */
static napi_value connection_write(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  uint8_t *data;
  size_t len;
  if (conn == NULL || arg_window(env, argv[1], argv[2], argv[3], &data, &len) < 0) return NULL;
  if (len == 0) return make_int(env, 0);
  if (len > INT32_MAX) len = INT32_MAX;
  enter(env);
  int rc = SSL_write(conn->ssl, data, (int)len);
  return leave(env, conn, rc);
}

/* connectionShutdown(conn) → 0 (close_notify sent), 1 (both sent), or -SSL_get_error. */
static napi_value connection_shutdown(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL) return NULL;
  enter(env);
  int rc = SSL_shutdown(conn->ssl);
  tls_call_env = NULL;
  if (tls_call_threw) {
    tls_call_threw = false;
    return NULL;
  }
  return make_int(env, rc >= 0 ? rc : -SSL_get_error(conn->ssl, rc));
}

static bool memory_bios(napi_env env, tls_connection *conn) {
  if (conn->in != NULL) return true;
  napi_throw_error(env, "EINVAL", "usocket tls: the connection is attached to a descriptor");
  return false;
}

/* connectionFeed(conn, data, offset, length) → bytes taken: ciphertext from the peer. */
static napi_value connection_feed(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  uint8_t *data;
  size_t len;
  if (conn == NULL || arg_window(env, argv[1], argv[2], argv[3], &data, &len) < 0 || !memory_bios(env, conn))
    return NULL;
  if (len > INT32_MAX) len = INT32_MAX;
  int rc = len == 0 ? 0 : BIO_write(conn->in, data, (int)len);
  return make_int(env, rc < 0 ? 0 : rc);
}

/* connectionFeedEof(conn): the peer's end of the stream (nothing more will be fed). */
static napi_value connection_feed_eof(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL || !memory_bios(env, conn)) return NULL;
  BIO_set_mem_eof_return(conn->in, 0);
  return make_int(env, 0);
}

/* connectionDrain(conn, out, offset, length) → bytes of ciphertext for the peer. */
static napi_value connection_drain(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  uint8_t *data;
  size_t len;
  if (conn == NULL || arg_window(env, argv[1], argv[2], argv[3], &data, &len) < 0 || !memory_bios(env, conn))
    return NULL;
  if (len > INT32_MAX) len = INT32_MAX;
  int rc = len == 0 ? 0 : BIO_read(conn->out, data, (int)len);
  return make_int(env, rc < 0 ? 0 : rc);
}

/* connectionBuffered(conn) → [decrypted bytes ready, ciphertext received and not yet
 * decrypted, ciphertext waiting to be sent]. */
static napi_value connection_buffered(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL) return NULL;
  int64_t counts[3] = {SSL_pending(conn->ssl), conn->in == NULL ? 0 : (int64_t)BIO_ctrl_pending(conn->in),
      conn->out == NULL ? 0 : (int64_t)BIO_ctrl_pending(conn->out)};
  napi_value result, n;
  NAPI_OK(napi_create_array_with_length(env, 3, &result));
  for (uint32_t i = 0; i < 3; i++) {
    NAPI_OK(napi_create_int64(env, counts[i], &n));
    NAPI_OK(napi_set_element(env, result, i, n));
  }
  return result;
}

/* connectionRecvFd(conn, fd, flags) → bytes received from the descriptor into the input
 * BIO (0 at end of stream), or -errno. */
static napi_value connection_recv_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  int32_t fd, flags;
  if (conn == NULL || arg_int32(env, argv[1], &fd) < 0 || arg_int32(env, argv[2], &flags) < 0 ||
      !memory_bios(env, conn))
    return NULL;
  if (conn->scratch == NULL && (conn->scratch = malloc(SCRATCH_SIZE)) == NULL) return make_errno(env, ENOMEM);
  ssize_t n;
  do n = recv(fd, conn->scratch, SCRATCH_SIZE, flags);
  while (n < 0 && errno == EINTR);
  if (n < 0) return make_errno(env, errno);
  if (n > 0 && BIO_write(conn->in, conn->scratch, (int)n) != (int)n) return make_errno(env, ENOMEM);
  return make_int(env, n);
}

/* connectionSendFd(conn, fd, flags) → ciphertext bytes still waiting after sending what the
 * descriptor takes (0: all sent), or -errno for an error other than EAGAIN. */
static napi_value connection_send_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  int32_t fd, flags;
  if (conn == NULL || arg_int32(env, argv[1], &fd) < 0 || arg_int32(env, argv[2], &flags) < 0 ||
      !memory_bios(env, conn))
    return NULL;
  for (;;) {
    char *data;
    long waiting = BIO_get_mem_data(conn->out, &data);
    if (waiting <= 0) return make_int(env, 0);
    ssize_t n;
    do n = send(fd, data, (size_t)waiting, flags | MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? make_int(env, waiting) : make_errno(env, errno);
    if (n == waiting) {
      /* All of it went: emptying the BIO costs nothing (no copy). */
      (void)BIO_reset(conn->out);
      return make_int(env, 0);
    }
    /* Drop what went out: a read of a memory BIO only advances its start. */
    char sink[4096];
    for (ssize_t left = n; left > 0;) {
      int step = BIO_read(conn->out, sink, left > (ssize_t)sizeof sink ? (int)sizeof sink : (int)left);
      if (step <= 0) break;
      left -= step;
    }
  }
}

/* connectionCipher(conn) → [name, protocol, secret bits] or null before a handshake. */
static napi_value connection_cipher(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL) return NULL;
  const SSL_CIPHER *cipher = SSL_get_current_cipher(conn->ssl);
  napi_value result, v;
  if (cipher == NULL) {
    NAPI_OK(napi_get_null(env, &result));
    return result;
  }
  NAPI_OK(napi_create_array_with_length(env, 3, &result));
  NAPI_OK(napi_create_string_utf8(env, SSL_CIPHER_get_name(cipher), NAPI_AUTO_LENGTH, &v));
  NAPI_OK(napi_set_element(env, result, 0, v));
  NAPI_OK(napi_create_string_utf8(env, SSL_get_version(conn->ssl), NAPI_AUTO_LENGTH, &v));
  NAPI_OK(napi_set_element(env, result, 1, v));
  NAPI_OK(napi_create_int32(env, SSL_CIPHER_get_bits(cipher, NULL), &v));
  NAPI_OK(napi_set_element(env, result, 2, v));
  return result;
}

/* connectionPeerCertificate(conn) → the peer's certificate as DER, or null. */
static napi_value connection_peer_certificate(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL) return NULL;
  X509 *cert = SSL_get1_peer_certificate(conn->ssl);
  napi_value result;
  int len = cert == NULL ? -1 : i2d_X509(cert, NULL);
  if (len <= 0) {
    X509_free(cert);
    NAPI_OK(napi_get_null(env, &result));
    return result;
  }
  void *data;
  napi_status status = napi_create_buffer(env, (size_t)len, &data, &result);
  if (status == napi_ok) {
    unsigned char *p = data;
    i2d_X509(cert, &p);
  }
  X509_free(cert);
  return status == napi_ok ? result : NULL;
}

/* connectionState(conn) → [handshake done, verify result, cookie sent, cookie accepted,
 * shutdown flags]. */
static napi_value connection_state(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL) return NULL;
  int64_t values[5] = {SSL_is_init_finished(conn->ssl), SSL_get_verify_result(conn->ssl), conn->cookie_sent,
      conn->cookie_ok, SSL_get_shutdown(conn->ssl)};
  napi_value result, n;
  NAPI_OK(napi_create_array_with_length(env, 5, &result));
  for (uint32_t i = 0; i < 5; i++) {
    NAPI_OK(napi_create_int64(env, values[i], &n));
    NAPI_OK(napi_set_element(env, result, i, n));
  }
  return result;
}

/* connectionDtlsTimer(conn, handle) → ms until DTLS retransmits (-1: no timer); with
 * handle=true, first lets an expired timer retransmit. */
static napi_value connection_dtls_timer(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  bool handle = false;
  if (conn == NULL) return NULL;
  napi_get_value_bool(env, argv[1], &handle);
  if (handle) {
    enter(env);
    DTLSv1_handle_timeout(conn->ssl);
    tls_call_env = NULL;
    if (tls_call_threw) {
      tls_call_threw = false;
      return NULL;
    }
  }
  struct timeval tv;
  if (DTLSv1_get_timeout(conn->ssl, &tv) != 1) return make_int(env, -1);
  return make_int(env, (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
}

/* connectionDtlsListen(conn, fd, flags) → 1 when the next datagram is a client hello with a
 * valid cookie (the handshake goes on with connectionHandshake), 0 when a cookie was sent
 * back instead (or the datagram was not a usable hello), -errno from recv, or -1000 for a
 * fatal error (error queue). OpenSSL's DTLSv1_listen is given exactly one datagram, through
 * a memory BIO, so that it returns once it has answered: it would otherwise go on reading,
 * and take the client's second hello in the same call. */
static napi_value connection_dtls_listen(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  int32_t fd, flags;
  if (conn == NULL || arg_int32(env, argv[1], &fd) < 0 || arg_int32(env, argv[2], &flags) < 0) return NULL;
  if (conn->scratch == NULL && (conn->scratch = malloc(SCRATCH_SIZE)) == NULL) return make_errno(env, ENOMEM);
  ssize_t n;
  do n = recv(fd, conn->scratch, SCRATCH_SIZE, flags);
  while (n < 0 && errno == EINTR);
  if (n < 0) return make_errno(env, errno);
  BIO *datagram = SSL_get_wbio(conn->ssl);
  BIO *one = BIO_new_mem_buf(conn->scratch, (int)n);
  BIO_ADDR *peer = BIO_ADDR_new();
  if (datagram == NULL || one == NULL || peer == NULL) {
    BIO_free(one);
    BIO_ADDR_free(peer);
    return make_errno(env, ENOMEM);
  }
  BIO_set_mem_eof_return(one, -1);
  SSL_set0_rbio(conn->ssl, one); /* the datagram BIO stays referenced as the write BIO */
  enter(env);
  int rc = DTLSv1_listen(conn->ssl, peer);
  tls_call_env = NULL;
  BIO_ADDR_free(peer);
  BIO_up_ref(datagram);
  SSL_set0_rbio(conn->ssl, datagram);
  if (tls_call_threw) {
    tls_call_threw = false;
    return NULL;
  }
  return make_int(env, rc < 0 ? -1000 : rc);
}

/* connectionFree(conn): releases the SSL now instead of at garbage collection. */
static napi_value connection_free(napi_env env, napi_callback_info info) {
  GET_ARGS(env, info, argv, argc);
  tls_connection *conn = connection_from_js(env, argv[0]);
  if (conn == NULL) return NULL;
  connection_release(env, conn);
  return make_int(env, 0);
}

void register_tls_connection(napi_env env, napi_value exports) {
  static const struct tls_entry entries[] = {
      {"connectionNew", connection_new},
      {"connectionAttach", connection_attach},
      {"connectionHandshake", connection_handshake},
      {"connectionRead", connection_read},
      {"connectionWrite", connection_write},
      {"connectionShutdown", connection_shutdown},
      {"connectionFeed", connection_feed},
      {"connectionFeedEof", connection_feed_eof},
      {"connectionDrain", connection_drain},
      {"connectionBuffered", connection_buffered},
      {"connectionRecvFd", connection_recv_fd},
      {"connectionSendFd", connection_send_fd},
      {"connectionCipher", connection_cipher},
      {"connectionPeerCertificate", connection_peer_certificate},
      {"connectionState", connection_state},
      {"connectionDtlsTimer", connection_dtls_timer},
      {"connectionDtlsListen", connection_dtls_listen},
      {"connectionFree", connection_free},
  };
  tls_register(env, exports, entries, sizeof entries / sizeof entries[0]);
}
