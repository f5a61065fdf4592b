# Lock: mutual exclusion between tasks, handed to waiters in the order they came.
from . import core

# _owner: _FREE, _HELD, or the Task the lock has been handed to and that has yet to run
_FREE = 0
_HELD = 1


class Lock:
    def __init__(self):
        self._owner = _FREE
        self._waiting = core.TaskQueue()

    def locked(self):
        return self._owner == _HELD

    def release(self):
        if self._owner != _HELD:
            raise RuntimeError("Lock not acquired")
        q = self._waiting
        if q.peek() is not None:
            nxt = q.pop()
            self._owner = nxt
            core._task_queue.push(nxt)
        else:
            self._owner = _FREE

    def acquire(self):
        if self._owner != _FREE:
            task = core.cur_task
            self._waiting.push(task)
            task.data = self._waiting
            try:
                yield
            except core.CancelledError:
                if self._owner is task:
                    # handed the lock but cancelled before running: pass it on
                    self._owner = _HELD
                    self.release()
                raise
        self._owner = _HELD
        return True

    async def __aenter__(self):
        return await self.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        return self.release()
