# W1 from MicroPython: 1-byte TCP ping-pong through usocket-micropython.
#   usocket-micropython scripts/w1-micropython.py PORT [ROUND_TRIPS] [sendrecv|stream]
# connects to an echo server on 127.0.0.1:PORT and prints microseconds per round trip.
import socket
import sys
import time

port = int(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
mode = sys.argv[3] if len(sys.argv) > 3 else 'sendrecv'
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', port)[0][-1])
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
one = b'x'
buf = bytearray(1)
t = time.ticks_us()
if mode == 'stream':
    for _ in range(n):
        s.write(one)
        s.readinto(buf)
else:
    for _ in range(n):
        s.send(one)
        s.recv(1)
t = time.ticks_diff(time.ticks_us(), t)
print('%.3f us/rt' % (t / n))
s.close()
