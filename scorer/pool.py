"""Worker processes that map a function over chunks of an iterable, in input order, as the input is read. Generic:
the pool knows nothing of scoring; its callers pass a module-level function (`pipeline` for `Scorer.score_many`,
`batch.workers` for batch runs), which loads the model once per worker itself.

The pool is the standard library's multiprocessing, with the workers forked on Linux (they start in milliseconds and
share the parent's memory until they write to it; the batch parent never imports numpy or the model) and spawned
elsewhere. There are no helper processes: a task queue and a result queue, one pair per pool, and the workers.
Chunks go to whichever worker is free; at most AHEAD chunks per worker are in flight, so the input is read as the
output is written and memory does not grow with it. A caller may start the pool before its first map (`start`), with
a function each worker calls once before its first task (a batch run's workers load the model then, while the parent
is still opening its files).

Workers never outlive the process that started them: each runs a thread that checks every `PARENT_POLL` seconds
whether its parent process is still the one that started it and ends the worker (os._exit) when it is not, so
`kill -9` of `scorer batch --jobs N` leaves no worker running; and they are daemons, ended when the parent exits.
Workers ignore Ctrl-C (SIGINT) and take SIGTERM's default action (the parent's handlers are not theirs): the parent
gets Ctrl-C (or SIGTERM: `batch.run` handles both), stops them and writes what it has; the same happens whenever the parent stops reading results early (an
error, or a generator closed before the end). A worker that dies (killed, out of memory) ends the map with a
WorkerDied error instead of a hang; one that left after IDLE_TIMEOUT seconds without work is replaced.
"""
from __future__ import annotations

import os
import queue
import signal
import sys
import time
from itertools import islice

from .errors import ScorerError

CHUNK = 32
AHEAD = 3              # chunks in flight per worker: with 2, a worker whose chunks came out ahead of the other's, or
#                        whose parent was slow to be scheduled, waited for a task more often (the two workers' waits in
#                        a batch of 15 x the dev articles, 5 runs each on a loaded machine: median 0.36 s with 2, 0.16 s
#                        with 3, no less with 4; `bench/fixed_costs.py --ahead N`); each more is a chunk's records and
#                        results (~0.2 MB for 8 dev articles) that the parent may hold
PARENT_POLL = 0.5      # seconds between a worker's checks that its parent is alive (and the parent's that its
#                        workers are)
IDLE_TIMEOUT = 300     # seconds an idle worker waits for work before it exits (as joblib's default)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS", "NUMEXPR_NUM_THREADS")
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
PIPE_BYTES = 1 << 20   # the queues' pipes are widened to this (Linux; the default 64 KB): a batch worker's result for a
#                        chunk (~200 KB of JSONL for 8 dev articles) then goes through in one write and one or a few
#                        reads instead of a dozen of each with the two processes switching in between (158 such results
#                        through a Queue, the reader's CPU: 20-29 ms against 31-39 ms; fixed17)


class WorkerDied(ScorerError):
    """A worker process ended while it had work (killed, or out of memory), or the function failed in it."""


def chunks(iterable, size):
    """Lists of up to `size` items from an iterable, read lazily."""
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def watch_parent(parent: int, poll: float = PARENT_POLL) -> None:
    """In a worker: ignore SIGINT, and start a daemon thread that ends this process as soon as its
    parent is no longer process `parent` (it died, and the worker was handed to init or a subreaper)."""
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="scorer-parent-watch", daemon=True).start()


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
HEAP_THRESHOLD = 1 << 20  # bytes: larger blocks get their own mapping, and free memory over this at the heap's top goes


