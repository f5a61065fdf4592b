# time, with sleep/sleep_ms/sleep_us that wait instead of spinning (and end with
# KeyboardInterrupt on Ctrl-C, as the unix port's do)
import _usocket as _u
from time import *
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
