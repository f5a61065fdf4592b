# What MicroPython's unix port has and the WebAssembly port lacks, that network programs
# use: hashlib.sha1 and hashlib.md5 (WebSocket handshakes, HMAC), and os.getenv, putenv,
# unsetenv and urandom (install() adds them to os; _usocket_hashlib is hashlib). The work is
# Node's (host-calls.ts).
import _usocket as _u
from socket import _buffer, _raise, _take
from uctypes import addressof as _a


class _Hash:
    # MicroPython's hash objects: update() and one digest(), after which the hash is final
    _alg = ''

    def __init__(self, data=None):
        self._id = _u.hash_new(self._alg)
        if data is not None:
            self.update(data)

    def __repr__(self):
        return '<%s>' % self._alg

    def update(self, data):
        if self._id < 0:
            raise ValueError('hash is final')
        data = data.encode() if type(data) is str else _buffer(data)
        while True:
            r = _u.hash_update(self._id, _a(data), len(data))
            if r >= 0:
                return None
            _raise(r)

    def digest(self):
        if self._id < 0:
            raise ValueError('hash is final')
        r = _u.hash_digest(self._id)
        self._id = -1
        if r < 0:
            _raise(r)
        return _take(r)


class sha1(_Hash):
    _alg = 'sha1'


class md5(_Hash):
    _alg = 'md5'


def _str(v):
    if type(v) is not str:
        raise TypeError("can't convert '%s' object to str implicitly" % type(v).__name__)
    return v


def getenv(key, default=None):
    v = _u.getenv(_str(key))
    return default if v == 0 else v


def putenv(key, value):
    _u.putenv(_str(key), _str(value))


def unsetenv(key):
    _u.unsetenv(_str(key))


def urandom(n):
    if type(n) is not int:
        raise TypeError("can't convert %s to int" % type(n).__name__)
    if n < 0:
        raise ValueError()
    r = _u.urandom(n)
    if r < 0:
        _raise(r)
    return _take(r)


def install():
    import os
    import sys
    for f in (getenv, putenv, unsetenv, urandom):
        setattr(os, f.__name__, f)
    # os is the port's frozen package over the built-in uos (whose names are read-only);
    # on the unix port they are one module, so uos is os here too
    sys.modules['uos'] = os
