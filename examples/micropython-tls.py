# A MicroPython TLS script: a TLS server and a TLS client in one program, both on
# non-blocking sockets driven by select.poll, as a board's event loop would drive them.
# The handshake runs inside the first reads and writes (do_handshake_on_connect=False),
# which return None while it waits for the other side. The two ends share a pre-shared key
# (TLS-PSK, MicroPython's psk_identity/psk_key/server_psk_keys), so no certificate is
# needed. Run it through the bridge:
#
#   npx usocket-micropython examples/micropython-tls.py
#
# (needs the optional @micropython/micropython-webassembly-pyscript package).
import select
import socket
import tls

IDENTITY = b"example-client"
KEY = b"a pre-shared key, 48 bytes at most"

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
server.listen(1)
plain_client = socket.socket()
plain_client.settimeout(5)
plain_client.connect(server.getsockname())
plain_conn, _ = server.accept()
print("tcp: connected on port %d" % server.getsockname()[1])

server_ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
server_ctx.server_psk_keys = {IDENTITY: KEY}
client_ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
client_ctx.psk_identity = IDENTITY
client_ctx.psk_key = KEY

conn = server_ctx.wrap_socket(plain_conn, server_side=True, do_handshake_on_connect=False)
client = client_ctx.wrap_socket(plain_client, server_hostname="localhost", do_handshake_on_connect=False)
for s in (conn, client):
    s.setblocking(False)

poller = select.poll()
poller.register(conn, select.POLLIN)
poller.register(client, select.POLLIN)

# Step both ends until the request is through: every None is a handshake step that waits.
request = b"GET /status\n"
written = None
got = None
waits = 0
while got is None and waits < 100:
    if written is None:
        written = client.write(request)
    got = conn.read(len(request))
    if got is None:
        waits += 1
        poller.poll(1000)
assert got == request, got
print("server: got %r after %d waits; cipher %s, %s" % (got, waits, conn.cipher()[0], conn.cipher()[1]))

# Two replies in one go: the client reads the first, and poll reports the second as
# readable although it is already decrypted and the socket itself has nothing left.
conn.write(b"200 OK\n" + b"uptime 42\n")
reply = None
for _ in range(100):
    reply = client.read(7)
    if reply is not None:
        break
    poller.poll(1000)
assert reply == b"200 OK\n", reply
ready = [obj for obj, events in poller.poll(0) if events & select.POLLIN]
assert client in ready, ready
print("client: got %r; poll says more is ready: %s" % (reply, client.read(10)))

for s in (client, conn, server):
    s.close()
print("closed: close_notify sent both ways")
