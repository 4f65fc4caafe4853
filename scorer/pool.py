"""Worker processes (loky, the process pool joblib uses) that map a function over chunks of an iterable, in
input order, as the input is read. Generic: the pool knows nothing of scoring; its callers pass a module-level
function (`pipeline` for `Scorer.score_many`, `batch.workers` for batch runs), which loads the model once per
worker itself.

Workers never outlive the process that started them: each runs a thread that checks every
`PARENT_POLL` seconds whether its parent process is still the one that started it and ends the worker
(os._exit) when it is not, so `kill -9` of `scorer batch --jobs N` leaves no worker running (loky's
helper processes, its resource trackers, end on their own once the workers are gone). Workers ignore
Ctrl-C (SIGINT): the parent gets it, stops them and writes what it has; the same happens whenever the
parent stops reading results early (an error, or a generator closed before the end).
"""
from __future__ import annotations

import os
from collections import deque
from itertools import islice

CHUNK = 32
PARENT_POLL = 0.5      # seconds between a worker's checks that its parent is alive
IDLE_TIMEOUT = 300     # seconds an idle worker waits for work before it exits (as joblib's default)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def chunks(iterable, size):
    """Lists of up to `size` items from an iterable, read lazily."""
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def watch_parent(parent: int, poll: float = PARENT_POLL) -> None:
    """Worker initializer: ignore SIGINT, and start a daemon thread that ends this process as soon as its
    parent is no longer process `parent` (it died, and the worker was handed to init or a subreaper)."""
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="scorer-parent-watch", daemon=True).start()


def _thread_limits(jobs: int) -> dict[str, str]:
    """Environment for the workers that keeps native thread pools to cores / workers (as joblib sets it),
    unless the variable is already set."""
    threads = str(max((os.cpu_count() or 1) // jobs, 1))
    env = {var: os.environ.get(var, threads) for var in THREAD_VARS}
    if "ENABLE_IPC" not in os.environ:
        env["ENABLE_IPC"] = "1"
    return env


def worker_pool(jobs: int):
    """The reusable loky executor of `jobs` workers, each started with `watch_parent`."""
    from joblib.externals.loky import get_reusable_executor

    return get_reusable_executor(max_workers=jobs, timeout=IDLE_TIMEOUT, initializer=watch_parent,
                                 initargs=(os.getpid(),), env=_thread_limits(jobs))


def ordered_map(func, items, jobs: int = 1, args: tuple = (), size: int = CHUNK):
    """The results of `func(chunk, *args)` (a list per chunk of up to `size` items) one by one, in input order.
    With jobs <= 1 they are computed in this process; with more, chunks go to worker processes, at most
    2 * jobs chunks ahead of the one being returned, and if the caller stops before the end (Ctrl-C, an
    error, closing the generator), the workers are stopped. `func` must be a module-level function: the
    workers import it by name."""
    if jobs <= 1:
        for chunk in chunks(items, size):
            yield from func(chunk, *args)
        return
    pool = worker_pool(jobs)
    todo = chunks(items, size)
    pending: deque = deque()
    finished = False
    try:
        for chunk in islice(todo, 2 * jobs):
            pending.append(pool.submit(func, chunk, *args))
        while pending:
            results = pending.popleft().result()
            for chunk in islice(todo, 1):
                pending.append(pool.submit(func, chunk, *args))
            yield from results
        finished = True
    finally:
        if not finished:
            _stop(pool, pending)


def _stop(pool, pending) -> None:
    """Kill the workers of `pool` (their pending chunks are dropped). Works around two loky races that
    make its manager thread die with a traceback, and one of them leave the workers running: futures are
    not cancelled (it calls set_exception on them), and shutting down waits, up to a second, until loky
    has taken every submitted chunk into its call queue (one still between would raise KeyError)."""
    import time

    deadline = time.monotonic() + 1
    while not all(future.running() or future.done() for future in pending) and time.monotonic() < deadline:
        time.sleep(0.002)
    pool.shutdown(wait=True, kill_workers=True)
