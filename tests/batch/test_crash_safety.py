"""Crash-safe batch: kill -9 mid-run, then --resume, gives every record exactly once with the same result
as an uninterrupted run; Ctrl-C stops cleanly with a summary; writers never leave half a record."""
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from processes import command, descendants, running

from scorer.batch.writers import JsonlWriter, TableWriter

N_RECORDS = 2000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, example_text):
    """A few thousand short real-text records (sentences of the example article), some of them bad."""
    lines = [line.strip() for line in example_text.splitlines() if len(line.strip()) > 40]
    path = tmp_path_factory.mktemp("crash") / "in.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N_RECORDS):
            if i % 97 == 5:
                fh.write("{broken json\n")
            elif i % 89 == 7:
                fh.write(json.dumps({"id": f"r{i}", "text": None}) + "\n")
            else:
                text = " ".join(lines[(i + k) % len(lines)] for k in range(2))
                fh.write(json.dumps({"id": f"r{i}", "text": text}) + "\n")
    return path


def run(args, **kwargs):
    return subprocess.run([sys.executable, "-m", "scorer", "batch", *map(str, args), "--no-progress"],
                          capture_output=True, text=True, timeout=600, **kwargs)


def start(args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "scorer", "batch", *map(str, args), "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for(predicate, proc, timeout=300):
    """Poll until predicate() holds; fail if the process finished first (nothing was interrupted)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, "the run finished before it could be interrupted: make the corpus bigger"
        assert time.monotonic() < deadline, "timed out waiting for output"
        time.sleep(0.05)


def kill_group(proc):
    """SIGKILL the run and its worker processes at once (as a terminal's kill of the job would)."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def jsonl_rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def count_lines(path):
    return path.read_bytes().count(b"\n") if path.exists() else 0


def by_input(rows):
    keyed = {}
    for row in rows:
        assert row["input"] not in keyed, f"record {row['input']} written twice"
        keyed[row["input"]] = row
    return keyed


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """The uninterrupted run's JSONL, keyed by input location."""
    out = tmp_path_factory.mktemp("ref") / "ref.jsonl"
    done = run([corpus, "--output", out])
    assert done.returncode == 0, done.stderr
    rows = by_input(jsonl_rows(out))
    assert len(rows) == N_RECORDS and sum(r["status"] == "error" for r in rows.values()) >= 40
    return rows


def test_sigkill_then_resume_jsonl(corpus, reference, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = start([corpus, "--output", out], start_new_session=True)
    wait_for(lambda: count_lines(out) >= N_RECORDS // 3, proc)
    kill_group(proc)
    written = count_lines(out)
    assert written < N_RECORDS
    resumed = run([corpus, "--output", out, "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    rows = by_input(jsonl_rows(out))  # also fails on a cut-off line left by the kill
    assert rows == reference
    summary = resumed.stderr.strip().splitlines()[-1].split()  # "N scored, M errors -> OUT"
    assert int(summary[0]) + int(summary[2]) == N_RECORDS - written  # the resumed run scored only the rest


@pytest.mark.parametrize("fmt,jobs", [("csv", 1), ("parquet", 2)])
def test_sigkill_then_resume_tables(corpus, reference, tmp_path, fmt, jobs):
    out = tmp_path / "tables"
    articles = out / "articles.csv" if fmt == "csv" else out / "articles"

    def some_written():
        if fmt == "csv":
            return count_lines(articles) > 400
        return len(list(articles.glob("*.parquet"))) >= 2 if articles.exists() else False

    proc = start([corpus, "--output", out, "--format", fmt, "--jobs", jobs], start_new_session=True)
    wait_for(some_written, proc)
    kill_group(proc)
    resumed = run([corpus, "--output", out, "--format", fmt, "--resume", "--jobs", jobs])
    assert resumed.returncode == 0, resumed.stderr
    if fmt == "csv":
        arts = pd.read_csv(out / "articles.csv", dtype={"id": str})
        sents = pd.read_csv(out / "sentences.csv", dtype={"article_id": str})
    else:
        arts, sents = pd.read_parquet(out / "articles"), pd.read_parquet(out / "sentences")
    assert sorted(arts["input"]) == sorted(reference)  # every record exactly once
    assert not arts["input"].duplicated().any()
    for row in arts.itertuples():
        ref = reference[row.input]
        assert row.status == ref["status"]
        if ref["status"] == "ok":
            assert row.support_score == pytest.approx(ref["summary"]["support_score"])
    expected = sum(len(r.get("sentences", [])) for r in reference.values())
    assert len(sents) == expected  # no sentence rows lost or duplicated by the kill
    ok_ref = [r for r in reference.values() if r["status"] == "ok"]
    assert sents.groupby("article_id").size().to_dict() == {r["id"]: len(r["sentences"]) for r in ok_ref}


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_stops_cleanly_and_resume_finishes(corpus, reference, tmp_path, jobs):
    out = tmp_path / "out.jsonl"
    # a new session, so the signal can go to the whole process group, as a terminal's Ctrl-C does
    proc = start([corpus, "--output", out, "--jobs", jobs], start_new_session=True)
    wait_for(lambda: count_lines(out) >= 50, proc)  # early, so the rest is still running
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    message = stderr.strip().splitlines()[-1]
    assert message.startswith("scorer: error: interrupted: ") and "--resume" in message
    scored, errors = (int(message.split()[3]), int(message.split()[6]))
    rows = jsonl_rows(out)  # every written line is complete
    assert len(rows) == scored + errors < N_RECORDS
    assert run([corpus, "--output", out, "--resume", "--jobs", jobs]).returncode == 0
    assert by_input(jsonl_rows(out)) == reference


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc (Linux)")
def test_workers_exit_when_the_parent_is_killed(corpus, tmp_path):
    """kill -9 of the parent alone (not its group): its workers (forked, with no helper processes beside them) end
    by themselves within seconds instead of running on."""
    out = tmp_path / "out.jsonl"
    proc = start([corpus, "--output", out, "--jobs", 2], start_new_session=True)
    try:
        wait_for(lambda: count_lines(out) >= 100, proc)
        children = descendants(proc.pid)
        assert len(children) == 2, [command(pid) for pid in children]  # the two workers, nothing else
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(map(running, children)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [command(pid) for pid in children if running(pid)]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group, so a failure leaves nothing
        except ProcessLookupError:
            pass
        proc.communicate()


ABORT = """
import os
from scorer.errors import InputError
from scorer.pipeline import Scorer

def workers():
    me = os.getpid()
    kids = open(f"/proc/{me}/task/{me}/children").read().split()
    return sum(open(f"/proc/{k}/stat").read().rsplit(")", 1)[1].split()[0] != "Z" for k in kids)

scorer = Scorer()
for n in range(3):
    try:
        list(scorer.score_many(["The mayor said it would close."] * (40 + 50 * n) + ["  "] + ["x"] * 300, n_jobs=2))
    except InputError as exc:
        print("raised", exc, "workers left", workers())
print(len(list(scorer.score_many(["The mayor said it would close."] * 70, n_jobs=2))))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc (Linux)")
def test_stopping_early_stops_the_workers_quietly():
    """An error while reading results (here a bad text in Scorer.score_many) stops the workers at once (no child
    process left, not even a zombie), with no traceback, and the next call gets new workers."""
    done = subprocess.run([sys.executable, "-c", ABORT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"raised <text {40 + 50 * n}>: empty article (no text to score) workers left 0"
                                        for n in range(3)] + ["70"]
    assert "Traceback" not in done.stderr and "Exception in thread" not in done.stderr, done.stderr


def test_jsonl_resume_cuts_a_partial_last_line(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_bytes(b'{"id": "a", "input": "in:1", "status": "ok"}\n{"id": "b", "input": "in:2", "sta')
    writer = JsonlWriter(out, resume=True)
    assert writer.done == {"@in:1"}
    writer.write({"id": "b", "input": "in:2", "status": "error", "error": "x"})
    writer.close()
    assert [r["id"] for r in jsonl_rows(out)] == ["a", "b"]


def test_csv_resume_drops_an_uncommitted_flush(tmp_path):
    row = {"id": "a", "input": "in:1", "status": "error", "error": "bad"}
    writer = TableWriter(tmp_path, "csv", resume=False, flush_every=1)
    writer.write(row)
    committed = (tmp_path / "articles.csv").read_bytes()
    with (tmp_path / "articles.csv").open("ab") as fh:  # a flush the kill interrupted: never committed
        fh.write(b'b,in:2,err')
    writer = TableWriter(tmp_path, "csv", resume=True)
    assert (tmp_path / "articles.csv").read_bytes() == committed
    assert writer.done == {"@in:1"}


def test_parquet_resume_drops_orphan_parts(tmp_path):
    writer = TableWriter(tmp_path, "parquet", resume=False, flush_every=1)
    writer.write({"id": "a", "input": "in:1", "status": "error", "error": "bad"})
    (tmp_path / "sentences" / "part-0009-00000.parquet").write_bytes(b"sentences of an unwritten articles part")
    (tmp_path / "articles" / ".part-0009-00000.parquet.tmp").write_bytes(b"half a part")
    writer = TableWriter(tmp_path, "parquet", resume=True)
    assert writer.done == {"@in:1"}
    assert sorted(p.name for p in (tmp_path / "sentences").iterdir()) == ["part-0000-00000.parquet"]
    assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == ["part-0000-00000.parquet"]
    assert writer.run == 1
