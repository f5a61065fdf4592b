# tls: MicroPython's TLS core module over usocket-node/ssl (OpenSSL), with MicroPython's
# surface, defaults and error forms (tls-mbedtls.ts). Over a socket of this bridge the
# JavaScript SSLSocket does the socket I/O; over any other stream object (anything with
# readinto/write, as MicroPython's own tests use) this module carries the ciphertext
# between the stream and the engine, as mbedTLS's send/recv callbacks do on a board.
import _usocket as _u
import socket as _s
from uctypes import addressof as _a

_OTHER, _STALE, _NONE = _s._OTHER, _s._STALE, _s._NONE
_WANT, _KEYBASE = [int(_c) for _c in _u.tls_codes().split(',')]
_raise = _s._raise
_retry = _s._retry

PROTOCOL_TLS_CLIENT = 0
PROTOCOL_TLS_SERVER = 1
PROTOCOL_DTLS_CLIENT = 2
PROTOCOL_DTLS_SERVER = 3
CERT_NONE = 0
CERT_OPTIONAL = 1
CERT_REQUIRED = 2

# the stream ioctl requests and poll flags of MicroPython's stream protocol
_POLL_REQ = 3
_CLOSE_REQ = 4
_RD = 0x0001
_WR = 0x0004
_NVAL = 0x0020
_RDWR = _RD | _WR


def __getattr__(name):
    # the OpenSSL in use, read only when asked: importing tls does not load it
    if name == 'OPENSSL_VERSION':
        r = _u.tls_version()
        if type(r) is int:
            _raise(r)
        return r
    raise AttributeError(name)


def _data(value, what):
    t = type(value)
    if t is bytes or t is bytearray:
        return value
    if t is str:
        return value.encode()
    if t is memoryview:
        return bytes(value)
    raise TypeError(what + ' must be bytes or str')


# Contexts that OpenSSL calls back into during a handshake (PSK look-ups, verify_callback).
_called = {}


def _dispatch(kind, cid, data, depth):
    ctx = _called.get(cid)
    if ctx is None:
        return ''
    st = ctx._st
    try:
        if kind == 'psk':
            keys = st['server_psk_keys']
            key = None if keys is None else keys.get(bytes.fromhex(data))
            t = type(key)
            if t is str:
                key = key.encode()
            elif t is not bytes and t is not bytearray and t is not memoryview:
                return ''
            return bytes(key).hex()
        cb = st['verify_callback']
        if cb is None:
            return '0'
        r = cb(bytes.fromhex(data), depth)
        return str(r if type(r) is int else (0 if not r else 1))
    except Exception as e:
        import sys
        sys.print_exception(e)
        return '' if kind == 'psk' else '1'


_u.tls_callbacks(_dispatch)


