"""Batch scoring of a corpus: the input records (records.py), scoring them in worker processes (workers.py),
writing JSONL or the articles/sentences tables crash-safely (writers.py), a whole run with resume (run.py),
a pandas DataFrame in, two tables out (frames.py), and the Dask backend (dask.py)."""
