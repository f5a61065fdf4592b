# socket: MicroPython's socket module over usocket (real BSD sockets in Node.js).
import _usocket as _u
import errno as _errno
from micropython import const
from uctypes import addressof as _a, bytearray_at as _bytearray_at

# result codes of the JavaScript calls (calls.ts): details waiting, heap moved, nothing
# transferred; and the errno a socket device's operation fails with (devices.ts)
_OTHER, _STALE, _NONE, _FAILED = [int(_c) for _c in _u.codes().split(',')]
_CAP = const(262144)  # a literal in the compiled code: recv's check costs no global look-up

_POLL = {}
# set as attributes, which interns the names: dir(socket) lists only interned names
_self = __import__(__name__)
for _kv in _u.constants().split('\x01'):
    _k, _v = _kv.split('=')
    if _k[:4] == 'POLL':
        _POLL[_k] = int(_v)
    else:
        setattr(_self, _k, int(_v))
del _self

# The host's errno numbers, as MicroPython's errno module numbers them (the same on Linux).
_EMAP = {}
for _kv in _u.errnos().split('\x01'):
    _k, _v = _kv.split('=')
    _m = getattr(_errno, _k, None)
    if _m is not None and _m != int(_v):
        _EMAP[int(_v)] = _m
del _kv, _k, _v, _m

# Writing one byte to this device hands the interpreter's memory to JavaScript.
_hf = open('/dev/usocket-heap', 'wb')


def _refresh():
    _hf.write(b'\0')


_refresh()

_size = 65536
_buf = bytearray(_size)
_mv = memoryview(_buf)
_baddr = _a(_buf)

_socket = _u.socket
_close = _u.close
_send = _u.send
_recv = _u.recv
_sendall = _u.sendall
_readinto = _u.readinto
_write = _u.write
_take_js = _u.take
_last_addr = _u.addr
_attach = _u.attach
_failure = _u.failure
_open = open  # the port's own: _usocket_boot wraps the builtin later


def _raise(r):
    # Raises the error that r stands for; returns (to retry) only when the heap moved.
    if r == _STALE:
        _refresh()
        return
    if r == _OTHER:
        k, n, m = _u.error().split('\x01', 2)
        if k == 'K':
            raise KeyboardInterrupt
        if k == 'S':
            raise SystemExit(128 + 15 if m == 'SIGTERM' else 1)
        if k == 'O':
            raise OSError(int(n), m)
        if k == 'T':
            raise TypeError(m)
        if k == 'V':
            raise ValueError(m)
        raise RuntimeError(m)
    e = -r
    raise OSError(_EMAP.get(e, e))


def _retry(call, fail=_raise):
    # call() again for as long as it answers that the heap moved (fail refreshes the view and
    # returns): its result (>= 0), None when nothing moved on a non-blocking socket; fail
    # raises every other answer. For the slow paths: a hot path loops inline, with no frame
    # or closure of its own.
    while True:
        r = call()
        if r >= 0:
            return r
        if r == _NONE:
            return None
        fail(r)


def _room(n):
    # the scratch buffer, grown to n bytes (at most _CAP): how many to ask for
    global _buf, _mv, _baddr, _size
    if n < 0:
        raise ValueError('negative buffer size')
    if n > _CAP:
        n = _CAP
    if n > _size:
        _buf = bytearray(n)
        _mv = memoryview(_buf)
        _baddr = _a(_buf)
        _size = n
    return n


def _failed(e):
    # a socket device's operation failed: raise what the call would have (e is what the port raised)
    if e.errno == _FAILED:
        _raise(_failure())
    raise e


def _device(path, i):
    # socket i's device file (devices.ts), or False: a closed socket, or no descriptor left in the
    # port's file system (its calls then go through _usocket, as every other call)
    try:
        if _attach(i) == 0:
            return _open(path, 'r+b')
    except OSError:
        pass
    return False