def tune_malloc():
    """Make glibc's allocator give memory back to the system: blocks of HEAP_THRESHOLD bytes or more (numpy arrays,
    long strings) get their own mappings, unmapped when freed, and the heap is trimmed when over HEAP_THRESHOLD bytes
    at its top are free. (By default glibc raises its mapping threshold up to 32 MB after the first large block is
    freed, so a worker's per-chunk arrays then stay in its heap, resident, long after they are freed.) Returns
    `malloc_trim` (call it with 0 to return the free pages inside the heap too), or None off Linux or where the C
    library is not glibc (nothing is changed there)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt, trim = libc.mallopt, libc.malloc_trim
        trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    mallopt(M_MMAP_THRESHOLD, HEAP_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, HEAP_THRESHOLD)
    global _TRIM
    _TRIM = trim
    return trim


_TRIM = None  # malloc_trim, once `tune_malloc` ran in this process: the pool trims the heap before each fork

# How far a process's resident memory may grow past its size after its last trim before `Trimmer` trims again: a worker
# keeps about one task's worth of freed pages (a batch task of 8 dev articles frees 5-9 MB of arrays and strings), which
# the next task reuses instead of faulting them in afresh; the parent keeps a little (its tasks' payloads)
WORKER_TRIM_SLACK = 8 << 20
PARENT_TRIM_SLACK = 1 << 20


def resident_bytes() -> int | None:
    """This process's resident set size in bytes (Linux /proc/self/statm), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class Trimmer:
    """Calls `trim(0)` (glibc's malloc_trim: the heap's free pages go back to the system) when this process's resident
    memory has grown by more than `slack` bytes since the last trim, and always where it cannot be read. Trimming after
    every task returned the next task's working memory only for the task to fault it back in, page by page (about
    2,000 page faults a task, ~5% of a worker's time); keeping up to `slack` bytes of it bounds the resident memory
    as trimming every time did, but a process trims only when a task left it larger."""

    def __init__(self, trim, slack: int):
        self.trim, self.slack = trim, slack
        self.floor: int | None = None  # resident bytes after the last trim (None: no trim yet)

    def __call__(self) -> None:
        size = resident_bytes()
        if size is None or self.floor is None or size > self.floor + self.slack:
            self.trim(0)
            self.floor = resident_bytes()


def _thread_limits() -> dict[str, str]:
    """Environment for the workers: one native thread each (scoring multiplies small matrices, where OpenBLAS's
    threads only add waiting), unless the variable is already set."""
    return {var: os.environ.get(var, "1") for var in THREAD_VARS}


def single_threaded_scoring() -> None:
    """Before numpy is imported in a process that scores: native thread pools of one thread, unless a variable is
    set already. Scoring's matrix products are small (a batch's sentences x a few hundred columns), and with
    OpenBLAS's threads they cost more: ~10% of one worker's time on 2 cores, far more on a busy machine. (Once numpy
    is loaded, this changes nothing.)"""
    os.environ.update(_thread_limits())


def _worker(tasks, results, parent: int, env: dict[str, str], init: tuple | None = None) -> None:
    """A worker's life: `init` (func, args) called once, if given; then (seq, func, chunk, args) tasks in, (seq, ok,
    results or the error's text) out, until None, IDLE_TIMEOUT seconds without a task, or the parent's end."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watch_parent(parent)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)  # blocked by the parent around the fork
    os.environ.update(env)
    trim = tune_malloc()
    trimmer = Trimmer(trim, WORKER_TRIM_SLACK) if trim is not None else None
    if init is not None:
        try:
            init[0](*init[1])
        except Exception:  # noqa: BLE001, S110 - only a head start: a task doing the same work raises it, in its place
            pass
    quiet_collector()
    while True:
        try:
            task = tasks.get(timeout=IDLE_TIMEOUT)
        except queue.Empty:
            return
        if task is None:
            return
        seq, func, chunk, args = task
        try:
            out = (seq, True, func(chunk, *args))
        except ScorerError as exc:  # the package's own error (a model that does not load): raised as it is there
            out = (seq, False, _sendable(exc))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it there
            import traceback

            out = (seq, False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        results.put(out)
        del task, chunk, out
        if trimmer is not None:
            trimmer()  # the chunk's arrays and strings are free now: their pages go back if they are many


# A worker's garbage collector: the first generation is collected after this many new container objects, not
# Python's default 700. Scoring makes and drops tens of thousands of short-lived tuples, lists and dicts per chunk and
# no reference cycles that matter, so most collections found nothing to free and cost about 4% of a worker's time
# (glue, session 15: 55.1 against 53.0 µs per sentence in one process). A larger first generation holds a few MB at
# most.
WORKER_GC_THRESHOLD = 10_000


def quiet_collector() -> None:
    """In a worker process, after its start-up: what it holds now (the pipeline's modules, the model if `init` loaded
    it) is moved out of the collector's generations (`gc.freeze`: a full collection never walks it again, nor writes to
    its objects' headers), and the first generation is collected less often (WORKER_GC_THRESHOLD)."""
    import gc

    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(WORKER_GC_THRESHOLD, second, third)