class SSLContext:
    def __init__(self, protocol):
        if type(protocol) is not int:
            raise TypeError('protocol must be an int')
        if protocol < 0 or protocol > 3:
            raise ValueError('invalid protocol')
        r = _u.tls_ctx_new(protocol)
        if r < 0:
            _raise(r)
        st = {
            'verify_mode': CERT_NONE if protocol & 1 else CERT_REQUIRED,
            'verify_callback': None,
            'psk_identity': None,
            'psk_key': None,
            'server_psk_keys': None,
        }
        object.__setattr__(self, '_id', r)
        object.__setattr__(self, '_protocol', protocol)
        object.__setattr__(self, '_st', st)

    def __repr__(self):
        return '<SSLContext>'

    def __getattr__(self, name):
        st = self._st
        if name in st:
            return st[name]
        raise AttributeError(name)

    def __setattr__(self, name, value):
        st = self._st
        if name not in st:
            raise AttributeError(name)
        i = self._id
        if name == 'verify_mode':
            if type(value) is not int:
                raise TypeError('verify_mode must be an int')
            r = _u.tls_ctx_verify_mode(i, value)
            if r < 0:
                _raise(r)
        elif name == 'verify_callback':
            r = _u.tls_ctx_verify_callback(i, 0 if value is None else 1)
            if r < 0:
                _raise(r)
        elif name == 'server_psk_keys':
            if value is not None and not hasattr(value, 'get'):
                raise TypeError('server_psk_keys must have get()')
            r = _u.tls_ctx_psk_server(i, 0 if value is None else 1)
            if r < 0:
                _raise(r)
        else:
            if value is not None:
                _data(value, name)
            ident = value if name == 'psk_identity' else st['psk_identity']
            key = value if name == 'psk_key' else st['psk_key']
            # applied once both are set, in either order (as MicroPython)
            if ident is not None and key is not None:
                ident = _data(ident, 'psk_identity')
                key = _data(key, 'psk_key')
                _retry(lambda: _u.tls_ctx_psk_client(i, _a(ident), len(ident), _a(key), len(key)))
        st[name] = value
        if st['verify_callback'] is not None or st['server_psk_keys'] is not None:
            _called[i] = self
        else:
            _called.pop(i, None)

    def __delattr__(self, name):
        raise AttributeError(name)

    def __del__(self):
        _called.pop(self._id, None)
        _u.tls_ctx_free(self._id)

    def get_ciphers(self):
        r = _u.tls_ctx_get_ciphers(self._id)
        if type(r) is int:
            _raise(r)
        return r.split('\x01') if r else []

    def set_ciphers(self, ciphers):
        t = type(ciphers)
        if t is not list and t is not tuple:
            raise TypeError('ciphers must be a list or tuple')
        for c in ciphers:
            if type(c) is not str:
                raise TypeError('cipher names must be str')
        r = _u.tls_ctx_set_ciphers(self._id, '\x01'.join(ciphers))
        if r < 0:
            _raise(r)

    def load_cert_chain(self, certfile, keyfile):
        # the data itself (str or bytes, PEM or DER); the key is read first, as mbedTLS does
        key = _data(keyfile, 'key')
        cert = certfile
        t = type(cert)
        if t is str:
            cert = cert.encode()
        elif t is not bytes and t is not bytearray and t is not memoryview:
            cert = None
        elif t is memoryview:
            cert = bytes(cert)
        _retry(lambda: _u.tls_ctx_load_cert_chain(self._id, 0 if cert is None else _a(cert),
                                                  -1 if cert is None else len(cert), _a(key), len(key)))

    def load_verify_locations(self, cadata):
        data = _data(cadata, 'cadata')
        _retry(lambda: _u.tls_ctx_load_verify(self._id, _a(data), len(data)))

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None, client_id=None):
        return SSLSocket(self, sock, server_side, do_handshake_on_connect, server_hostname, client_id)


def _client_id(value):
    t = type(value)
    if t is bytes or t is bytearray:
        return value
    if t is memoryview:
        return bytes(value)
    if t is str:
        return value.encode()
    return None


