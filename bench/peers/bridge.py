# MicroPython peer of the benchmark: W1 through usocket-micropython (MicroPython's
# WebAssembly port with usocket's socket module).
#
#   usocket-micropython bench/peers/bridge.py W1 <port> <count> <warm>
#
# Prints one JSON line like the C client. MicroPython has no getrusage: the clock and the
# process's CPU time are read from the Node.js process that runs it (through `js`), only
# where the timed section starts and ends.
import sys
import socket
import js

workload = sys.argv[1]
port = int(sys.argv[2])
count = int(sys.argv[3])
warm = int(sys.argv[4])
marks = []


def now():
    u = js.process.cpuUsage()
    marks.append((u.user, u.system))
    return js.performance.now()


def w1():
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
    b = bytearray(1)
    send = s.send
    recv = s.recv
    start = 0
    for i in range(warm + count):
        if i == warm:
            start = now()
        b[0] = i & 0xFF
        if send(b) != 1:
            return 0, False, "short send"
        r = recv(1)
        if len(r) != 1 or r[0] != i & 0xFF:
            return 0, False, "echo mismatch at %d" % i
    ms = now() - start
    s.close()
    return ms, True, "verified"


if workload != "W1":
    print('{"skipped": "the MicroPython peer runs W1 only"}')
else:
    try:
        ms, ok, detail = w1()
    except Exception as error:
        ms, ok, detail = 0, False, repr(error)
    user = system = 0
    if len(marks) >= 2:
        user = (marks[-1][0] - marks[0][0]) * 1000
        system = (marks[-1][1] - marks[0][1]) * 1000
    print('{"ns": %d, "ops": %d, "userNs": %d, "sysNs": %d, "ok": %s, "detail": "%s"}'
          % (int(ms * 1e6), count, user, system, "true" if ok else "false", detail.replace('"', "'")))