_OWN_ERROR = "scorer-error"  # the first item of the payload of a ScorerError sent by a worker


def _sendable(exc: ScorerError) -> tuple:
    """What a worker sends for a ScorerError: its class's name and its text (no objects: the parent rebuilds it from
    the classes of `scorer.errors`, `_own_error`)."""
    return (_OWN_ERROR, type(exc).__name__, str(exc))


def _own_error(payload) -> ScorerError | None:
    """The ScorerError a worker sent (`_sendable`), made again in the parent from the class of that name in
    `scorer.errors` (so the command gives its one-line message and exit code, as with --jobs 1); None if the payload
    is not one, or names no such class (its text is then raised as WorkerDied)."""
    from . import errors

    if not (type(payload) is tuple and len(payload) == 3 and payload[0] == _OWN_ERROR):
        return None
    cls = getattr(errors, str(payload[1]), None)
    if not (isinstance(cls, type) and issubclass(cls, ScorerError)):
        return None
    return cls(str(payload[2]))


def widen_pipes(*queues, size: int = PIPE_BYTES) -> None:
    """Make the pipes under these multiprocessing queues hold at least `size` bytes (Linux's F_SETPIPE_SZ); a pipe that
    holds as much already is left alone (never narrowed), and so is every pipe elsewhere, or where the system refuses
    (a size over /proc/sys/fs/pipe-max-size for an unprivileged user, the user's pipe quota). The kernel allocates a
    pipe's pages as data fills it."""
    try:
        import fcntl
    except ImportError:  # (Windows)
        return
    setter, getter = getattr(fcntl, "F_SETPIPE_SZ", None), getattr(fcntl, "F_GETPIPE_SZ", None)
    if setter is None or getter is None or not 0 < size < 2 ** 31:
        return
    for q in queues:
        for conn in (getattr(q, "_reader", None), getattr(q, "_writer", None)):
            try:
                fd = conn.fileno()
                if fcntl.fcntl(fd, getter) < size:
                    fcntl.fcntl(fd, setter, size)
            except (OSError, AttributeError, ValueError, TypeError):
                pass


def _context():
    import multiprocessing

    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


class _Pool:
    """`jobs` worker processes on one task queue and one result queue."""

    def __init__(self, jobs: int, init: tuple | None = None):
        self.jobs = jobs
        self.busy = False  # an ordered_map is reading its results (a second map at the same time gets its own pool)
        self.context = _context()
        self.tasks, self.results = self.context.Queue(), self.context.Queue()
        widen_pipes(self.tasks, self.results)
        self.env = _thread_limits()
        self.init = init
        self.workers = [self._start() for _ in range(jobs)]

    def _start(self):
        worker = self.context.Process(target=_worker, args=(self.tasks, self.results, os.getpid(), self.env,
                                                            self.init),
                                      name="scorer-worker", daemon=True)
        # Ctrl-C or SIGTERM between the fork and the worker's own handlers would run the parent's in the worker
        blocked = hasattr(signal, "pthread_sigmask")
        if blocked:
            old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        # a forked worker shares the parent's pages until it writes to them: with the parent's objects frozen at the
        # fork, the worker's garbage collector never walks them (no write to their headers), so a model the parent
        # has loaded (`Scorer.score_many` in a notebook) stays shared; the parent unfreezes its own at once
        import gc

        if _TRIM is not None:  # free pages of this process's heap are not handed to the worker (its RSS counts them)
            _TRIM(0)
        gc.freeze()
        try:
            worker.start()
        finally:
            gc.unfreeze()
            if blocked:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        return worker

    def usable(self, jobs: int) -> bool:
        return self.jobs == jobs and all(w.exitcode is None for w in self.workers)

    def submit(self, seq: int, func, chunk: list, args: tuple) -> None:
        self.tasks.put((seq, func, chunk, args))

    def get(self):
        """The next (seq, ok, payload) from any worker; WorkerDied if a worker died (exit code not 0); a worker that
        left idle (exit code 0) is replaced."""
        while True:
            try:
                return self.results.get(timeout=PARENT_POLL)
            except queue.Empty:
                pass
            for k, worker in enumerate(self.workers):
                if worker.exitcode is None:
                    continue
                if worker.exitcode != 0:
                    code = worker.exitcode
                    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
                    raise WorkerDied(f"a worker process {how} (out of memory?); the results before its chunk "
                                     "were returned")
                self.workers[k] = self._start()

    def stop(self) -> None:
        """Kill the workers now (their pending chunks are dropped) and release the queues."""
        for worker in self.workers:
            if worker.exitcode is None:
                worker.kill()
        for worker in self.workers:
            worker.join()
        for q in (self.tasks, self.results):
            q.cancel_join_thread()  # a task still in the queue's pipe must not hold up the parent's exit
            q.close()


