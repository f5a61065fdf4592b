/* The benchmark's partner servers, one binary with a mode argument. Every peer of a
 * workload talks to the same partner process, one connection (or datagram flow) at a
 * time. Loopback only; the partner binds port 0 and prints "PORT <n>" on stdout.
 *
 *   partner echo-tcp   <seconds> <max-conns>           echo every byte back (W1)
 *   partner sink       <seconds> <max-conns>           count bytes to EOF, reply "<count>\n" (W2)
 *   partner source     <seconds> <max-conns> <bytes>   send <bytes> then close (W2r)
 *   partner echo-udp   <seconds>                       echo every datagram to its sender (W3)
 *   partner accept-close <seconds> <max-conns>         accept and close at once (W4)
 *
 * The partner exits by itself after <max-conns> connections or <seconds> (SIGALRM),
 * whichever comes first, or when the runner exits (Linux); the runner also kills it when it
 * is done.
 *
 * On SIGUSR1 it prints its own CPU time so far, "CPU <user ns> <system ns>", on stdout: the
 * runner asks before and after each client, so a report can put the partner's CPU per
 * operation beside the client's (/proc/PID/schedstat reads zero on some kernels, and only
 * the process itself sees its getrusage). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define CHUNK (256 * 1024)

static unsigned char buffer[CHUNK];

static void die(const char *what) {
  perror(what);
  exit(2);
}

/* Decimal digits of `value` at the end of `end` (exclusive); returns where they start. */
static char *digits(uint64_t value, char *end) {
  do *--end = (char)('0' + value % 10);
  while ((value /= 10) != 0);
  return end;
}

/* The SIGUSR1 handler: getrusage and write only, formatted by hand (printf is not
 * async-signal-safe). SA_RESTART resumes the call it interrupted. */
static void report_cpu(int sig) {
  (void)sig;
  int saved = errno;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  uint64_t user = (uint64_t)ru.ru_utime.tv_sec * 1000000000u + (uint64_t)ru.ru_utime.tv_usec * 1000u;
  uint64_t sys = (uint64_t)ru.ru_stime.tv_sec * 1000000000u + (uint64_t)ru.ru_stime.tv_usec * 1000u;
  char line[64];
  char *end = line + sizeof line;
  *--end = '\n';
  end = digits(sys, end);
  *--end = ' ';
  end = digits(user, end);
  end -= 4;
  memcpy(end, "CPU ", 4);
  ssize_t left = line + sizeof line - end;
  while (left > 0) {
    ssize_t n = write(STDOUT_FILENO, end, (size_t)left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    end += n;
    left -= n;
  }
  errno = saved;
}

static long parse_long(const char *text, const char *name) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < 0) {
    fprintf(stderr, "partner: bad %s: %s\n", name, text);
    exit(2);
  }
  return value;
}

/* A socket bound to 127.0.0.1 port 0; prints the port the system chose. */
static int bound_socket(int type) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin.sin_port = 0;
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) die("bind");
  socklen_t len = sizeof sin;
  if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0) die("getsockname");
  if (type == SOCK_STREAM && listen(fd, 1024) < 0) die("listen");
  printf("PORT %d\n", ntohs(sin.sin_port));
  fflush(stdout);
  return fd;
}

static int accept_one(int listener) {
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != EINTR && errno != ECONNABORTED) die("accept");
  }
}

static void nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Sends all of buf; returns 0, or -1 when the peer has gone. */
static int send_all(int fd, const unsigned char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static void echo_connection(int fd) {
  nodelay(fd);
  for (;;) {
    ssize_t n = recv(fd, buffer, CHUNK, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (send_all(fd, buffer, (size_t)n) < 0) break;
  }
  close(fd);
}

static void sink_connection(int fd) {
  unsigned long long total = 0;
  for (;;) {
    ssize_t n = recv(fd, buffer, CHUNK, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += (unsigned long long)n;
  }
  char reply[32];
  int len = snprintf(reply, sizeof reply, "%llu\n", total);
  send_all(fd, (const unsigned char *)reply, (size_t)len);
  close(fd);
}

static unsigned char pattern[CHUNK + 251];

/* Byte i of the stream is (i mod 251), so a client can check any byte it receives
 * against its position; sending from pattern + (sent mod 251) keeps the partner's cost
 * at one send per chunk. */
static void source_connection(int fd, unsigned long long bytes) {
  unsigned long long sent = 0;
  while (sent < bytes) {
    size_t want = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
    ssize_t n = send(fd, pattern + sent % 251, want, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    sent += (unsigned long long)n;
  }
  close(fd);
}

static void echo_udp(int fd) {
  for (;;) {
    struct sockaddr_storage from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buffer, CHUNK, 0, (struct sockaddr *)&from, &len);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recvfrom");
    }
    if (n == 4 && memcmp(buffer, "QUIT", 4) == 0) return;
    while (sendto(fd, buffer, (size_t)n, 0, (struct sockaddr *)&from, len) < 0 && errno == EINTR) {}
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: partner echo-tcp|sink|source|echo-udp|accept-close <seconds> [max-conns] [bytes]\n");
    return 2;
  }
  const char *mode = argv[1];
  alarm((unsigned)parse_long(argv[2], "seconds"));
#ifdef __linux__
  /* Also go when the runner goes, however it ends (taskset execs us, so the runner is the
   * parent). */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;
#endif
  signal(SIGPIPE, SIG_IGN);
  struct sigaction usr1;
  memset(&usr1, 0, sizeof usr1);
  usr1.sa_handler = report_cpu;
  usr1.sa_flags = SA_RESTART;
  sigemptyset(&usr1.sa_mask);
  sigaction(SIGUSR1, &usr1, NULL);
  if (strcmp(mode, "echo-udp") == 0) {
    echo_udp(bound_socket(SOCK_DGRAM));
    return 0;
  }
  if (argc < 4) {
    fprintf(stderr, "partner %s: max-conns is required\n", mode);
    return 2;
  }
  long max_conns = parse_long(argv[3], "max-conns");
  unsigned long long bytes = 0;
  if (strcmp(mode, "source") == 0) {
    if (argc < 5) {
      fprintf(stderr, "partner source: bytes is required\n");
      return 2;
    }
    bytes = (unsigned long long)parse_long(argv[4], "bytes");
    for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (unsigned char)(i % 251);
  } else if (strcmp(mode, "echo-tcp") != 0 && strcmp(mode, "sink") != 0 && strcmp(mode, "accept-close") != 0) {
    fprintf(stderr, "partner: unknown mode %s\n", mode);
    return 2;
  }
  int listener = bound_socket(SOCK_STREAM);
  for (long i = 0; i < max_conns; i++) {
    int fd = accept_one(listener);
    switch (mode[0]) {
      case 'e': echo_connection(fd); break;
      case 's':
        if (mode[1] == 'i')
          sink_connection(fd);
        else
          source_connection(fd, bytes);
        break;
      default: close(fd); break; /* accept-close */
    }
  }
  return 0;
}
