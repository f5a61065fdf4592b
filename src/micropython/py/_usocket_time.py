# time, with sleep/sleep_ms/sleep_us that wait instead of spinning
import _usocket as _u
from time import *


def sleep(seconds):
    _u.sleep(seconds * 1000)


def sleep_ms(ms):
    _u.sleep(ms)


def sleep_us(us):
    _u.sleep(us / 1000)
