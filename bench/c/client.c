/* The benchmark's C client: for each workload, the same system calls usocket's
 * synchronous path makes (send/recv with the same flags, sendto/recvfrom with an address,
 * socket+connect+close, inet_pton/inet_ntop/getaddrinfo), with nothing around them: the
 * physical limit the other peers are compared with.
 *
 *   client <workload> <port> <count> <warm>
 *
 * W1/W3/W4/W5*: count and warm are operations; W2/W2r: bytes (sent or received in
 * 64 KiB calls). The warm-up runs first and is not timed. W2's clock stops when the sink's
 * count arrives and W2r's at EOF, the same points for every peer. Prints one JSON line:
 * {"ns": <timed nanoseconds>, "ops": <timed operations>, "ok": true|false, "detail": "..."} */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static unsigned char buffer[CHUNK];

static void die(const char *what) {
  printf("{\"ns\": 0, \"ops\": 0, \"ok\": false, \"detail\": \"%s: %s\"}\n", what, strerror(errno));
  exit(1);
}

/* CPU time (user, system) of the process so far, in nanoseconds. Sampled when the timed
 * section starts and ends, so the report can separate the client's own CPU from waiting. */
static uint64_t cpu_start[2], cpu_end[2];

static void cpu_now(uint64_t out[2]) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  out[0] = (uint64_t)ru.ru_utime.tv_sec * 1000000000u + (uint64_t)ru.ru_utime.tv_usec * 1000u;
  out[1] = (uint64_t)ru.ru_stime.tv_sec * 1000000000u + (uint64_t)ru.ru_stime.tv_usec * 1000u;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
  return sin;
}

static int tcp_connect(int port) {
  struct sockaddr_in sin = loopback(port);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
  if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) die("connect");
  return fd;
}

static void report(uint64_t ns, long long ops, int ok, const char *detail) {
  printf("{\"ns\": %llu, \"ops\": %lld, \"userNs\": %llu, \"sysNs\": %llu, \"ok\": %s, \"detail\": \"%s\"}\n",
      (unsigned long long)ns, ops, (unsigned long long)(cpu_end[0] - cpu_start[0]),
      (unsigned long long)(cpu_end[1] - cpu_start[1]), ok ? "true" : "false", detail);
}

/* W1: one byte each way; every echoed byte is checked. */
static int w1(int port, long long count, long long warm, uint64_t *ns) {
  int fd = tcp_connect(port);
  uint64_t start = 0;
  for (long long i = 0; i < warm + count; i++) {
    if (i == warm) start = now_ns(), cpu_now(cpu_start);
    unsigned char b = (unsigned char)i, r;
    if (send(fd, &b, 1, MSG_NOSIGNAL) != 1) die("send");
    if (recv(fd, &r, 1, 0) != 1) die("recv");
    if (r != b) return 0;
  }
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  close(fd);
  return 1;
}

/* W2: bytes in 64 KiB send calls (short sends continue where they stopped); the sink
 * replies with the count it received. */
static int w2(int port, long long bytes, long long warm, uint64_t *ns) {
  int fd = tcp_connect(port);
  long long total = warm + bytes, sent = 0;
  uint64_t start = 0;
  if (warm == 0) start = now_ns(), cpu_now(cpu_start);
  memset(buffer, 0x5a, sizeof buffer);
  while (sent < total) {
    size_t off = (size_t)(sent % CHUNK);
    long long left = total - sent;
    size_t want = CHUNK - off < (unsigned long long)left ? CHUNK - off : (size_t)left;
    ssize_t n = send(fd, buffer + off, want, MSG_NOSIGNAL);
    if (n < 0) die("send");
    if (sent < warm && sent + n >= warm) start = now_ns(), cpu_now(cpu_start);
    sent += n;
  }
  shutdown(fd, SHUT_WR);
  char reply[64];
  size_t got = 0;
  for (;;) {
    ssize_t n = recv(fd, reply + got, sizeof reply - 1 - got, 0);
    if (n < 0) die("recv");
    if (n == 0) break;
    got += (size_t)n;
  }
  reply[got] = '\0';
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  close(fd);
  return strtoll(reply, NULL, 10) == total;
}

/* W2r: receive the source's stream in 64 KiB recv calls until EOF, checking the first
 * byte of every call against its position in the pattern. */
static int w2r(int port, long long bytes, long long warm, uint64_t *ns) {
  int fd = tcp_connect(port);
  long long got = 0;
  uint64_t start = 0;
  if (warm == 0) start = now_ns(), cpu_now(cpu_start);
  int ok = 1;
  for (;;) {
    ssize_t n = recv(fd, buffer, CHUNK, 0);
    if (n < 0) die("recv");
    if (n == 0) break;
    if (buffer[0] != (unsigned char)(got % 251)) ok = 0;
    if (got < warm && got + n >= warm) start = now_ns(), cpu_now(cpu_start);
    got += n;
  }
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  close(fd);
  return ok && got == warm + bytes;
}

