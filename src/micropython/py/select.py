# select: MicroPython's select module over usocket-node/select (one poll(2) per call).
# Registered objects are this module's sockets, descriptor numbers, objects with fileno(),
# and MicroPython's custom pollables: objects whose ioctl(MP_STREAM_POLL, events) answers.
import _usocket as _u
import socket as _s
from array import array as _array
from struct import pack_into as _pack_into
from uctypes import addressof as _a, bytearray_at as _bytearray_at

for _k in _s._POLL:
    globals()[_k] = _s._POLL[_k]
del _k

_ppoll = _u.poll_poll
_int = _s._int

_MP_STREAM_POLL = 3
_MP_STREAM_GET_FILENO = 10

# How long one wait lasts while custom pollables are registered: they can only be asked.
_CUSTOM_SLICE_MS = 1


def _key(obj):
    # a socket of this module is its id; a descriptor is -(fd + 1); a custom pollable is None
    if isinstance(obj, _s.socket):
        return obj._id
    pk = getattr(obj, '_pk', None)  # a TLS socket (tls.py)
    if pk is not None:
        return pk
    if type(obj) is int or type(obj) is bool:
        fd = _int(obj, 'fd')
    else:
        fileno = getattr(obj, 'fileno', None)
        if fileno is None:
            ioctl = getattr(obj, 'ioctl', None)
            if ioctl is None:
                raise TypeError('poll: a socket, a file descriptor or a stream is required')
            fd = ioctl(_MP_STREAM_GET_FILENO, 0)
            if type(fd) is not int or fd < 0:
                return None
        else:
            fd = fileno()
            if type(fd) is not int:
                raise TypeError('fileno() must return an int')
            fd = _int(fd, 'fd')
    if fd < 0:
        raise ValueError('file descriptor cannot be a negative integer')
    return -fd - 1


def _ask(obj, events):
    # a custom pollable's readiness, as MicroPython asks it (negative: an errno)
    r = obj.ioctl(_MP_STREAM_POLL, events)
    if r < 0:
        raise OSError(-r)
    return r


