"""The Dask backend on a LocalCluster of 2 workers: output identical record for record to the local
backend (error rows included) for shard directories and article directories, sharded resume, and
score_dask_frame on a dask.dataframe."""
import json
import os

import pandas as pd
import pytest
from click.testing import CliRunner
from pandas.testing import assert_frame_equal

pytest.importorskip("distributed")
import dask.dataframe as dd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from scorer.batch.dask import plan_shards, run_dask_batch, score_dask_frame  # noqa: E402
from scorer.batch.run import run_batch  # noqa: E402
from scorer.cli import cli  # noqa: E402
from scorer.errors import InputError  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        with Client(local) as client:
            yield local.scheduler_address, client


def paragraphs(example_text):
    return [p.strip() for p in example_text.split("\n\n") if len(p.strip()) > 40]


@pytest.fixture(scope="module")
def shard_dir(tmp_path_factory, example_text):
    """JSONL, CSV and Parquet shards of real text with bad records of every kind the readers report."""
    texts = paragraphs(example_text)
    root = tmp_path_factory.mktemp("shards")
    with (root / "a.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(30):
            fh.write(json.dumps({"id": f"a{i}", "text": texts[i % len(texts)]}) + "\n")
        fh.write(json.dumps({"id": "a3", "text": "A repeated id."}) + "\n")
        fh.write('{"id": "n", "text": null}\n[1, 2]\n{"id": "cut", "te')
    pd.DataFrame({"id": [f"c{i}" for i in range(20)], "text": [texts[-i % len(texts)] for i in range(20)]}) \
        .to_csv(root / "b.csv", index=False)
    with (root / "b.csv").open("a", encoding="utf-8") as fh:
        fh.write('c99,"one ""quoted""\nembedded newline, then the rest of it."\nshort\n')
    pd.DataFrame({"id": ["p0", "p1", "p2", "p0"], "text": [texts[0], None, texts[2], texts[3]]}) \
        .to_parquet(root / "c.parquet")
    (root / "sub").mkdir()
    pd.DataFrame({"body": ["no text column here"]}).to_csv(root / "sub" / "d.csv", index=False)
    return root


def jsonl_rows(path):
    files = sorted(path.glob("part-*.jsonl")) if path.is_dir() else [path]
    return [json.loads(line) for f in files for line in f.open(encoding="utf-8")]


def test_jsonl_shards_identical_to_local(tmp_path, shard_dir, cluster):
    local_ok, local_errors = run_batch(shard_dir, tmp_path / "local.jsonl")
    ok, errors = run_dask_batch(shard_dir, tmp_path / "dask", scheduler=cluster[0])
    assert (ok, errors) == (local_ok, local_errors)
    local, dask = jsonl_rows(tmp_path / "local.jsonl"), jsonl_rows(tmp_path / "dask")
    assert dask == local  # same records, same order, same reports and error rows
    assert len(dask) == 30 + 4 + 22 + 4 + 1
    errors_by_input = {r["input"].split("/")[-1]: r["error"] for r in dask if r["status"] == "error"}
    assert "duplicate id 'a3'" in errors_by_input["a.jsonl:31"]
    assert "text column 'text' is null" in errors_by_input["c.parquet:2"]
    assert "duplicate id 'p0'" in errors_by_input["c.parquet:4"]
    assert "no column 'text'" in errors_by_input["d.csv"]
    assert len(list((tmp_path / "dask").glob("part-*.jsonl"))) == 4


def test_parquet_shards_identical_to_local(tmp_path, shard_dir, cluster):
    run_batch(shard_dir, tmp_path / "local", fmt="parquet")
    run_dask_batch(shard_dir, tmp_path / "dask", fmt="parquet", scheduler=cluster[0])
    for table in ("articles", "sentences"):
        local = pd.read_parquet(tmp_path / "local" / table)
        dask = pd.read_parquet(tmp_path / "dask" / table)
        assert len(local) > 0
        assert_frame_equal(dask, local)


def test_csv_shards_identical_to_local(tmp_path, shard_dir, cluster):
    run_batch(shard_dir, tmp_path / "local", fmt="csv")
    run_dask_batch(shard_dir, tmp_path / "dask", fmt="csv", scheduler=cluster[0])
    for table in ("articles", "sentences"):
        local = pd.read_csv(tmp_path / "local" / f"{table}.csv", dtype=str, keep_default_na=False)
        parts = sorted((tmp_path / "dask" / table).glob("part-*.csv"))
        dask = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in parts], ignore_index=True)
        assert len(local) > 0
        assert_frame_equal(dask, local)


