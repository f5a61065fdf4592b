# asyncio for the usocket MicroPython bridge: MicroPython's asyncio API, with tasks waiting
# on sockets through the bridge's select.poll. The bridge imports this package when the
# interpreter starts, so only the scheduler loads then; the rest loads on first use.
from .core import (
    CancelledError,
    TimeoutError,
    Task,
    TaskQueue,
    Loop,
    create_task,
    current_task,
    ensure_future,
    get_event_loop,
    get_running_loop,
    new_event_loop,
    run,
    run_until_complete,
    sleep,
    sleep_ms,
    ticks_add,
    ticks_diff,
)
from .core import ticks_ms as ticks  # noqa: F401  (the unix port's asyncio exports its clock)

__version__ = (3, 0, 0)

# name -> the submodule that defines it
_LAZY = {
    "gather": "funcs",
    "wait_for": "funcs",
    "wait_for_ms": "funcs",
    "Event": "event",
    "ThreadSafeFlag": "event",
    "Lock": "lock",
    "Server": "stream",
    "Stream": "stream",
    "StreamReader": "stream",
    "StreamWriter": "stream",
    "open_connection": "stream",
    "start_server": "stream",
}


_SUBMODULES = ("core", "taskqueue", "ioqueue", "event", "lock", "funcs", "stream")


def __getattr__(name):
    if name in _SUBMODULES:
        # "from asyncio import stream": the submodule itself
        return __import__(name, globals(), None, (), 1)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    value = getattr(__import__(module, globals(), None, (name,), 1), name)
    globals()[name] = value
    return value