def _take(n):
    b = bytearray(n)
    _retry(lambda: _take_js(_a(b)))
    return bytes(b)


def _flat(m):
    # a memoryview as something whose len() is its size in bytes, at the same address (an
    # array('i') view has 4 bytes per item): what crosses to JavaScript is always bytes
    n = len(m)
    if n == 0:
        return m
    size = _a(m[1:]) - _a(m)
    return m if size == 1 else _bytearray_at(_a(m), n * size)


def _buffer(data):
    # any object with the buffer protocol, as bytes (MicroPython's mp_get_buffer)
    t = type(data)
    if t is bytes or t is bytearray:
        return data
    if t is str:
        raise TypeError("a bytes-like object is required, not 'str'")
    try:
        m = data if t is memoryview else memoryview(data)
    except TypeError:
        raise TypeError("a bytes-like object is required, not '%s'" % t.__name__)
    return _flat(m)


def _data(data):
    # data to send: a buffer, or a str (MicroPython's streams take one)
    if type(data) is str:
        return data.encode()
    return _buffer(data)


def _writable(buf):
    t = type(buf)
    if t is bytearray:
        return buf
    if t is bytes or t is str:
        raise TypeError("a writable buffer is required, not '%s'" % t.__name__)
    try:
        m = buf if t is memoryview else memoryview(buf)
    except TypeError:
        raise TypeError("a writable buffer is required, not '%s'" % t.__name__)
    if len(m):
        try:
            m[0] = m[0]  # a read-only view (over bytes) refuses this
        except TypeError:
            raise TypeError('a writable buffer is required, not a read-only memoryview')
    return _flat(m)


def _host(host):
    if type(host) is not str:
        raise TypeError('host must be a str')
    if '\x00' in host:
        raise TypeError('host name must not contain null character')
    return host


def _address(s):
    if s[:1] == '\x02':
        return s[1:]
    p = s.split('\x01')
    if len(p) == 2:
        return (p[0], int(p[1]))
    return (p[0], int(p[1]), int(p[2]), int(p[3]))


def _int(v, what):
    # a C int, as CPython converts one: beyond 32 bits is an OverflowError (never wrapped)
    if type(v) is bool:
        return 1 if v else 0
    if type(v) is not int:
        raise TypeError(what + ' must be an int')
    if v > 2147483647 or v < -2147483648:
        raise OverflowError('Python int too large to convert to C int')
    return v


