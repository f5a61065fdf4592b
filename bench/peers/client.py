"""CPython peer of the benchmark: the same workloads through CPython's socket module.

    python3 bench/peers/client.py <workload> <port> <count> <warm>

Prints one JSON line like the C client: {"ns", "ops", "ok", "detail"}. The warm-up runs
first and is not timed."""
import json
import resource
import socket
import sys
import time

CHUNK = 65536
MARKS = []


def now():
    """The clock, read where the timed section starts and ends; also samples CPU time."""
    MARKS.append(resource.getrusage(resource.RUSAGE_SELF))
    return time.perf_counter_ns()


HOST = "127.0.0.1"


def connected(port):
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((HOST, port))
    return s


def w1(port, count, warm):
    s = connected(port)
    send, recv = s.send, s.recv
    start = 0
    for i in range(warm + count):
        if i == warm:
            start = now()
        b = bytes((i & 0xFF,))
        if send(b) != 1:
            return 0, False, "short send"
        if recv(1) != b:
            return 0, False, f"echo mismatch at {i}"
    ns = now() - start
    s.close()
    return ns, True, "verified"


def w2(port, count, warm):
    s = connected(port)
    buf = memoryview(b"\x5a" * CHUNK)
    total = warm + count
    sent = 0
    start = now() if warm == 0 else 0
    while sent < total:
        off = sent % CHUNK
        want = min(CHUNK - off, total - sent)
        n = s.send(buf[off:off + want])
        if sent < warm <= sent + n:
            start = now()
        sent += n
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        r = s.recv(64)
        if not r:
            break
        reply += r
    ns = now() - start
    s.close()
    got = int(reply)
    return ns, got == total, f"sink counted {got}"


def w2r(port, count, warm):
    s = connected(port)
    buf = bytearray(CHUNK)
    got = 0
    ok = True
    start = now() if warm == 0 else 0
    recv_into = s.recv_into
    while True:
        n = recv_into(buf)
        if n == 0:
            break
        if buf[0] != got % 251:
            ok = False
        if got < warm <= got + n:
            start = now()
        got += n
    ns = now() - start
    s.close()
    return ns, ok and got == warm + count, f"received {got}"


def w3(port, count, warm):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    address = (HOST, port)
    tail = b"\x33" * 60
    start = 0
    for i in range(warm + count):
        if i == warm:
            start = now()
        out = (i & 0xFFFFFFFF).to_bytes(4, "little") + tail
        if s.sendto(out, address) != 64:
            return 0, False, "short sendto"
        data, _ = s.recvfrom(64)
        if data != out:
            return 0, False, f"datagram mismatch at {i}"
    ns = now() - start
    s.close()
    return ns, True, "verified"


def w4(port, count, warm):
    address = (HOST, port)
    start = 0
    for i in range(warm + count):
        if i == warm:
            start = now()
        s = socket.socket()
        s.connect(address)
        s.close()
    return now() - start, True, "verified"


def w5a(port, count, warm):
    pton, af = socket.inet_pton, socket.AF_INET
    total = 0
    start = 0
    for i in range(warm + count):
        if i == warm:
            start = now()
        b = pton(af, "127.0.0.1")
        total += b[0] + b[1] + b[2] + b[3]
    return now() - start, total == (warm + count) * 128, "verified"


def w5b(port, count, warm):
    ntop, af = socket.inet_ntop, socket.AF_INET
    packed = bytes((127, 0, 0, 1))
    total = 0
    start = 0
    for i in range(warm + count):
        if i == warm:
            start = now()
        total += len(ntop(af, packed))
    return now() - start, total == (warm + count) * 9, "verified"


def w5c(port, count, warm):
    gai = socket.getaddrinfo
    start = 0
    for i in range(warm + count):
        if i == warm:
            start = now()
        r = gai("127.0.0.1", 80)
        if r[0][0] != socket.AF_INET or r[0][4] != ("127.0.0.1", 80):
            return 0, False, "wrong result"
    return now() - start, True, "verified"


WORKLOADS = {"W1": w1, "W2": w2, "W2r": w2r, "W3": w3, "W4": w4, "W5a": w5a, "W5b": w5b, "W5c": w5c}


def main():
    workload, port, count, warm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    try:
        ns, ok, detail = WORKLOADS[workload](port, count, warm)
    except Exception as error:  # reported, not raised: the runner reads one JSON line
        ns, ok, detail = 0, False, repr(error)
    ops = count // CHUNK if workload in ("W2", "W2r") else count
    result = {"ns": ns, "ops": ops, "ok": ok, "detail": detail}
    if len(MARKS) >= 2:
        result["userNs"] = round((MARKS[-1].ru_utime - MARKS[0].ru_utime) * 1e9)
        result["sysNs"] = round((MARKS[-1].ru_stime - MARKS[0].ru_stime) * 1e9)
    print(json.dumps(result), flush=True)
    sys.exit(0 if ok else 1)


main()
