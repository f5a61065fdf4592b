# select: MicroPython's select module over usocket-node/select (one poll(2) per call).
import _usocket as _u
import socket as _s
from array import array as _array
from uctypes import addressof as _a

for _k in _s._POLL:
    globals()[_k] = _s._POLL[_k]
del _k

_ppoll = _u.poll_poll


def _key(obj):
    # a socket of this module is its id; any other descriptor is -(fd + 1)
    if isinstance(obj, _s.socket):
        return obj._id
    pk = getattr(obj, '_pk', None)  # a TLS socket (tls.py)
    if pk is not None:
        return pk
    if type(obj) is int:
        fd = obj
    else:
        fileno = getattr(obj, 'fileno', None)
        if fileno is None:
            raise TypeError('poll: a socket, a file descriptor or an object with fileno() is required')
        fd = fileno()
    if type(fd) is not int:
        raise TypeError('fileno() must return an int')
    if fd < 0:
        raise OSError(_s._errno.EBADF)
    return -fd - 1


class _Poll:
    def __init__(self):
        self._pid = _u.poll_new()
        self._objs = {}
        self._out = _array('i', range(16))

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        k = _key(obj)
        r = _u.poll_register(self._pid, k, eventmask)
        if r < 0:
            _s._raise(r)
        self._objs[k] = obj

    def unregister(self, obj):
        k = _key(obj)
        _u.poll_unregister(self._pid, k)
        self._objs.pop(k, None)

    def modify(self, obj, eventmask):
        r = _u.poll_modify(self._pid, _key(obj), eventmask)
        if r < 0:
            _s._raise(r)

    def poll(self, timeout=-1):
        objs = self._objs
        n = len(objs)
        out = self._out
        if len(out) < 2 * n:
            out = self._out = _array('i', range(4 * n))
        if timeout is None:
            timeout = -1
        elif timeout > 2147483647:
            timeout = float(timeout)  # integers cross to JavaScript as 32 bits
        while True:
            r = _ppoll(self._pid, timeout, _a(out), n)
            if r >= 0:
                break
            _s._raise(r)
        return [(objs[out[2 * i]], out[2 * i + 1]) for i in range(r)]

    def ipoll(self, timeout=-1, flags=0):
        return self._each(self.poll(timeout), flags)

    def _each(self, ready, flags):
        for pair in ready:
            if flags & 1:
                self.modify(pair[0], 0)
            yield pair

    def _free(self):
        _u.poll_free(self._pid)


def poll():
    return _Poll()


def select(rlist, wlist, xlist, timeout=None):
    p = _Poll()
    try:
        masks = {}
        for lst, m in ((rlist, POLLIN), (wlist, POLLOUT), (xlist, POLLPRI)):
            for obj in lst:
                k = _key(obj)
                masks[k] = masks.get(k, 0) | m
                p._objs[k] = obj
        for k in masks:
            r = _u.poll_register(p._pid, k, masks[k])
            if r < 0:
                _s._raise(r)
        ready = {}
        for obj, ev in p.poll(-1 if timeout is None else timeout * 1000):
            ready[_key(obj)] = ev
        out = ([], [], [])
        for i, lst, m in ((0, rlist, POLLIN | POLLHUP | POLLERR), (1, wlist, POLLOUT | POLLERR), (2, xlist, POLLPRI)):
            seen = {}
            for obj in lst:
                k = _key(obj)
                if ready.get(k, 0) & m and k not in seen:
                    seen[k] = 1
                    out[i].append(obj)
        return out
    finally:
        p._free()