_POOL: _Pool | None = None


def _pool(jobs: int, init: tuple | None = None) -> _Pool:
    """This process's pool of `jobs` workers: the last one if it is still whole, else a new one (whose workers
    each call `init` first)."""
    global _POOL
    if _POOL is not None and not _POOL.usable(jobs):
        _POOL.stop()
        _POOL = None
    if _POOL is None:
        import atexit

        _POOL = _Pool(jobs, init)
        atexit.register(_at_exit, _POOL)  # runs before multiprocessing's own exit handler (registered earlier)
    return _POOL


def start(jobs: int, init: tuple | None = None) -> None:
    """Start this process's pool of `jobs` workers now, before its first `ordered_map` (which takes it), each
    worker calling `init` = (func, args) once, before its first task: e.g. loading the model while this process
    is still checking and opening files, instead of after the first chunk has reached the worker. `func` must be
    a module-level function; an exception in it is ignored (the tasks, doing the same work, raise it). A pool
    that is already running is kept as it is. Nothing happens with jobs <= 1."""
    if jobs > 1 and (_POOL is None or not _POOL.busy):
        _pool(jobs, init)


def _at_exit(pool: _Pool) -> None:
    """At the interpreter's exit: kill the idle workers of a pool still kept for reuse (SIGKILL: nothing in them
    can delay it) and reap them, so exiting never waits on a worker."""
    if _POOL is pool:
        _discard(pool)


def restart() -> None:
    """Stop this process's kept pool (if any): the next `ordered_map` forks new workers, which see the objects this
    process holds now (e.g. a Scorer registered since the last fork)."""
    if _POOL is not None:
        _discard(_POOL)


def _discard(pool: _Pool) -> None:
    global _POOL
    pool.stop()
    if _POOL is pool:
        _POOL = None


def ordered_map(func, items, jobs: int = 1, args: tuple = (), size: int = CHUNK):
    """The results of `func(chunk, *args)` (a list per chunk of up to `size` items) one by one, in input order.
    With jobs <= 1 they are computed in this process; with more, chunks go to worker processes, at most
    AHEAD * jobs chunks ahead of the one being returned, and if the caller stops before the end (Ctrl-C, an
    error, closing the generator), the workers are stopped. `func` must be a module-level function (with spawn,
    the workers import it by name). An exception in `func` is raised here as WorkerDied, with its traceback."""
    if jobs <= 1:
        for chunk in chunks(items, size):
            yield from func(chunk, *args)
        return
    shared = _POOL is None or not _POOL.busy  # a map already running on the kept pool: this one gets its own
    pool = _pool(jobs) if shared else _Pool(jobs)
    pool.busy = True
    todo = chunks(items, size)
    trimmer = Trimmer(_TRIM, PARENT_TRIM_SLACK) if _TRIM is not None else None  # the batch CLI's (`tune_malloc`)
    sent = returned = 0
    done: dict[int, tuple[bool, object]] = {}
    finished = False
    try:
        for chunk in islice(todo, AHEAD * jobs):
            pool.submit(sent, func, chunk, args)
            sent += 1
        while returned < sent:
            while returned not in done:
                seq, ok, payload = pool.get()
                done[seq] = (ok, payload)
            ok, payload = done.pop(returned)
            returned += 1
            if not ok:
                own = _own_error(payload)
                if own is not None:
                    raise own
                if type(payload) is tuple:  # (a ScorerError of a class `scorer.errors` does not have)
                    payload = f"{payload[1]}: {payload[2]}"
                raise WorkerDied(f"the function failed in a worker process: {payload}")
            for chunk in islice(todo, 1):
                pool.submit(sent, func, chunk, args)
                sent += 1
            yield from payload
            payload = None  # written by now: its strings are free
            if trimmer is not None:
                trimmer()
        finished = True
    finally:
        pool.busy = False
        if not finished or not shared:
            _discard(pool)
