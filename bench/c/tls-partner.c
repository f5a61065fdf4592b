/* The TLS partner of bench/tls.js: an OpenSSL server on 127.0.0.1 that serves connections
 * one after another until killed. Prints "PORT n" once listening.
 *   tls-partner bulk CERT KEY       W6: read an 8-byte size N, N bytes, ack 1 byte, send N
 *                                   bytes in 64 KiB writes, wait for the client's close
 *   tls-partner handshake CERT KEY  W7: full handshake, write 1 byte, close
 * TLS 1.3 with TLS_AES_128_GCM_SHA256 only; no session tickets (every handshake is full). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK 65536

static int read_full(SSL *ssl, unsigned char *buf, int len) {
  int got = 0;
  while (got < len) {
    int n = SSL_read(ssl, buf + got, len - got);
    if (n <= 0) return -1;
    got += n;
  }
  return got;
}

static void serve_bulk(SSL *ssl) {
  static unsigned char buf[CHUNK];
  unsigned char header[8];
  if (read_full(ssl, header, 8) < 0) return;
  uint64_t n = 0;
  for (int i = 0; i < 8; i++) n = n << 8 | header[i];
  for (uint64_t got = 0; got < n;) {
    int want = n - got < CHUNK ? (int)(n - got) : CHUNK;
    int r = SSL_read(ssl, buf, want);
    if (r <= 0) return;
    got += (uint64_t)r;
  }
  if (SSL_write(ssl, "k", 1) != 1) return;
  memset(buf, 0x5a, sizeof buf);
  for (uint64_t sent = 0; sent < n;) {
    int len = n - sent < CHUNK ? (int)(n - sent) : CHUNK;
    if (SSL_write(ssl, buf, len) != len) return;
    sent += (uint64_t)len;
  }
  SSL_read(ssl, buf, 1); /* the client's close */
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: tls-partner bulk|handshake CERT KEY\n");
    return 2;
  }
  int bulk = strcmp(argv[1], "bulk") == 0;
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") != 1) {
    ERR_print_errors_fp(stderr);
    return 1;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 128) != 0 ||
      getsockname(ls, (struct sockaddr *)&addr, &len) != 0) {
    perror("listen");
    return 1;
  }
  printf("PORT %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    int fd = accept(ls, NULL, NULL);
    if (fd < 0) continue;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      if (bulk)
        serve_bulk(ssl);
      else
        SSL_write(ssl, "k", 1);
      SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
  }
}
