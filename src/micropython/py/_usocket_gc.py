# gc as the port's (it is the port's), but mem_alloc() and mem_free() count right past 1 GiB:
# the port answers them as small ints, which hold 31 bits on this 32-bit port and turn
# negative past 2**30. The port's memory is less than 2 GiB, so the low 31 bits are the count.
from gc import collect, disable, enable, isenabled, threshold  # noqa: F401 (this module's names)
import gc


def mem_alloc(_count=gc.mem_alloc):
    return _count() & 0x7fffffff


def mem_free(_count=gc.mem_free):
    return _count() & 0x7fffffff


del gc
