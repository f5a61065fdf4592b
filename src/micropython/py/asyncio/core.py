# The scheduler: tasks, sleeping, the loop that runs them, and the Loop object scripts get
# from get_event_loop(). One loop per interpreter, as on MicroPython: its state lives in this
# module (cur_task, _task_queue, _io_queue keep MicroPython's names because libraries such as
# aioespnow reach for them).
import sys
from time import ticks_ms, ticks_diff, ticks_add
from .taskqueue import TaskQueue

# MicroPython's type of coroutine objects (a generator)
_generator = type((lambda: (yield))())


class CancelledError(BaseException):
    pass


class TimeoutError(Exception):
    pass


# Outcomes that end a task; anything else (KeyboardInterrupt, SystemExit) ends the loop.
_ENDINGS = (CancelledError, Exception)
_QUIET = (CancelledError, StopIteration)

# One context dict, reused, for reporting exceptions no task retrieved.
_report = {"message": "Task exception wasn't retrieved", "exception": None, "future": None}


class _Pause:
    # What sleep_ms returns. Awaiting it queues the current task for its due time and yields
    # once; the next step ends the await. One object serves every sleep, so sleeping
    # allocates nothing (the StopIteration is reused too, its traceback dropped each time).
    def __init__(self):
        self.due = None
        self.stop = StopIteration()

    def __iter__(self):
        return self

    __await__ = __iter__

    def __next__(self):
        due = self.due
        if due is None:
            self.stop.__traceback__ = None
            raise self.stop
        self.due = None
        _task_queue.push(cur_task, due)


_pause = _Pause()


def sleep_ms(t):
    # ticks_add raises OverflowError for a delay beyond half the ticks period, as MicroPython
    _pause.due = ticks_add(ticks_ms(), t if t > 0 else 0)
    return _pause


def sleep(t):
    return sleep_ms(int(t * 1000))


class Task:
    # A coroutine being run by the loop.
    # data: what the task waits on while it waits (an object with remove(task), or the Task it
    #       awaits); the exception to throw into it when it is queued with one (cancellation);
    #       once done, its outcome: StopIteration(value) or the exception that ended it.
    # _waiters: None, the TaskQueue of tasks awaiting it, or a function called when it ends.
    def __init__(self, coro):
        self.coro = coro
        self.data = None
        self._done = False
        self._seen = False
        self._waiters = None
        self._queue = None
        self._slot = 0
        self._due = 0
        self._seq = 0

    def __repr__(self):
        # as the unix port's Task (C, _asyncio), in the default exception handler's report
        return "<Task>"

    def __iter__(self):
        if self._done:
            self._seen = True
        elif self._waiters is None:
            self._waiters = TaskQueue()
        elif type(self._waiters) is not TaskQueue:
            raise RuntimeError("can't wait")
        return self

    __await__ = __iter__

    def __next__(self):
        if self._done:
            raise self.data
        self._waiters.push(cur_task)
        cur_task.data = self

    def done(self):
        return self._done

    def cancel(self):
        if self._done:
            return False
        if self is cur_task:
            raise RuntimeError("can't cancel self")
        # A task awaiting another is cancelled through the one it awaits, innermost first:
        # the CancelledError then travels back out through each await.
        t = self
        while isinstance(t.data, Task):
            t = t.data
        if hasattr(t.data, "remove"):
            t.data.remove(t)
            _task_queue.push(t)
        elif t._queue is _task_queue and ticks_diff(t._due, ticks_ms()) > 0:
            _task_queue.remove(t)
            _task_queue.push(t)
        t.data = CancelledError
        return True


def _promote_to_task(aw):
    return aw if isinstance(aw, Task) else create_task(aw)


def ensure_future(aw, loop=None):
    return _promote_to_task(aw)


def create_task(coro):
    if not hasattr(coro, "send"):
        raise TypeError("coroutine expected")
    t = Task(coro)
    _task_queue.push(t)
    return t


def _finish(t, outcome, main):
    # The task ended with outcome (StopIteration or an exception): wake whoever awaits it.
    t._done = True
    w = t._waiters
    t._waiters = None
    seen = t._seen or t is main
    if w is not None:
        if type(w) is TaskQueue:
            while w.peek() is not None:
                _task_queue.push(w.pop())
                seen = True
        else:
            w(t, outcome)
            seen = True
    t._seen = seen
    if not seen and not isinstance(outcome, _QUIET):
        # Nobody has asked for this error yet; give them until the task comes round again.
        _task_queue.push(t)
    t.data = outcome


