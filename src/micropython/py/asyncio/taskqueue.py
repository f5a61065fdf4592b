# The queue every waiting task sits in: the scheduler's run queue (ordered by the time a task
# is due, ties in arrival order) and the waiting lists of events, locks and awaited tasks.
# Two parts: tasks due now (most of them: woken, yielding with sleep(0), just created) go to
# the back of a plain list, whose order is already (due, arrival); tasks due later go to a
# binary heap in which each task remembers its slot, so that cancelling one is O(log n).
# The front of the queue is whichever of the two heads comes first. Once the lists have
# grown, pushing and popping allocate nothing.
from time import ticks_ms, ticks_diff

# Equal due times keep arrival order through a sequence number that wraps like ticks do.
_SEQ_MASK = 0x3FFFFFFF
_SEQ_HALF = 0x20000000

# task._slot for a task in the list of tasks due now
_NOW = -1


def _before(a, b):
    d = ticks_diff(a._due, b._due)
    if d:
        return d < 0
    return ((a._seq - b._seq) & _SEQ_MASK) >= _SEQ_HALF


class TaskQueue:
    def __init__(self):
        self._now = []
        self._heap = []
        self._seq = 0

    def __len__(self):
        return len(self._now) + len(self._heap)

    def queued_before(self, task, seq):
        # whether task was pushed before the push that got (or will get) sequence number seq
        return ((task._seq - seq) & _SEQ_MASK) >= _SEQ_HALF

    def peek(self):
        now = self._now
        h = self._heap
        if not h:
            return now[0] if now else None
        if not now:
            return h[0]
        return now[0] if _before(now[0], h[0]) else h[0]

    def push(self, task, due=None):
        # a queued task waits for nothing else: whatever it waited on let it go
        task.data = None
        t = ticks_ms()
        task._seq = self._seq
        self._seq = (self._seq + 1) & _SEQ_MASK
        task._queue = self
        if due is None or due == t:
            task._due = t
            task._slot = _NOW
            self._now.append(task)
            return
        task._due = due
        h = self._heap
        task._slot = len(h)
        h.append(task)
        self._up(task._slot)

    def pop(self):
        now = self._now
        h = self._heap
        if now and (not h or _before(now[0], h[0])):
            top = now.pop(0)
        else:
            top = h[0]
            last = h.pop()
            if last is not top:
                h[0] = last
                last._slot = 0
                self._down(0)
        top._queue = None
        return top

    def remove(self, task):
        if task._queue is not self:
            return
        task._queue = None
        if task._slot == _NOW:
            self._now.remove(task)
            return
        h = self._heap
        i = task._slot
        last = h.pop()
        if last is not task:
            h[i] = last
            last._slot = i
            self._down(i)
            self._up(last._slot)

    def _up(self, i):
        h = self._heap
        t = h[i]
        while i:
            p = (i - 1) >> 1
            q = h[p]
            if not _before(t, q):
                break
            h[i] = q
            q._slot = i
            i = p
        h[i] = t
        t._slot = i

    def _down(self, i):
        h = self._heap
        n = len(h)
        t = h[i]
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and _before(h[c + 1], h[c]):
                c += 1
            if not _before(h[c], t):
                break
            h[i] = h[c]
            h[i]._slot = i
            i = c
        h[i] = t
        t._slot = i
