# Streams over non-blocking sockets (plain or TLS), open_connection and start_server.
# Every read first waits for the socket to be readable, so a task reading a fast peer
# still lets the others run; writes go straight to the socket and only what it refuses
# waits in out_buf for drain().
from . import core

_ERRNO_EINPROGRESS = 115


class Stream:
    def __init__(self, s, e={}):
        self.s = s
        self.e = e
        self.out_buf = b""

    def get_extra_info(self, v):
        return self.e[v]

    def close(self):
        # Closes now: this bridge has no garbage collector running while a script runs, so a
        # stream left for it would keep its descriptor (and the peer waiting) forever.
        self.s.close()

    async def wait_closed(self):
        self.s.close()

    aclose = wait_closed

    def read(self, n=-1):
        got = b""
        while True:
            yield core._io_queue.queue_read(self.s)
            more = self.s.read(n)
            if more is None:
                continue
            if n >= 0:
                return more
            if not more:
                return got
            got += more

    def readinto(self, buf, nbytes=None):
        while True:
            yield core._io_queue.queue_read(self.s)
            n = self.s.readinto(buf) if nbytes is None else self.s.readinto(buf, nbytes)
            if n is not None:
                return n

    def readexactly(self, n):
        got = b""
        while n:
            yield core._io_queue.queue_read(self.s)
            more = self.s.read(n)
            if more is None:
                continue
            if not more:
                raise EOFError
            got += more
            n -= len(more)
        return got

    def readline(self):
        line = b""
        while True:
            yield core._io_queue.queue_read(self.s)
            more = self.s.readline()
            if more is None:
                continue
            line += more
            if not more or line[-1] == 10:
                return line

    def write(self, buf):
        if not self.out_buf:
            n = self.s.write(buf)
            if n == len(buf):
                return
            if n is not None:
                buf = buf[n:]
        self.out_buf += buf

    def drain(self):
        if not self.out_buf:
            # always yield, so that a loop of write() and drain() cannot starve other tasks
            return (yield from core.sleep_ms(0))
        view = memoryview(self.out_buf)
        off = 0
        while off < len(view):
            yield core._io_queue.queue_write(self.s)
            n = self.s.write(view[off:])
            if n is not None:
                off += n
        self.out_buf = b""

    async def awrite(self, buf, off=0, sz=-1):
        if off or sz != -1:
            view = memoryview(buf)
            buf = view[off : len(view) if sz == -1 else off + sz]
        self.write(buf)
        await self.drain()

    awritestr = awrite


StreamReader = Stream
StreamWriter = Stream


def open_connection(host, port, ssl=None, server_hostname=None):
    import socket

    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], ai[1], ai[2])
    s.setblocking(False)
    try:
        s.connect(ai[-1])
    except OSError as e:
        if e.errno != _ERRNO_EINPROGRESS:
            s.close()
            raise
    if ssl:
        # The handshake runs inside the first reads and writes of the non-blocking SSL
        # socket (they return None while it waits), and select.poll on the SSL socket asks
        # for whichever direction the handshake needs.
        if ssl is True:
            import ssl as _ssl

            ssl = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
        s = ssl.wrap_socket(s, server_hostname=server_hostname or host, do_handshake_on_connect=False)
        s.setblocking(False)
    yield core._io_queue.queue_write(s)
    stream = Stream(s)
    return stream, stream


class Server:
    # sockets: the listening socket, as CPython's Server has them (to learn the port bound
    # when port 0 was asked for)

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()
        await self.wait_closed()

    def close(self):
        self.closing = True
        self.task.cancel()

    async def wait_closed(self):
        await self.task

    async def _serve(self, s, cb, ssl):
        self.closing = False
        while True:
            try:
                yield core._io_queue.queue_read(s)
            except core.CancelledError:
                s.close()
                if self.closing:
                    return
                raise
            # take every connection already waiting, not one per turn of the loop
            while True:
                try:
                    s2, addr = s.accept()
                except OSError:
                    break
                if ssl:
                    try:
                        s2 = ssl.wrap_socket(s2, server_side=True, do_handshake_on_connect=False)
                    except OSError as e:
                        core.sys.print_exception(e)
                        s2.close()
                        continue
                s2.setblocking(False)
                stream = Stream(s2, {"peername": addr})
                core.create_task(cb(stream, stream))


async def start_server(cb, host, port, backlog=5, ssl=None):
    import socket

    ai = socket.getaddrinfo(host, port)[0]
    s = socket.socket(ai[0])
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(ai[-1])
    s.listen(backlog)
    srv = Server()
    srv.sockets = [s]
    srv.task = core.create_task(srv._serve(s, cb, ssl))
    try:
        # let _serve start, so that it is the one to close the socket if cancelled
        await core.sleep_ms(0)
    except core.CancelledError:
        srv.task.cancel()
        raise
    return srv