class SSLSocket:
    def __init__(self, ctx, sock, server_side, handshake, hostname, client_id):
        if hostname is not None and type(hostname) is not str:
            raise TypeError('server_hostname must be a str')
        if hostname is None and ctx._st['verify_mode'] == CERT_REQUIRED and not ctx._protocol & 1:
            raise ValueError('CERT_REQUIRED requires server_hostname')
        cid = _client_id(client_id)
        self._ctx = ctx
        self._sock = sock
        self._err = None
        self._mask = 0
        self._closed = False
        self._dgram = ctx._protocol >= PROTOCOL_DTLS_CLIENT
        self._over_socket = isinstance(sock, _s.socket)
        # the role is the context's protocol's (mbedTLS sets it in the configuration)
        server = ctx._protocol & 1
        if self._over_socket:
            self._id = _retry(lambda: _u.tls_wrap(ctx._id, sock._id, server, hostname, 0 if cid is None else _a(cid),
                                                  -1 if cid is None else len(cid), 1 if handshake else 0))
        else:
            self._id = _retry(lambda: _u.tls_wrap_stream(ctx._id, server, hostname, 0 if cid is None else _a(cid),
                                                         -1 if cid is None else len(cid)))
        if not self._over_socket:
            # ciphertext the engine wrote that the stream has not taken yet
            self._out = b''
            self._eof = False
            self._hdr = 13 if self._dgram else 5
            self._inbuf = bytearray(self._hdr)
            self._need = self._hdr
            self._got = 0
            self._buf = bytearray(16384)
            if handshake:
                self._handshake()

    def __repr__(self):
        return '<SSLSocket>'

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def _pk(self):
        # select.poll's key for this connection over a bridge socket: the JavaScript
        # SSLSocket is polled, so decrypted bytes waiting count as readable
        return _KEYBASE + self._id if self._over_socket else None

    def _live(self):
        if self._closed:
            raise OSError(_s._errno.EBADF)
        if self._err is not None:
            raise self._err

    def _fail(self, r):
        # remembers the failure: every later operation raises it, poll reports POLLNVAL
        try:
            _raise(r)
        except Exception as e:
            if not isinstance(e, OSError) or e.errno not in (_s._errno.EAGAIN, _s._errno.ETIMEDOUT):
                self._err = e
            raise

    # ---- over any stream object: this side carries the ciphertext ----

    def _flush(self):
        # sends what the engine wrote: True when nothing waits any more
        out = self._out
        while True:
            n = _retry(lambda: _u.stream_out(self._id, _a(self._buf), len(self._buf)), self._fail)
            if n == 0:
                break
            out += self._buf[:n]
        while out:
            n = self._sock.write(out)
            if n is None:
                break
            out = out[n:]
        self._out = out
        return not out

    def _fill(self):
        # reads ciphertext from the stream for the engine: None when the stream has none now.
        # TLS reads go record by record (header, then body), as mbedTLS asks its stream, so a
        # blocking stream is never asked for more than the peer sent.
        if self._eof:
            raise OSError(-0x7280, 'MBEDTLS_ERR_SSL_CONN_EOF')
        if self._dgram:
            view = memoryview(self._buf)
        else:
            view = memoryview(self._inbuf)[self._got:self._need]
        n = self._sock.readinto(view)
        if n is None:
            return None
        if n == 0:
            self._eof = True
            _retry(lambda: _u.stream_in(self._id, 0, 0))
            return 0
        _retry(lambda: _u.stream_in(self._id, _a(view), n))
        if not self._dgram:
            self._got += n
            if self._got == self._need:
                if self._need == self._hdr:
                    body = (self._inbuf[3] << 8) | self._inbuf[4]
                    self._need = body
                    self._got = 0
                    if len(self._inbuf) < body:
                        self._inbuf = bytearray(body)
                    if body == 0:
                        self._need = self._hdr
                else:
                    self._need = self._hdr
                    self._got = 0
        return n

    def _step(self, op, buf, n):
        # one operation through the engine: its result, or None when the stream must
        # become ready first (self._mask says which way when that is not the obvious one)
        self._mask = 0
        while True:
            if not self._flush():
                self._mask = _WR
                return None
            r = _u.stream_step(self._id, op, 0 if buf is None else _a(buf), n)
            if r == _WANT:
                if not self._flush():
                    self._mask = _WR
                    return None
                try:
                    got = self._fill()
                except OSError as e:
                    self._err = e
                    raise
                if got is None:
                    if op != 1:
                        self._mask = _RD
                    return None
                continue
            if r >= 0:
                self._flush()
                return r
            if r == _STALE:
                _raise(r)
                continue
            self._flush()
            self._fail(r)

    def _handshake(self):
        import time
        while self._step(0, None, 0) is None:
            time.sleep_ms(1)

    def _stream_readinto(self, mv, once):
        done = 0
        total = len(mv)
        while done < total:
            part = mv[done:]
            r = self._step(1, part, len(part))
            if r is None:
                return done if done else None
            if r == 0:
                break
            done += r
            if once:
                break
        return done

    def _stream_write(self, data, once):
        done = 0
        mv = memoryview(data)
        while done < len(mv):
            part = mv[done:] if done else data
            r = self._step(2, part, len(mv) - done)
            if r is None:
                return done if done else None
            done += r
            if once:
                break
        return done

    # ---- the stream methods ----

    def readinto(self, buf, nbytes=None):
        self._live()
        mv = memoryview(buf)
        if nbytes is not None:
            mv = mv[:nbytes]
        if not self._over_socket:
            return self._stream_readinto(mv, False)
        return self._sock_readinto(mv, 0)

    def _sock_readinto(self, mv, one):
        return _retry(lambda: _u.tls_readinto(self._id, _a(mv), len(mv), one), self._fail)

    def read(self, size=-1):
        self._live()
        if size is None or size < 0:
            out = b''
            chunk = bytearray(4096)
            while True:
                n = self.readinto(chunk)
                if n is None:
                    return out if out else None
                if n == 0:
                    return out
                out += chunk[:n]
        buf = bytearray(size)
        n = self.readinto(buf)
        if n is None:
            return None
        return bytes(buf) if n == size else bytes(buf[:n])

    def recv(self, bufsize):
        self._live()
        buf = bytearray(bufsize)
        if self._over_socket:
            n = self._sock_readinto(memoryview(buf), 1)
        else:
            n = self._stream_readinto(memoryview(buf), True)
        if n is None:
            return None
        return bytes(buf[:n])

    def recv_into(self, buf, nbytes=0):
        self._live()
        mv = memoryview(buf)
        if nbytes:
            mv = mv[:nbytes]
        if self._over_socket:
            return self._sock_readinto(mv, 1)
        return self._stream_readinto(mv, True)

    def readline(self, limit=-1):
        self._live()
        if self._over_socket:
            r = _retry(lambda: _u.tls_readline(self._id, -1 if limit is None else limit), self._fail)
            return None if r is None else _s._take(r)
        line = b''
        one = bytearray(1)
        while limit is None or limit < 0 or len(line) < limit:
            n = self._stream_readinto(memoryview(one), True)
            if n is None:
                return line if line else None
            if n == 0:
                break
            line += one
            if one[0] == 10:
                break
        return line

    def write(self, data, *args):
        self._live()
        data = _s._data(data)
        if args:
            mv = memoryview(data)
            data = mv[args[0]:args[0] + args[1]] if len(args) > 1 else mv[:args[0]]
        if not self._over_socket:
            return self._stream_write(data, False)
        return self._sock_write(data, 0)

    def _sock_write(self, data, one):
        return _retry(lambda: _u.tls_write(self._id, _a(data), len(data), one), self._fail)

    def send(self, data):
        self._live()
        data = _s._data(data)
        if self._over_socket:
            return self._sock_write(data, 1)
        return self._stream_write(data, True)

    def sendall(self, data):
        self._live()
        data = _s._data(data)
        if self._over_socket:
            self._sock_write(data, 0)
        else:
            self._stream_write(data, False)

    # ---- the session ----

    def getpeercert(self, binary_form=False):
        if not binary_form:
            raise NotImplementedError('getpeercert: only binary_form=True')
        self._live()
        r = _u.tls_peercert(self._id)
        if r == _NONE:
            return None
        if r < 0:
            _raise(r)
        return _s._take(r)

    def cipher(self):
        self._live()
        r = _u.tls_cipher(self._id)
        if type(r) is int:
            _raise(r)
        if not r:
            return None
        name, version = r.split('\x01')
        return (name, version)

    def pending(self):
        # 1 when decrypted bytes (or a whole record) wait in the TLS layer
        if self._closed:
            return 0
        r = _u.tls_pending(self._id)
        return r if r > 0 else 0

    # ---- the socket underneath ----

    def setblocking(self, flag):
        return self._sock.setblocking(flag)

    def settimeout(self, timeout):
        return self._sock.settimeout(timeout)

    def fileno(self):
        return -1 if self._closed else self._sock.fileno()

    def makefile(self, mode='rb', buffering=0):
        return self

    def ioctl(self, request, arg):
        if request == _CLOSE_REQ:
            if self._closed:
                return 0
            return self._close()
        if request != _POLL_REQ:
            raise OSError(_s._errno.EINVAL)
        if self._closed or self._err is not None:
            return _NVAL
        saved = 0
        if self._mask and arg & _RDWR:
            saved = arg & _RDWR
            arg = (arg & ~saved) | self._mask
        ret = 0
        if arg & _RD and self.pending():
            ret |= _RD
            if arg == _RD:
                return _RD
        ret |= self._sock_poll(arg)
        if ret & self._mask:
            ret |= saved
        return ret

    def _sock_poll(self, arg):
        s = self._sock
        if self._over_socket:
            import select
            p = select.poll()
            p.register(s, arg & _RDWR)
            r = p.poll(0)
            p._free()
            return r[0][1] if r else 0
        if hasattr(s, 'ioctl'):
            return s.ioctl(_POLL_REQ, arg)
        return arg & _RDWR

    def close(self):
        if not self._closed:
            self._close()

    def _close(self):
        self._closed = True
        s = self._sock
        if self._over_socket:
            _u.tls_close(self._id)
            s.close()
            return 0
        if self._err is None and _u.tls_established(self._id) == 1:
            # close_notify, sent if the stream takes it now
            try:
                if _u.stream_step(self._id, 3, 0, 0) >= 0:
                    self._flush()
            except Exception:
                pass
        _u.tls_close(self._id)
        if hasattr(s, 'ioctl'):
            return s.ioctl(_CLOSE_REQ, 0)
        if hasattr(s, 'close'):
            s.close()
        return 0