def test_article_directory_in_shards_of_files(tmp_path, example_text, cluster):
    src = tmp_path / "articles"
    src.mkdir()
    for i, text in enumerate(paragraphs(example_text)[:7]):
        (src / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    (src / "05b.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (src / "06b.txt").write_text("", encoding="utf-8")
    shards = plan_shards(src, files_per_shard=3)
    assert [len(s.files) for s in shards] == [3, 3, 3]
    run_batch(src, tmp_path / "local.jsonl")
    run_dask_batch(src, tmp_path / "dask", scheduler=cluster[0], files_per_shard=3)
    assert jsonl_rows(tmp_path / "dask") == jsonl_rows(tmp_path / "local.jsonl")


def test_resume_redoes_only_unfinished_shards(tmp_path, shard_dir, cluster):
    out = tmp_path / "dask"
    total = run_dask_batch(shard_dir, out, scheduler=cluster[0])
    complete = jsonl_rows(out)
    # shard 1 "crashed": no marker, a half-written temporary file; the others are done
    (out / "_done" / "00001.json").unlink()
    (out / "part-00001.jsonl").rename(out / ".part-00001.jsonl.4242-0123456789ab.tmp")
    kept = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.jsonl")}
    assert run_dask_batch(shard_dir, out, scheduler=cluster[0], resume=True) == total
    assert jsonl_rows(out) == complete
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.jsonl") if p.name in kept} == kept
    assert not list(out.glob(".*.tmp"))


def test_resume_refuses_a_changed_input(tmp_path, example_text, cluster):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text(json.dumps({"id": "1", "text": paragraphs(example_text)[0]}) + "\n")
    run_dask_batch(src, tmp_path / "out", scheduler=cluster[0])
    (src / "a.jsonl").rename(src / "b.jsonl")
    with pytest.raises(InputError, match="input changed since the first run"):
        run_dask_batch(src, tmp_path / "out", scheduler=cluster[0], resume=True)


def test_score_dask_frame_matches_local_reports(tmp_path, example_text, cluster):
    texts = paragraphs(example_text)[:9]
    frame = pd.DataFrame({"id": [f"t{i}" for i in range(10)], "text": texts + [None]})
    scored = score_dask_frame(dd.from_pandas(frame, npartitions=3)).compute()
    assert list(scored["id"]) == list(frame["id"])
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict("records")), encoding="utf-8")
    run_batch(src, tmp_path / "local.jsonl")
    local = jsonl_rows(tmp_path / "local.jsonl")
    for row, expected in zip(scored.itertuples(), local):
        result = json.loads(row.result)
        assert row.status == expected["status"]
        if expected["status"] == "ok":
            assert {k: v for k, v in result.items() if k != "input"} == \
                   {k: v for k, v in expected.items() if k != "input"}
            assert row.n_sentences == expected["article"]["n_sentences"]
    assert scored["error"].iloc[-1].endswith("text is null, not a string")


def test_score_dask_frame_as_in_the_readme(tmp_path, example_text, cluster):
    """The README's example: read Parquet with dask, score, write Parquet (needs a schema dask can infer)."""
    (tmp_path / "corpus").mkdir()
    texts = paragraphs(example_text)[:6]
    pd.DataFrame({"id": [str(i) for i in range(6)], "text": texts}).to_parquet(tmp_path / "corpus" / "a.parquet")
    articles = dd.read_parquet(str(tmp_path / "corpus" / "*.parquet"), columns=["id", "text"])
    score_dask_frame(articles).to_parquet(str(tmp_path / "scored"))
    out = pd.read_parquet(tmp_path / "scored")
    assert list(out["id"]) == [str(i) for i in range(6)] and set(out["status"]) <= {"ok", "error"}
    assert json.loads(out["result"].iloc[0])["id"] == "0"


