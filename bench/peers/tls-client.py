# CPython ssl client of bench/tls.js (W6 bulk, W7 handshakes).
#   python3 tls-client.py bulk|handshake PORT CA COUNT WARM
import json
import socket
import ssl
import sys
import time

mode, port, ca, count, warm = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
CHUNK = 65536


def connect():
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return ctx.wrap_socket(s, server_hostname="localhost")


if mode == "handshake":
    start = cpu0 = 0
    for i in range(warm + count):
        if i == warm:
            start = time.perf_counter()
            cpu0 = time.process_time()
        t = connect()
        assert len(t.recv(1)) == 1
        t.close()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
    print(json.dumps({"ok": True, "seconds": seconds, "cpu": cpu, "count": count}))
else:
    t = connect()
    t.sendall(count.to_bytes(8, "big"))
    buf = bytearray(b"\xa5" * CHUNK)
    view = memoryview(buf)
    t0 = c0 = 0
    sent = 0
    while sent < count:
        if sent == warm:
            t0 = time.perf_counter()
            c0 = time.process_time()
        n = min(CHUNK, count - sent)
        t.sendall(view[:n])
        sent += n
    t.recv(1)
    t1 = time.perf_counter()
    c1 = time.process_time()
    got = 0
    t2 = c2 = 0
    while got < count:
        if got >= warm and t2 == 0:
            t2 = time.perf_counter()
            c2 = time.process_time()
        got += t.recv_into(buf)
    t3 = time.perf_counter()
    c3 = time.process_time()
    t.close()
    print(json.dumps({"ok": True, "send": t1 - t0, "receive": t3 - t2, "sendCpu": c1 - c0, "receiveCpu": c3 - c2,
                      "bytes": count - warm}))
