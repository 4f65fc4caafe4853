"""The CSV tables' cells, made faster and kept the same: `csv_frame` makes a sentences row's reasons JSON text (its
only list) instead of testing every cell, and `escape_formulas` skips a text column none of whose cells starts as a
formula does, asked of the whole column at once. Both are compared with the per-cell versions they replace."""
import random

import pandas as pd

from scorer.batch import writers
from scorer.report import tables
from scorer.report.tables import sentence_rows


def _frame_per_cell(rows):
    cells = [{c: tables._json(v) if isinstance(v, (list, dict, tuple)) else v for c, v in row.items()} for row in rows]
    return tables._typed_spans(pd.DataFrame(cells, columns=tables.SENTENCE_COLUMNS))


def _escape_per_cell(frame):
    from pandas.api.types import is_string_dtype

    changed = {}
    for column in frame.columns:
        values = frame[column]
        if (values.dtype == object or is_string_dtype(values.dtype)) and any(map(writers._formula_like, values)):
            changed[column] = type(values)([f"'{v}" if writers._formula_like(v) else v for v in values],
                                           index=values.index, dtype=values.dtype)
    return frame.assign(**changed) if changed else frame


def test_sentences_frame_as_per_cell():
    from scorer.pipeline import cached_scorer

    scorer = cached_scorer(None)
    texts = ['"=cmd|\' /C calc\'!A0," the official said.', "Officials said the plan failed, according to CNN.",
             "What a shameful day! +1 for honesty, @everyone.", "-5 degrees was the low, the agency reported."]
    rows = [row for i, report in enumerate(scorer.score_many(texts))
            for row in sentence_rows(dict(report.to_dict(), id=f"a{i}"))]
    rows.append({"article_id": "x", "sentence_index": 0, "text": "no reasons in this row"})
    assert any(row.get("reasons") for row in rows)
    new, old = tables.csv_frame(rows, "sentences"), _frame_per_cell(rows)
    assert new.equals(old) and list(new.dtypes) == list(old.dtypes)
    assert writers.escape_formulas(new).to_csv(index=False) == _escape_per_cell(old).to_csv(index=False)


def test_escape_formulas_as_per_cell_on_fuzzed_columns():
    rng = random.Random(5)
    pieces = ["=", "+", "-", "@", "\t", "\r", "1", "-5", "+1.5e3", ".5", "a", "", " ", "=SUM(A1)", "\n", "'", "é"]
    for _ in range(80):
        n = rng.randint(0, 10)
        cells = [["".join(rng.choice(pieces) for _ in range(rng.randint(0, 3))) if rng.random() > 0.2 else None
                  for _ in range(n)] for _ in range(3)]
        frame = pd.DataFrame({"s0": pd.Series(cells[0], dtype="str"), "s1": pd.Series(cells[1], dtype="str"),
                              "o": pd.Series(cells[2], dtype=object), "i": pd.Series(range(n), dtype="Int64")})
        new, old = writers.escape_formulas(frame), _escape_per_cell(frame)
        assert new.to_csv(index=False) == old.to_csv(index=False) and list(new.dtypes) == list(old.dtypes)
