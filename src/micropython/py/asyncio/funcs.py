# wait_for and gather: waiting on other tasks with a deadline, or on many at once.
from . import core


async def _watch(waiter, aw):
    # Runs aw for wait_for and, if the waiter is still asleep on its deadline, wakes it with
    # a CancelledError that carries aw's outcome: (True, result) or (exception, None).
    try:
        result = await aw
        status = True
    except BaseException as e:
        result = None
        status = e
    if waiter.data is None and waiter.cancel():
        waiter.data = core.CancelledError(status, result)


async def wait_for(aw, timeout, sleep=core.sleep):
    aw = core._promote_to_task(aw)
    if timeout is None:
        return await aw
    watcher = core.create_task(_watch(core.cur_task, aw))
    try:
        await sleep(timeout)
    except core.CancelledError as e:
        if not e.args:
            # cancelled from outside: take aw down too
            watcher.cancel()
            raise
        status, result = e.args
        if status is True:
            return result
        raise status
    # the deadline came first
    watcher.cancel()
    await watcher
    raise core.TimeoutError


def wait_for_ms(aw, timeout):
    return wait_for(aw, timeout, core.sleep_ms)


class _Parked:
    # what a gathering task waits on: nothing to take it out of when it is cancelled
    @staticmethod
    def remove(task):
        pass


def gather(*aws, return_exceptions=False):
    tasks = [core._promote_to_task(aw) for aw in aws]
    gatherer = core.cur_task
    # pending: sub-tasks still to finish, or an exception that ends the gather early
    pending = 0

    def ended(t, outcome):
        nonlocal pending
        if gatherer.data is not _Parked:
            # already woken (by an earlier failure, or cancelled)
            return
        if not return_exceptions and not isinstance(outcome, StopIteration):
            pending = outcome
        else:
            pending -= 1
            if pending:
                return
        core._task_queue.push(gatherer)

    failed = False
    for t in tasks:
        if t._done:
            if not return_exceptions and not isinstance(t.data, StopIteration):
                failed = True
        elif t._waiters is None:
            t._waiters = ended
            pending += 1
        else:
            raise RuntimeError("can't gather")

    cancelled = False
    if pending and not failed:
        gatherer.data = _Parked
        try:
            yield
        except core.CancelledError as e:
            cancelled = True
            pending = e

    error = pending if not isinstance(pending, int) else None
    for i in range(len(tasks)):
        t = tasks[i]
        if t._waiters is ended:
            # still running: no longer gathered; cancelled with the gather
            t._waiters = None
            if cancelled:
                t.cancel()
        elif not t._done:
            pass
        elif isinstance(t.data, StopIteration):
            tasks[i] = t.data.value
        elif return_exceptions:
            tasks[i] = t.data
        elif error is None:
            error = t.data
    if error is not None:
        raise error
    return tasks