def test_model_is_loaded_once_per_worker(cluster):
    def loaded():
        from scorer import pipeline

        return len(pipeline._SCORERS)

    # the earlier tests scored many partitions on each worker; each worker holds one Scorer
    assert set(cluster[1].run(loaded).values()) <= {0, 1}
    assert 1 in cluster[1].run(loaded).values()


def test_cli_dask_backend(tmp_path, shard_dir, cluster):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(cli, ["batch", str(shard_dir), "-o", str(out), "--backend", "dask",
                                 "--scheduler", cluster[0], "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "scored" in result.output and (out / "articles").is_dir()  # parquet unless named .jsonl
    assert len(list((out / "articles").glob("part-*.parquet"))) == 4
    result = runner.invoke(cli, ["batch", str(shard_dir), "-o", str(tmp_path / "x.jsonl"), "--backend", "dask",
                                 "--scheduler", cluster[0]])
    assert result.exit_code == 0 and (tmp_path / "x.jsonl" / "part-00000.jsonl").is_file()
    (tmp_path / "file").write_text("")
    result = runner.invoke(cli, ["batch", str(shard_dir), "-o", str(tmp_path / "file"), "--backend", "dask",
                                 "--scheduler", cluster[0]])
    assert result.exit_code == 1 and "writes a directory of shards; this is a file" in result.output
    result = runner.invoke(cli, ["batch", str(shard_dir), "-o", str(tmp_path / "d"), "--scheduler", cluster[0]])
    assert result.exit_code == 2 and "--scheduler needs --backend dask" in result.output


def test_local_cluster_from_the_command_line(tmp_path, shard_dir):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(shard_dir / "a.jsonl"), "-o", str(out), "--backend", "dask",
                                      "--jobs", "2", "--format", "jsonl", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "30 scored, 4 errors" in result.output
    assert os.listdir(out / "_done") == ["00000.json"]


def test_ctrl_c_keeps_finished_shards_and_resume_completes(tmp_path, shard_dir, cluster):
    from scorer.batch.run import BatchInterrupted

    def interrupt(done):
        if done:  # the first call says how many records the output holds (none): go on to the first shard
            raise KeyboardInterrupt

    out = tmp_path / "dask"
    with pytest.raises(BatchInterrupted, match="--resume") as info:
        run_dask_batch(shard_dir, out, scheduler=cluster[0], progress=interrupt)
    assert info.value.exit_code == 130 and info.value.ok + info.value.errors > 0
    run_dask_batch(shard_dir, out, scheduler=cluster[0], resume=True)
    assert jsonl_rows(out) == jsonl_rows(run_batch(shard_dir, tmp_path / "local.jsonl") and tmp_path / "local.jsonl")


def test_a_cancelled_attempt_still_running_cannot_clobber_the_new_one(tmp_path):
    """Ctrl-C cancels futures but a task already running finishes; when --resume starts the same shard
    elsewhere, the two attempts must not share temporary files (seen in CI: the old attempt renamed
    the new attempt's half-written file into place)."""
    from scorer.batch.dask import _ShardOutput

    rows = [{"id": str(i), "input": f"in:{i}", "status": "error", "error": "x"} for i in range(5)]
    old = _ShardOutput(tmp_path, "jsonl", 3)
    old.write(rows[0])
    new = _ShardOutput(tmp_path, "jsonl", 3)  # the resumed run's attempt: clears leftovers, starts afresh
    new.write(rows[0])
    with pytest.raises(FileNotFoundError):
        old.commit()  # its own temporary file is gone; it cannot touch the new attempt's
    for row in rows[1:]:
        new.write(row)
    new.commit()
    assert [json.loads(line)["id"] for line in (tmp_path / "part-00003.jsonl").open()] == ["0", "1", "2", "3", "4"]
    assert not list(tmp_path.glob(".*.tmp"))
