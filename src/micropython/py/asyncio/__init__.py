# asyncio for the usocket MicroPython bridge: MicroPython's asyncio API, with tasks waiting
# on sockets through the bridge's select.poll.
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
)
from .funcs import gather, wait_for, wait_for_ms
from .event import Event, ThreadSafeFlag
from .lock import Lock
from .stream import Server, Stream, StreamReader, StreamWriter, open_connection, start_server

__version__ = (3, 0, 0)
