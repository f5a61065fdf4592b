/* The C client of bench/tls.js (the limit the other peers are compared with): the OpenSSL
 * calls usocket's TLS engine makes, on a plain blocking socket.
 *   tls-client bulk PORT CA BYTES WARM    W6: send BYTES (64 KiB writes), then receive BYTES
 *   tls-client handshake PORT CA N WARM   W7: N connections, each a full TLS 1.3 handshake
 * Prints one JSON line: seconds for the timed part (after WARM warm-up units). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process: with the machine busy, wall time includes
 * waiting for a core, CPU time is the client's own cost. */
static double cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static SSL *connect_tls(SSL_CTX *ctx, int port, int *fd_out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("connect");
    exit(1);
  }
  SSL *ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "localhost");
  SSL_set1_host(ssl, "localhost");
  if (SSL_connect(ssl) != 1) {
    ERR_print_errors_fp(stderr);
    exit(1);
  }
  *fd_out = fd;
  return ssl;
}

static void finish(SSL *ssl, int fd) {
  SSL_shutdown(ssl);
  SSL_free(ssl);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: tls-client bulk|handshake PORT CA COUNT WARM\n");
    return 2;
  }
  int port = atoi(argv[2]);
  uint64_t count = strtoull(argv[4], NULL, 10), warm = strtoull(argv[5], NULL, 10);
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, argv[3], NULL);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
  int fd;
  if (strcmp(argv[1], "handshake") == 0) {
    double start = 0, cpu0 = 0;
    for (uint64_t i = 0; i < warm + count; i++) {
      if (i == warm) {
        start = now();
        cpu0 = cpu();
      }
      SSL *ssl = connect_tls(ctx, port, &fd);
      char k;
      if (SSL_read(ssl, &k, 1) != 1) return 1;
      finish(ssl, fd);
    }
    printf("{\"ok\":true,\"seconds\":%.6f,\"cpu\":%.6f,\"count\":%llu}\n", now() - start, cpu() - cpu0,
        (unsigned long long)count);
    return 0;
  }
  static unsigned char buf[CHUNK];
  memset(buf, 0xa5, sizeof buf);
  SSL *ssl = connect_tls(ctx, port, &fd);
  uint64_t n = count;
  unsigned char header[8];
  for (int i = 0; i < 8; i++) header[i] = (unsigned char)(n >> (56 - 8 * i));
  SSL_write(ssl, header, 8);
  double t0 = 0, t1, t2 = 0, c0 = 0, c1, c2 = 0;
  for (uint64_t sent = 0; sent < n;) {
    if (sent == warm) {
      t0 = now();
      c0 = cpu();
    }
    int len = n - sent < CHUNK ? (int)(n - sent) : CHUNK;
    if (SSL_write(ssl, buf, len) != len) return 1;
    sent += (uint64_t)len;
  }
  char k;
  if (SSL_read(ssl, &k, 1) != 1) return 1;
  t1 = now();
  c1 = cpu();
  for (uint64_t got = 0; got < n;) {
    if (got >= warm && t2 == 0) {
      t2 = now();
      c2 = cpu();
    }
    int r = SSL_read(ssl, buf, CHUNK);
    if (r <= 0) return 1;
    got += (uint64_t)r;
  }
  double t3 = now(), c3 = cpu();
  finish(ssl, fd);
  printf("{\"ok\":true,\"send\":%.6f,\"receive\":%.6f,\"sendCpu\":%.6f,\"receiveCpu\":%.6f,\"bytes\":%llu}\n", t1 - t0,
      t3 - t2, c1 - c0, c3 - c2, (unsigned long long)(n - warm));
  return 0;
}
