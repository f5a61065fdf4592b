# The load of docs/performance.md's asyncio echo figure (CPython, one thread, selectors):
#   asyncio-echo-load.py PORT [CLIENTS=100] [SECONDS=5] [WARMUP=1] [SIZE=32]
# Opens CLIENTS connections at once; each keeps exactly one SIZE-byte message in flight and
# sends the next when the whole echo is back (checked byte for byte). Counts round trips
# completed during SECONDS after a WARMUP, then closes every connection and prints one JSON
# line: clients, seconds, round trips (timed, and all with the warm-up), round trips per second, and the median and 99th
# percentile round-trip time in microseconds.
import json
import selectors
import socket
import sys
import time

port = int(sys.argv[1])
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 100
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
warmup = float(sys.argv[4]) if len(sys.argv) > 4 else 1
size = int(sys.argv[5]) if len(sys.argv) > 5 else 32

sel = selectors.DefaultSelector()
conns = []
for i in range(clients):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setblocking(False)
    state = {"sock": s, "seq": 0, "got": b"", "msg": b"", "sent_at": 0.0}
    conns.append(state)
    sel.register(s, selectors.EVENT_READ, state)


def send_next(state, now):
    state["seq"] += 1
    label = b"%08d:%08d:" % (conns.index(state) if state["seq"] == 1 else 0, state["seq"])
    state["msg"] = label.ljust(size, b".")[:size]
    state["got"] = b""
    state["sent_at"] = now
    state["sock"].sendall(state["msg"])


start = time.monotonic()
for c in conns:
    send_next(c, start)
measure_from = start + warmup
measure_to = measure_from + seconds
done = 0
total = 0
times = []
while True:
    now = time.monotonic()
    if now >= measure_to:
        break
    for key, _ in sel.select(timeout=max(0.0, measure_to - now)):
        c = key.data
        data = c["sock"].recv(65536)
        if not data:
            sys.exit("server closed a connection")
        c["got"] += data
        if len(c["got"]) >= size:
            if c["got"] != c["msg"]:
                sys.exit("wrong echo: %r != %r" % (c["got"], c["msg"]))
            t = time.monotonic()
            total += 1
            if measure_from <= t < measure_to:
                done += 1
                times.append(t - c["sent_at"])
            send_next(c, t)
for c in conns:
    c["sock"].close()
times.sort()
print(json.dumps({
    "clients": clients,
    "seconds": seconds,
    "round_trips": done,
    "all_round_trips": total,
    "per_second": round(done / seconds),
    "median_us": round(times[len(times) // 2] * 1e6) if times else None,
    "p99_us": round(times[int(len(times) * 0.99)] * 1e6) if times else None,
}))
