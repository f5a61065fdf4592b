# A MicroPython network script, unchanged from what a board would run: a TCP echo server
# and a client in one program, driven by select.poll. Run it through the bridge:
#
#   npx usocket-micropython examples/micropython-echo.py
#
# (needs the optional @micropython/micropython-webassembly-pyscript package).
import errno
import select
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
server.listen(1)
address = server.getsockname()
print("server: listening on %s:%d" % (address[0], address[1]))

client = socket.socket()
client.settimeout(5)
# The kernel completes the handshake for a listening socket, so a blocking connect returns
# before the server calls accept().
client.connect(address)
conn, peer = server.accept()
conn.setblocking(False)
print("server: accepted %s:%d" % (peer[0], peer[1]))

poller = select.poll()
poller.register(conn, select.POLLIN)
for word in (b"ping", b"pong", b"bye"):
    client.write(word + b"\n")
    for obj, events in poller.ipoll(5000):
        line = obj.readline()
        obj.write(line.upper())
    reply = client.readline()
    print("client: sent %r, got %r" % (word, reply))
    assert reply == word.upper() + b"\n"

client.settimeout(0.2)
try:
    client.recv(1)
    raise AssertionError("recv returned although nothing was sent")
except OSError as e:
    assert e.args[0] == errno.ETIMEDOUT
    print("client: nothing more within 0.2 s: OSError(ETIMEDOUT), errno %d" % e.args[0])

for s in (client, conn, server):
    s.close()
