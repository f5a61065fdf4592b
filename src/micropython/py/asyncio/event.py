# Event and ThreadSafeFlag: one task (or many) waiting for another part of the program.
from . import core


class Event:
    def __init__(self):
        self._set = False
        self._waiting = core.TaskQueue()

    def is_set(self):
        return self._set

    def set(self):
        # Only from the loop's own thread (a task or a scheduled callback), never an IRQ.
        q = self._waiting
        while q.peek() is not None:
            core._task_queue.push(q.pop())
        self._set = True

    def clear(self):
        self._set = False

    def wait(self):
        # a generator, awaited: queued on the event until set() moves it to the run queue
        if not self._set:
            task = core.cur_task
            self._waiting.push(task)
            task.data = self._waiting
            yield
        return True


class ThreadSafeFlag:
    # Set from anywhere (a scheduled callback, an interrupt handler); clears itself when a
    # waiter takes it. The loop sees it through the stream poll request, like a socket.
    def __init__(self):
        self._flag = 0

    def ioctl(self, req, flags):
        if req == 3:
            return flags if self._flag else 0
        return -1

    def set(self):
        self._flag = 1

    def clear(self):
        self._flag = 0

    def wait(self):
        if not self._flag:
            yield core._io_queue.queue_read(self)
        self._flag = 0
