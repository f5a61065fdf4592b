# time, with sleep/sleep_ms/sleep_us that wait instead of spinning (and end with
# KeyboardInterrupt on Ctrl-C, as the unix port's do), and localtime/gmtime/mktime as the
# unix port's: 9 fields (isdst last), in the host's time zone (host-calls.ts)
import _usocket as _u
from time import *  # noqa: F401,F403
from time import time as _now
from socket import _raise


def _wait(ms):
    r = _u.sleep(ms)
    if r < 0:
        _raise(r)


def sleep(seconds):
    _wait(seconds * 1000)


def sleep_ms(ms):
    _wait(ms)


def sleep_us(us):
    _wait(us / 1000)


def _fields(secs, local):
    if secs is None:
        secs = _now()
    r = _u.time_tuple(float(secs), local)
    if type(r) is int:
        _raise(r)
    return tuple([int(x) for x in r.split(' ')])


def localtime(secs=None):
    return _fields(secs, 1)


def gmtime(secs=None):
    return _fields(secs, 0)


def mktime(t):
    if type(t) is not tuple and type(t) is not list:
        raise TypeError("object '%s' isn't a tuple or list" % type(t).__name__)
    if len(t) != 8 and len(t) != 9:
        raise TypeError('mktime needs a tuple of length 8 or 9')
    r = _u.mktime(t[0], t[1], t[2], t[3], t[4], t[5], t[8] if len(t) == 9 else -1)
    if type(r) is int:
        _raise(r)
    return int(r)