def run_until_complete(main_task=None):
    global cur_task
    while True:
        # Until the first queued task is due: wait for I/O, which queues the tasks it wakes.
        while True:
            t = _task_queue.peek()
            io = _io_queue
            if t is not None:
                wait = ticks_diff(t._due, ticks_ms())
                if wait < 0:
                    wait = 0
            elif io.idle():
                cur_task = None
                if main_task is None or main_task._done:
                    return
                # Nothing queued can wake the loop, but a scheduled callback (or an
                # interrupt) may still set an event: look again shortly.
                wait = 3
            else:
                wait = -1
            if wait or not io.idle():
                io.wait_io_event(wait)
            if not wait:
                break

        # One turn: every task due now that was queued before the turn began, in queue order.
        # Tasks queued during the turn (sleep(0), woken waiters) wait for the next turn, which
        # first looks at I/O again: one poll per turn rather than one per task step keeps a
        # loop with many sockets from polling them all between every two steps.
        q = _task_queue
        turn = q._seq
        now = ticks_ms()
        while True:
            t = q.peek()
            if t is None or ticks_diff(t._due, now) > 0 or not q.queued_before(t, turn):
                break
            q.pop()
            if t._done:
                # queued by _finish to report an error, unless someone has retrieved it since
                if not t._seen:
                    t._seen = True
                    _report["exception"] = t.data
                    _report["future"] = t
                    Loop.call_exception_handler(_report)
                continue
            cur_task = t
            try:
                err = t.data
                if err is None:
                    t.coro.send(None)
                else:
                    t.data = None
                    t.coro.throw(err)
            except _ENDINGS as outcome:
                _finish(t, outcome, main_task)
                if t is main_task:
                    cur_task = None
                    if isinstance(outcome, StopIteration):
                        return outcome.value
                    raise outcome
            if q is not _task_queue:
                # new_event_loop() from a task: the old queue is gone
                break


def run(coro):
    return run_until_complete(create_task(coro))


async def _stopper():
    pass


cur_task = None
_stop_task = None


class Loop:
    # The event loop as MicroPython has it: the class itself is the loop (get_event_loop()
    # returns it), so its functions are called on the class and take no self.
    _exc_handler = None

    @staticmethod
    def create_task(coro):
        return create_task(coro)

    @staticmethod
    def run_forever():
        global _stop_task
        # a task that is never queued until stop(): the loop runs until it has run
        _stop_task = Task(_stopper())
        run_until_complete(_stop_task)

    @staticmethod
    def run_until_complete(aw):
        return run_until_complete(_promote_to_task(aw))

    @staticmethod
    def stop():
        global _stop_task
        if _stop_task is not None:
            _task_queue.push(_stop_task)
            _stop_task = None

    @staticmethod
    def close():
        pass

    @staticmethod
    def set_exception_handler(handler):
        Loop._exc_handler = handler

    @staticmethod
    def get_exception_handler():
        return Loop._exc_handler

    @staticmethod
    def default_exception_handler(loop, context):
        print(context["message"], file=sys.stderr)
        print("future:", context["future"], "coro=", context["future"].coro, file=sys.stderr)
        # the sys the program sees (the command line's leaves the bridge's own frames out)
        sys.modules.get("sys", sys).print_exception(context["exception"], sys.stderr)

    @staticmethod
    def call_exception_handler(context):
        (Loop._exc_handler or Loop.default_exception_handler)(Loop, context)

    @staticmethod
    async def run_in_executor(executor, func, *args):
        # No threads here: the function runs in the loop's thread when awaited. A coroutine
        # it returns is awaited too: MicroPython's inspect cannot tell an async closure from
        # a plain one, so a library that sends non-coroutine functions here (microdot, with
        # the port's frozen inspect) hands over async handlers wrapped by decorators.
        r = func(*args)
        if type(r) is _generator:
            r = await r
        return r


def get_event_loop(runq_len=0, waitq_len=0):
    return Loop


def get_running_loop():
    if cur_task is None:
        raise RuntimeError("no running event loop")
    return Loop


def current_task():
    if cur_task is None:
        raise RuntimeError("no running event loop")
    return cur_task


def new_event_loop():
    global _task_queue, _io_queue
    _task_queue = TaskQueue()
    _io_queue = IOQueue()
    return Loop


# ioqueue needs this module's names (cur_task, _task_queue), so it comes in last
from .ioqueue import IOQueue  # noqa: E402

new_event_loop()
