# The queue every waiting task sits in: the scheduler's run queue (ordered by the time a task
# is due) and the waiting lists of events, locks and awaited tasks (all due "now", so first
# come, first served). A binary heap in a list, each task remembering its slot, so that a
# cancelled task leaves any queue in O(log n) and pushing or popping allocates nothing once
# the list has grown.
from time import ticks_ms, ticks_diff

# Equal due times keep arrival order through a sequence number that wraps like ticks do.
_SEQ_MASK = 0x3FFFFFFF
_SEQ_HALF = 0x20000000


def _before(a, b):
    d = ticks_diff(a._due, b._due)
    if d:
        return d < 0
    return ((a._seq - b._seq) & _SEQ_MASK) >= _SEQ_HALF


class TaskQueue:
    def __init__(self):
        self._heap = []
        self._seq = 0

    def __len__(self):
        return len(self._heap)

    def peek(self):
        h = self._heap
        return h[0] if h else None

    def push(self, task, due=None):
        # a queued task waits for nothing else: whatever it waited on let it go
        task.data = None
        task._due = ticks_ms() if due is None else due
        task._seq = self._seq
        self._seq = (self._seq + 1) & _SEQ_MASK
        task._queue = self
        h = self._heap
        task._slot = len(h)
        h.append(task)
        self._up(task._slot)

    def pop(self):
        h = self._heap
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
        h = self._heap
        i = task._slot
        last = h.pop()
        if last is not task:
            h[i] = last
            last._slot = i
            self._down(i)
            self._up(last._slot)
        task._queue = None

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