class _Poll:
    def __init__(self):
        self._pid = _u.poll_new()
        self._objs = {}
        self._custom = []  # [obj, events] pairs, in registration order
        self._out = _array('i', range(16))
        self._n = 0
        self._at = 0
        self._flags = 0
        self._ready = None
        # standard input (descriptor 0) is registered for POLLIN
        self._stdin = False
        # ipoll's one result, mutated in place as MicroPython's own (no tuple per event)
        self._pair = tuple([None, 0])
        self._pair_mem = _bytearray_at(id(self._pair) + 8, 8)

    def _find(self, obj):
        for c in self._custom:
            if c[0] is obj:
                return c
        return None

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        k = _key(obj)
        eventmask = _int(eventmask, 'eventmask')
        if k is None:
            c = self._find(obj)
            if c is None:
                self._custom.append([obj, eventmask])
            else:
                c[1] = eventmask
            return
        r = _u.poll_register(self._pid, k, eventmask)
        if r < 0:
            _s._raise(r)
        self._objs[k] = obj
        if k == -1:
            self._stdin = bool(eventmask & POLLIN)

    def unregister(self, obj):
        k = _key(obj)
        if k is None:
            c = self._find(obj)
            if c is not None:
                self._custom.remove(c)
            return
        _u.poll_unregister(self._pid, k)
        self._objs.pop(k, None)
        if k == -1:
            self._stdin = False

    def modify(self, obj, eventmask):
        k = _key(obj)
        eventmask = _int(eventmask, 'eventmask')
        if k is None:
            c = self._find(obj)
            if c is None:
                raise OSError(_s._errno.ENOENT)
            c[1] = eventmask
            return
        r = _u.poll_modify(self._pid, k, eventmask)
        if r < 0:
            _s._raise(r)
        if k == -1:
            self._stdin = bool(eventmask & POLLIN)

    def _wait(self, timeout):
        # one poll(2) of the descriptors; their keys and events land in self._out
        n = len(self._objs)
        out = self._out
        if len(out) < 2 * n:
            out = self._out = _array('i', range(4 * n))
        while True:
            r = _ppoll(self._pid, timeout, _a(out), n)
            if r >= 0:
                return r
            _s._raise(r)

    def _run(self, timeout):
        # fills self._out (descriptors) and returns (count, ready custom pollables). Standard
        # input's bytes may already be read from descriptor 0 into the command line's buffer
        # (it reads in blocks): then it is readable now, whatever poll(2) says.
        if self._stdin and _u.stdin_held() > 0:
            n, ready = self._gather(0)
            out = self._out
            for i in range(n):
                if out[2 * i] == -1:
                    out[2 * i + 1] |= POLLIN
                    return n, ready
            out[2 * n] = -1  # room: descriptor 0 was registered, and not among the n
            out[2 * n + 1] = POLLIN
            return n + 1, ready
        return self._gather(timeout)

    def _gather(self, timeout):
        if timeout is None:
            timeout = -1
        elif type(timeout) is float:
            timeout = int(timeout)
        elif type(timeout) is not int:
            raise TypeError('timeout must be an int')
        if timeout > 2147483647:
            timeout = float(timeout)  # integers cross to JavaScript as 32 bits
        if not self._custom:
            return self._wait(timeout), None
        import time
        start = time.ticks_ms()
        while True:
            ready = []
            for obj, events in self._custom:
                r = _ask(obj, events)
                if r:
                    ready.append((obj, r))
            left = 0
            if not ready and timeout != 0:
                left = _CUSTOM_SLICE_MS
                if timeout > 0:
                    left = min(left, max(0, timeout - time.ticks_diff(time.ticks_ms(), start)))
            n = self._wait(left)
            if n or ready or (timeout >= 0 and time.ticks_diff(time.ticks_ms(), start) >= timeout):
                return n, ready

    def poll(self, timeout=-1):
        n, ready = self._run(timeout)
        objs = self._objs
        out = self._out
        res = [(objs[out[2 * i]], out[2 * i + 1]) for i in range(n)]
        if ready:
            res.extend(ready)
        return res

    def ipoll(self, timeout=-1, flags=0):
        n, ready = self._run(timeout)
        self._n = n
        self._at = 0
        self._flags = flags
        self._ready = ready
        return self

    def __iter__(self):
        return self

    def __next__(self):
        # what was unregistered since the poll is skipped (asyncio does that while iterating)
        while True:
            i = self._at
            if i < self._n:
                self._at = i + 1
                obj = self._objs.get(self._out[2 * i])
                if obj is None:
                    continue
                ev = self._out[2 * i + 1]
            else:
                ready = self._ready
                j = i - self._n
                if ready is None or j >= len(ready):
                    raise StopIteration
                self._at = i + 1
                obj, ev = ready[j]
                if self._find(obj) is None:
                    continue
            break
        if self._flags & 1:
            self.modify(obj, 0)
        # id() of an object is its mp_obj_t (a small int's too): the pair's two items
        _pack_into('<II', self._pair_mem, 0, id(obj), id(ev))
        return self._pair

    def _free(self):
        _u.poll_free(self._pid)


def poll():
    return _Poll()


def select(rlist, wlist, xlist, timeout=None):
    if timeout is not None:
        if timeout != timeout:
            raise ValueError('Invalid value NaN (not a number)')
        if timeout < 0:
            raise ValueError('timeout must be non-negative')
        if timeout * 1000 > 0x7FFFFFFF:
            # as CPython: a timeout poll(2) cannot take
            raise OverflowError('timeout is too large')
    p = _Poll()
    try:
        masks = {}
        for lst, m in ((rlist, POLLIN), (wlist, POLLOUT), (xlist, POLLPRI)):
            for obj in lst:
                k = _key(obj)
                if k is None:
                    p.register(obj, m | (p._find(obj) or (0, 0))[1])
                    continue
                masks[k] = masks.get(k, 0) | m
                p._objs[k] = obj
        for k in masks:
            r = _u.poll_register(p._pid, k, masks[k])
            if r < 0:
                _s._raise(r)
        p._stdin = bool(masks.get(-1, 0) & POLLIN)
        ready = {}
        custom = {}
        for obj, ev in p.poll(-1 if timeout is None else int(timeout * 1000)):
            k = _key(obj)
            if k is None:
                custom[id(obj)] = ev
            else:
                ready[k] = ev
        out = ([], [], [])
        for i, lst, m in ((0, rlist, POLLIN | POLLHUP | POLLERR), (1, wlist, POLLOUT | POLLERR), (2, xlist, POLLPRI)):
            seen = {}
            for obj in lst:
                k = _key(obj)
                ev = custom.get(id(obj), 0) if k is None else ready.get(k, 0)
                if ev & POLLNVAL:
                    raise OSError(_s._errno.EBADF)
                key = id(obj) if k is None else k
                if ev & m and key not in seen:
                    seen[key] = 1
                    out[i].append(obj)
        return out
    finally:
        p._free()