class socket:
    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0, _id=0):
        # None is not a default here: socket(None) is a TypeError, as MicroPython's
        if _id <= 0:
            _id = _socket(_int(af, 'af'), _int(type, 'type'), _int(proto, 'proto'))
            if _id < 0:
                _raise(_id)
        self._id = _id
        self.family = af
        self.type = type
        self.proto = proto
        self._timeout = None
        # What the fast paths call (send, recv, recv_into; read, readinto, write without
        # their options): the methods of the socket's device files (devices.ts) once the first
        # such call has opened one, the calls through _usocket before that and where the
        # port's file system has no descriptor left. _io and _st are the files (None: not
        # opened yet; False: none).
        self._io = self._st = None
        self._r = self._recv_first
        self._ri = self._recv_into_first
        self._w = self._send_first
        self._sr = self._read_first
        self._sri = self._readinto_first
        self._sw = self._write_first

    def _calls(self):
        # closed: every data call goes through _usocket, which raises EBADF
        self._r = self._recv_calls
        self._ri = self._recv_into_calls
        self._w = self._send_calls
        self._sr = self._read_calls
        self._sri = self._readinto_calls
        self._sw = self._write_calls

    def _open_io(self):
        f = self._io = _device('/dev/usocket-io', self._id)
        if f:
            self._r = f.read
            self._ri = f.readinto
            self._w = f.write
        else:
            self._r = self._recv_calls
            self._ri = self._recv_into_calls
            self._w = self._send_calls

    def _open_stream(self):
        f = self._st = _device('/dev/usocket-stream', self._id)
        if f:
            self._sr = f.read
            self._sri = f.readinto
            self._sw = f.write
        else:
            self._sr = self._read_calls
            self._sri = self._readinto_calls
            self._sw = self._write_calls

    def _recv_first(self, bufsize):
        self._open_io()
        return self._recv_calls(bufsize)

    def _recv_into_first(self, buf):
        self._open_io()
        return self._recv_into_calls(buf)

    def _send_first(self, data):
        self._open_io()
        return self._send_calls(data)

    def _read_first(self, size):
        self._open_stream()
        return self._read_calls(size)

    def _readinto_first(self, buf):
        self._open_stream()
        return self._readinto_calls(buf)

    def _write_first(self, data):
        self._open_stream()
        return self._write_calls(data)

    def __repr__(self):
        return '<socket fd=%d, family=%d, type=%d, proto=%d>' % (self.fileno(), self.family, self.type, self.proto)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _target(self, address):
        # (host, port, flowinfo, scopeid) for JavaScript; AF_UNIX goes ahead as bytes
        if self.family == AF_UNIX:
            if type(address) is str:
                address = address.encode()
            address = _data(address)
            _retry(lambda: _u.unix(_a(address), len(address)))
            return None, 0, 0, 0
        t = type(address)
        if t is not tuple and t is not list:
            raise TypeError('address must be a tuple (host, port)')
        n = len(address)
        if n < 2 or n > 4 or (n > 2 and self.family != AF_INET6):
            extra = ' or (host, port, flowinfo, scopeid)' if self.family == AF_INET6 else ''
            raise TypeError('address must be (host, port)' + extra)
        host = _host(address[0])
        port = _int(address[1], 'port')
        if port < 0 or port > 65535:
            raise ValueError('port must be 0-65535')
        return host, port, _int(address[2], 'flowinfo') if n > 2 else 0, _int(address[3], 'scopeid') if n > 3 else 0

    def close(self):
        self._calls()
        for f in (self._io, self._st):
            if f:
                f.close()
        self._io = self._st = False
        _close(self._id)

    def fileno(self):
        return _u.fileno(self._id)

    def bind(self, address):
        h, p, f, s = self._target(address)
        r = _u.bind(self._id, h, p, f, s)
        if r < 0:
            _raise(r)

    def listen(self, backlog=None):
        r = _u.listen(self._id, -1 if backlog is None else min(max(0, _int(backlog, 'backlog')), 65535))
        if r < 0:
            _raise(r)

    def accept(self):
        r = _u.accept(self._id)
        if r < 0:
            _raise(r)
        return socket(self.family, self.type, self.proto, r), _address(_last_addr())

    def connect(self, address):
        h, p, f, s = self._target(address)
        r = _u.connect(self._id, h, p, f, s)
        if r < 0:
            _raise(r)

    def send(self, data, flags=0):
        if flags:
            return self._send_calls(data, flags)
        try:
            r = self._w(data)
            if r:
                return r
            # nothing sent: an empty buffer, which the system call judges
        except OSError as e:
            _failed(e)
        except TypeError:
            pass  # not a buffer: the calls path says so in CPython's words
        return self._send_calls(data)

    def _send_calls(self, data, flags=0):
        t = type(data)
        if t is not bytes and t is not bytearray:
            data = _data(data)
        if flags:
            flags = _int(flags, 'flags')
        return _retry(lambda: _send(self._id, _a(data), len(data), flags))

    def sendall(self, data, flags=0):
        data = _data(data)
        flags = _int(flags, 'flags')
        _retry(lambda: _sendall(self._id, _a(data), len(data), flags))

    def sendto(self, data, flags_or_address, address=None):
        if address is None:
            flags, address = 0, flags_or_address
        else:
            flags = _int(flags_or_address, 'flags')
        data = _data(data)
        h, p, f, s = self._target(address)
        return _retry(lambda: _u.sendto(self._id, _a(data), len(data), flags, h, p, f, s))

    def recv(self, bufsize, flags=0):
        if flags or not 0 < bufsize <= _CAP:
            return self._recv_calls(bufsize, flags)
        try:
            return self._r(bufsize)
        except OSError as e:
            _failed(e)

    def _recv_calls(self, bufsize, flags=0):
        if bufsize > _size or bufsize < 0:
            bufsize = _room(_int(bufsize, 'bufsize'))
        if flags:
            flags = _int(flags, 'flags')
        return bytes(_mv[:_retry(lambda: _recv(self._id, _baddr, bufsize, flags))])

    def recv_into(self, buf, nbytes=0, flags=0):
        if nbytes or flags or type(buf) is not bytearray:
            return self._recv_into_calls(buf, nbytes, flags)
        try:
            return self._ri(buf)
        except OSError as e:
            _failed(e)

    def _recv_into_calls(self, buf, nbytes=0, flags=0):
        buf = _writable(buf)
        nbytes = _int(nbytes, 'nbytes')
        flags = _int(flags, 'flags')
        return _retry(lambda: _u.recv_into(self._id, _a(buf), len(buf), nbytes, flags))

    def recvfrom(self, bufsize, flags=0):
        n = _room(_int(bufsize, 'bufsize'))
        flags = _int(flags, 'flags')
        r = _retry(lambda: _u.recvfrom(self._id, _baddr, n, flags))
        return bytes(_mv[:r]), _address(_last_addr())

    def setsockopt(self, level, option, value):
        level = _int(level, 'level')
        option = _int(option, 'option')
        t = type(value)
        if t is int or t is bool:
            r = _u.setsockopt(self._id, level, option, _int(value, 'value'))
            if r < 0:
                _raise(r)
        elif t is str:
            raise TypeError('value must be an int or bytes')
        else:
            value = _data(value)
            _retry(lambda: _u.setsockopt_bytes(self._id, level, option, _a(value), len(value)))

    def getsockopt(self, level, option, buflen=0):
        r = _u.getsockopt(self._id, _int(level, 'level'), _int(option, 'option'), _int(buflen, 'buflen'))
        if r < 0:
            _raise(r)
        return _take(r) if buflen > 0 else r

    def settimeout(self, timeout):
        if timeout is not None:
            if type(timeout) is not int and type(timeout) is not float:
                raise TypeError('timeout must be a number or None')
            if timeout < 0:
                raise ValueError('timeout must be >= 0 or None')
        # as a float: integers cross to JavaScript as 32 bits
        r = _u.settimeout(self._id, -1 if timeout is None else float(timeout))
        if r < 0:
            _raise(r)
        self._timeout = timeout

    def gettimeout(self):
        return self._timeout

    def setblocking(self, flag):
        self.settimeout(None if flag else 0)

    def shutdown(self, how):
        r = _u.shutdown(self._id, _int(how, 'how'))
        if r < 0:
            _raise(r)

    def getsockname(self):
        r = _u.getsockname(self._id)
        if type(r) is int:
            _raise(r)
        return _address(r)

    def getpeername(self):
        r = _u.getpeername(self._id)
        if type(r) is int:
            _raise(r)
        return _address(r)

    # the stream interface: no short reads or writes on a blocking socket

    def makefile(self, mode='rb', buffering=0):
        if type(mode) is not str:
            raise TypeError('makefile: mode must be a str')  # a memoryview cannot even be compared
        if mode not in ('rb', 'wb', 'rwb', 'r', 'w', 'rw'):
            raise ValueError('makefile: mode must be rb, wb or rwb')
        if self.fileno() < 0:
            raise OSError(_errno.EBADF)
        return self

    def read(self, size=-1):
        if type(size) is int and 0 < size <= _CAP:
            try:
                return self._sr(size)  # None: nothing came on a non-blocking socket
            except OSError as e:
                _failed(e)
        return self._read_calls(size)

    def _read_calls(self, size=-1):
        if size is None:
            size = -1
        elif type(size) is not int:
            size = _int(size, 'size')  # a buffer would reach JavaScript as an object
        if size >= 0 and size <= _CAP:
            n = _room(size)
            r = _retry(lambda: _readinto(self._id, _baddr, n, n))
            return None if r is None else bytes(_mv[:r])
        r = _u.read(self._id, -1 if size < 0 else size)
        if r == _NONE:
            return None
        if r < 0:
            _raise(r)
        return _take(r)

    def readinto(self, buf, nbytes=None):
        if nbytes is None and type(buf) is bytearray:
            try:
                return self._sri(buf)
            except OSError as e:
                _failed(e)
        return self._readinto_calls(buf, nbytes)

    def _readinto_calls(self, buf, nbytes=None):
        if type(buf) is not bytearray:
            buf = _writable(buf)
        if nbytes is not None:
            # MicroPython: at most the buffer's size
            nbytes = _int(nbytes, 'nbytes')
            if nbytes < 0:
                nbytes = None  # MicroPython reads it as a size_t: the whole buffer
        return _retry(lambda: _readinto(self._id, _a(buf), len(buf), -1 if nbytes is None else nbytes))

    def readline(self, limit=-1):
        r = _u.readline(self._id, -1 if limit is None else _int(limit, 'limit'))
        if r == _NONE:
            return None
        if r < 0:
            _raise(r)
        return _take(r)

    def write(self, data, off_or_max=None, max_len=None):
        # MicroPython's stream write: write(buf), write(buf, max_len), write(buf, off, max_len)
        if off_or_max is None:
            try:
                r = self._sw(data)
                if r != 0:
                    return r  # None: nothing went on a non-blocking socket
                # nothing written: an empty buffer, judged below
            except OSError as e:
                _failed(e)
            except TypeError:
                pass  # not a buffer: the message below
        return self._write_calls(data, off_or_max, max_len)

    def _write_calls(self, data, off_or_max=None, max_len=None):
        t = type(data)
        if t is not bytes and t is not bytearray:
            data = _data(data)
        n = len(data)
        off = 0
        if off_or_max is not None:
            if max_len is None:
                n = min(n, max(0, _int(off_or_max, 'max_len')))
            else:
                off = min(n, max(0, _int(off_or_max, 'off')))
                n = min(n - off, max(0, _int(max_len, 'max_len')))
        return _retry(lambda: _write(self._id, _a(data) + off, n))


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    if host is not None:
        if not isinstance(host, str):
            host = str(host, 'utf-8')
        _host(host)
    if port is not None and not isinstance(port, str):
        port = _int(port, 'port')
    elif port is not None and '\x00' in port:
        raise ValueError('embedded null character')
    r = _u.getaddrinfo(host, port, _int(af, 'af'), _int(type, 'type'), _int(proto, 'proto'), _int(flags, 'flags'))
    if isinstance(r, int):
        _raise(r)
    out = []
    if r:
        for e in r.split('\x03'):
            f, t, p, c, a = e.split('\x02', 4)
            out.append((int(f), int(t), int(p), c, _address(a)))
    return out


def inet_pton(af, text):
    if type(text) is not str:
        raise TypeError("inet_pton() argument 2 must be str, not %s" % type(text).__name__)
    if '\x00' in text:
        raise ValueError('embedded null character')
    r = _u.inet_pton(_int(af, 'af'), text)
    if r < 0:
        _raise(r)
    return _take(r)


def inet_ntop(af, packed):
    packed = _buffer(packed)
    af = _int(af, 'af')
    while True:
        r = _u.inet_ntop(af, _a(packed), len(packed))
        if type(r) is str:
            return r
        _raise(r)


def gethostname():
    r = _u.gethostname()
    if type(r) is int:
        _raise(r)
    return r