/* W3: 64-byte datagrams to the UDP echo, each numbered and checked. */
static int w3(int port, long long count, long long warm, uint64_t *ns) {
  struct sockaddr_in to = loopback(port);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  unsigned char out[64], in[64];
  memset(out, 0x33, sizeof out);
  uint64_t start = 0;
  for (long long i = 0; i < warm + count; i++) {
    if (i == warm) start = now_ns(), cpu_now(cpu_start);
    uint32_t seq = (uint32_t)i;
    memcpy(out, &seq, 4);
    if (sendto(fd, out, sizeof out, MSG_NOSIGNAL, (struct sockaddr *)&to, sizeof to) != sizeof out) die("sendto");
    struct sockaddr_storage from;
    socklen_t len = sizeof from;
    if (recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &len) != sizeof in) die("recvfrom");
    if (memcmp(in, out, sizeof out) != 0) return 0;
  }
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  close(fd);
  return 1;
}

/* W4: socket + connect + close, sequentially. */
static int w4(int port, long long count, long long warm, uint64_t *ns) {
  struct sockaddr_in sin = loopback(port);
  uint64_t start = 0;
  for (long long i = 0; i < warm + count; i++) {
    if (i == warm) start = now_ns(), cpu_now(cpu_start);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) die("connect");
    close(fd);
  }
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  return 1;
}

/* W5a: inet_pton(AF_INET, "127.0.0.1"); the bytes are summed and checked. */
static int w5a(long long count, long long warm, uint64_t *ns) {
  const char *volatile text = "127.0.0.1";
  long long sum = 0;
  uint64_t start = 0;
  for (long long i = 0; i < warm + count; i++) {
    if (i == warm) start = now_ns(), cpu_now(cpu_start);
    unsigned char out[4];
    if (inet_pton(AF_INET, text, out) != 1) return 0;
    sum += out[0] + out[1] + out[2] + out[3];
  }
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  return sum == (warm + count) * 128;
}

/* W5b: inet_ntop(AF_INET, {127,0,0,1}); the text lengths are summed and checked. */
static int w5b(long long count, long long warm, uint64_t *ns) {
  unsigned char bytes[4] = {127, 0, 0, 1};
  unsigned char *volatile in = bytes;
  long long sum = 0;
  uint64_t start = 0;
  for (long long i = 0; i < warm + count; i++) {
    if (i == warm) start = now_ns(), cpu_now(cpu_start);
    char text[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, in, text, sizeof text) == NULL) return 0;
    sum += (long long)strlen(text);
  }
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  return sum == (warm + count) * 9;
}

/* W5c: getaddrinfo("127.0.0.1", "80") with no hints, as usocket passes them; every call
 * must give at least one result, the first being 127.0.0.1 port 80. */
static int w5c(long long count, long long warm, uint64_t *ns) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  uint64_t start = 0;
  for (long long i = 0; i < warm + count; i++) {
    if (i == warm) start = now_ns(), cpu_now(cpu_start);
    struct addrinfo *list = NULL;
    if (getaddrinfo("127.0.0.1", "80", &hints, &list) != 0 || list == NULL) return 0;
    const struct sockaddr_in *sin = (const struct sockaddr_in *)list->ai_addr;
    int good =
        list->ai_family == AF_INET && ntohs(sin->sin_port) == 80 && ntohl(sin->sin_addr.s_addr) == INADDR_LOOPBACK;
    freeaddrinfo(list);
    if (!good) return 0;
  }
  *ns = now_ns() - start;
  cpu_now(cpu_end);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: client W1|W2|W2r|W3|W4|W5a|W5b|W5c <port> <count> <warm>\n");
    return 2;
  }
  const char *w = argv[1];
  int port = atoi(argv[2]);
  long long count = atoll(argv[3]), warm = atoll(argv[4]);
  uint64_t ns = 0;
  int ok;
  long long ops = count;
  if (strcmp(w, "W1") == 0)
    ok = w1(port, count, warm, &ns);
  else if (strcmp(w, "W2") == 0)
    ok = w2(port, count, warm, &ns), ops = count / CHUNK;
  else if (strcmp(w, "W2r") == 0)
    ok = w2r(port, count, warm, &ns), ops = count / CHUNK;
  else if (strcmp(w, "W3") == 0)
    ok = w3(port, count, warm, &ns);
  else if (strcmp(w, "W4") == 0)
    ok = w4(port, count, warm, &ns);
  else if (strcmp(w, "W5a") == 0)
    ok = w5a(count, warm, &ns);
  else if (strcmp(w, "W5b") == 0)
    ok = w5b(count, warm, &ns);
  else if (strcmp(w, "W5c") == 0)
    ok = w5c(count, warm, &ns);
  else {
    fprintf(stderr, "client: unknown workload %s\n", w);
    return 2;
  }
  report(ns, ops, ok, ok ? "verified" : "verification failed");
  return ok ? 0 : 1;
}
