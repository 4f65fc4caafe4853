"""Process helpers of the batch tests (Linux /proc): a run's descendant processes, whether one still runs, and its
command line, to check that no worker outlives a stopped run."""
import os


def descendants(pid):
    """Process ids of the children of `pid` and theirs (from /proc/PID/task/*/children); a process that has gone
    meanwhile is skipped."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(os.scandir(f"/proc/{parent}/task"))
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"{task.path}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def running(pid):
    """True if process `pid` exists and is not a zombie (dead, waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def command(pid):
    """The command line of process `pid` ("" once it has gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
