# Tasks waiting for a stream to become readable or writable. Sockets (anything with
# fileno()) are waited on with one select.poll, so the loop sleeps in a single poll(2).
# Objects with only ioctl (ThreadSafeFlag, a user's stream) are asked for their readiness
# with MicroPython's MP_STREAM_POLL request on each turn of the loop; while one of them
# waits, the loop never sleeps longer than _OWN_TICK ms, since what sets it (a scheduled
# callback) runs only between the loop's own steps.
#
# A socket stays registered after its waiter is woken, with the same event mask: a task that
# reads in a loop asks for POLLIN again straight away, and then nothing needs changing. An
# event that finds nobody waiting clears its bit then (one modify); an error, a hang-up or a
# closed socket with nobody waiting drops the registration.
import select
from . import core

_POLLIN = select.POLLIN
_POLLOUT = select.POLLOUT
_BOTH = _POLLIN | _POLLOUT
_MP_STREAM_POLL = 3
_OWN_TICK = 5

# an entry: [reader, writer, stream, polled by select (else by ioctl), armed event mask]
_READ = 0
_WRITE = 1
_BIT = (_POLLIN, _POLLOUT)


class IOQueue:
    def __init__(self):
        self._poller = select.poll()
        self._entries = {}
        self._own = []
        self._waiting = 0

    def idle(self):
        return not self._waiting

    def _queue(self, s, which):
        task = core.cur_task
        bit = _BIT[which]
        e = self._entries.get(id(s))
        if e is None:
            e = [None, None, s, True, bit]
            if not hasattr(s, "fileno") and hasattr(s, "ioctl"):
                e[3] = False
                self._own.append(e)
            else:
                self._poller.register(s, bit)
            self._entries[id(s)] = e
        elif e[which] is not None:
            raise RuntimeError("stream already waited on in that direction")
        elif not e[4] & bit:
            e[4] |= bit
            if e[3]:
                self._poller.modify(s, e[4])
        e[which] = task
        self._waiting += 1
        task.data = self

    def queue_read(self, s):
        self._queue(s, _READ)

    def queue_write(self, s):
        self._queue(s, _WRITE)

    def _drop(self, e):
        del self._entries[id(e[2])]
        if e[3]:
            self._poller.unregister(e[2])
        else:
            self._own.remove(e)

    def remove(self, task):
        # a cancelled task stops waiting; its bit stays armed until an event finds nobody
        for k in self._entries:
            e = self._entries[k]
            if e[0] is task or e[1] is task:
                if e[0] is task:
                    e[0] = None
                    self._waiting -= 1
                if e[1] is task:
                    e[1] = None
                    self._waiting -= 1
                if not e[3] and e[0] is None and e[1] is None:
                    self._drop(e)
                return

    def _wake(self, e, ev):
        # errors and hang-ups wake both directions: the next read or write reports them
        q = core._task_queue
        idle = ev
        if ev & ~_POLLOUT:
            if e[0] is not None:
                q.push(e[0])
                e[0] = None
                self._waiting -= 1
                idle &= ~_POLLIN
        if ev & ~_POLLIN:
            if e[1] is not None:
                q.push(e[1])
                e[1] = None
                self._waiting -= 1
                idle &= ~_POLLOUT
        if not e[3]:
            if e[0] is None and e[1] is None:
                self._drop(e)
        elif idle & ~_BOTH and e[0] is None and e[1] is None:
            # hung up, failed or closed, and nobody left to tell
            self._drop(e)
        elif idle & e[4]:
            # ready with nobody waiting that way: stop asking until someone does
            e[4] &= ~idle
            self._poller.modify(e[2], e[4])

    def _own_ready(self, e):
        mask = (_POLLIN if e[0] is not None else 0) | (_POLLOUT if e[1] is not None else 0)
        return e[2].ioctl(_MP_STREAM_POLL, mask) & (mask | ~_BOTH)

    def wait_io_event(self, timeout):
        own = self._own
        if own:
            for e in own:
                if self._own_ready(e):
                    timeout = 0
                    break
            else:
                if timeout < 0 or timeout > _OWN_TICK:
                    timeout = _OWN_TICK
        entries = self._entries
        for s, ev in self._poller.ipoll(timeout):
            e = entries.get(id(s))
            if e is not None:
                self._wake(e, ev)
        if own:
            i = 0
            while i < len(own):
                e = own[i]
                ev = self._own_ready(e)
                if ev:
                    self._wake(e, ev)
                    if i < len(own) and own[i] is e:
                        i += 1
                else:
                    i += 1
