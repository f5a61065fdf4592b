# A small MQTT 3.1.1 broker for the tests (CPython): CONNECT, SUBSCRIBE/UNSUBSCRIBE with exact
# topics and '#', PUBLISH at QoS 0 and 1 (acknowledged, delivered to subscribers at the QoS
# they asked for, capped by the publisher's), PINGREQ, DISCONNECT. It prints its port, then
# serves until every client has gone and at least one came, or for at most argv[1] seconds.
import socket
import struct
import sys
import threading
import time

limit = float(sys.argv[1]) if len(sys.argv) > 1 else 20
lock = threading.Lock()
subscribers = {}  # topic filter -> {connection: qos}
clients = {"now": 0, "ever": 0}
done = threading.Event()


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            raise EOFError
        data += more
    return data


def read_packet(conn):
    first = read_exact(conn, 1)[0]
    size, shift = 0, 0
    while True:
        b = read_exact(conn, 1)[0]
        size |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return first, read_exact(conn, size)


def packet(first, body):
    head = bytearray([first])
    n = len(body)
    while True:
        b = n & 0x7F
        n >>= 7
        head.append(b | (0x80 if n else 0))
        if not n:
            return bytes(head) + body


def text(body, at):
    n = struct.unpack_from("!H", body, at)[0]
    return body[at + 2 : at + 2 + n].decode(), at + 2 + n


def matches(filt, topic):
    return filt == topic or filt == "#" or (filt.endswith("/#") and topic.startswith(filt[:-1]))


def serve(conn):
    next_id = [1]
    try:
        while True:
            first, body = read_packet(conn)
            kind = first >> 4
            if kind == 1:  # CONNECT
                conn.sendall(packet(0x20, b"\x00\x00"))
            elif kind == 8:  # SUBSCRIBE
                pid = body[:2]
                at, granted = 2, b""
                while at < len(body):
                    filt, at = text(body, at)
                    qos = body[at] & 3
                    at += 1
                    with lock:
                        subscribers.setdefault(filt, {})[conn] = qos
                    granted += bytes([min(qos, 1)])
                conn.sendall(packet(0x90, pid + granted))
            elif kind == 10:  # UNSUBSCRIBE
                at = 2
                while at < len(body):
                    filt, at = text(body, at)
                    with lock:
                        subscribers.get(filt, {}).pop(conn, None)
                conn.sendall(packet(0xB0, body[:2]))
            elif kind == 3:  # PUBLISH
                qos = (first >> 1) & 3
                topic, at = text(body, 0)
                if qos:
                    conn.sendall(packet(0x40, body[at : at + 2]))
                    at += 2
                payload = body[at:]
                with lock:
                    targets = [
                        (c, min(q, qos))
                        for f, subs in subscribers.items()
                        if matches(f, topic)
                        for c, q in subs.items()
                    ]
                for c, q in targets:
                    t = struct.pack("!H", len(topic)) + topic.encode()
                    if q:
                        t += struct.pack("!H", next_id[0])
                        next_id[0] = next_id[0] % 65535 + 1
                    c.sendall(packet(0x30 | (q << 1), t + payload))
            elif kind == 12:  # PINGREQ
                conn.sendall(packet(0xD0, b""))
            elif kind == 14:  # DISCONNECT
                break
    except (EOFError, OSError):
        pass
    finally:
        with lock:
            for subs in subscribers.values():
                subs.pop(conn, None)
            clients["now"] -= 1
            if clients["now"] == 0:
                done.set()
        conn.close()


srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
srv.settimeout(0.1)
print(srv.getsockname()[1], flush=True)
deadline = time.monotonic() + limit
while time.monotonic() < deadline and not done.is_set():
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        continue
    conn.settimeout(limit)
    with lock:
        clients["now"] += 1
        clients["ever"] += 1
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
srv.close()
