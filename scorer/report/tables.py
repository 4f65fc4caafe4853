"""The tables of scored articles, defined once: the articles table (one row per record: status, error, score, type
shares, flags, sources, and the input fields kept) and the sentences table (one row per sentence) that batch writes
and `score_frame` returns, and the table of one report's sentences (`Report.sentences`). pandas and pyarrow are
imported only to build a table.

Lists and structs stay lists and structs in the rows (`article_flags`: strings; `sources`: objects with name,
type, count and sentences; `weakest`: sentence indices; `reasons`: strings), so Parquet has real list and struct
columns (`arrow_table`); CSV writes them as JSON text (`csv_frame`). No column is named after a pandas attribute
(`DataFrame.flags`, `DataFrame.index`): the articles' flags are `article_flags`, the sentences' index
`sentence_index`.

The report's spans (`source_span`, `cue_span`, `content_span`: [start, end] or null) are flat integer columns of the
sentences table (`source_start`, `source_end`, `cue_start`, ...; missing when the span is null), offsets into the
article text like the sentence's own `start` and `end`, so `text[source_start - start:source_end - start]` is the
source as written.
"""
from __future__ import annotations

import json

from ..labels import LABELS


def article_row(result: dict) -> dict:
    """The articles-table row of one result (report or error), with the input fields it carries (`result["fields"]`,
    named by `field_column`)."""
    row = {"id": result["id"], "input": result.get("input"), "status": result["status"], "error": result.get("error")}
    if result["status"] == "ok":
        s, a = result["summary"], result["article"]
        row.update(title=a.get("title"), n_sentences=a["n_sentences"], n_skipped=a["n_skipped"],
                   support_score=s["support_score"], article_flags=list(s["flags"]),
                   sources=[{k: source[k] for k in SOURCE_KEYS} for source in s["sources"]],
                   weakest=list(s["weakest"]), model_sha256=result["model"].get("sha256"))
        row.update({f"share_{k}": s["type_shares"][k] for k in LABELS})
    for name, value in (result.get("fields") or {}).items():
        row[field_column(name)] = value
    return row


SOURCE_KEYS = ("name", "type", "count", "sentences")
ARTICLE_COLUMNS = ["id", "input", "status", "error", "title", "n_sentences", "n_skipped", "support_score"] + \
    [f"share_{k}" for k in LABELS] + ["article_flags", "sources", "weakest", "model_sha256"]
SENTENCE_COLUMNS = ["article_id", "sentence_index", "start", "end", "text", "attribution_type"] + \
    [f"p_{k}" for k in LABELS] + ["source", "source_phrase", "cue", "via", "support", "support_grade", "reasons",
                                  "corroborated_by", "is_headline"]
SPAN_KINDS = ("source", "cue", "content")
# the JSON's `<kind>_span` as two columns each, after the others (a reader by position keeps its columns)
SPAN_COLUMNS = [f"{kind}_{end}" for kind in SPAN_KINDS for end in ("start", "end")]
SENTENCE_COLUMNS += SPAN_COLUMNS
FIELD_PREFIX = "field_"


def field_column(name: str) -> str:
    """The articles-table column of a kept input field: its own name, or `field_<name>` when that name is an
    articles-table column (`title`, `status`, `id`, `input`...; `result` and `fields` too). Other names are the
    user's own and kept as they are (pandas accepts any column name)."""
    return FIELD_PREFIX + name if name in _RESERVED else name


def field_columns(names) -> list[str]:
    """The columns of the kept input fields `names`, in order; two fields that would share a column are an error
    (ValueError naming both)."""
    columns: dict[str, str] = {}
    for name in names:
        column = field_column(name)
        if column in columns and columns[column] != name:
            raise ValueError(f"input fields {columns[column]!r} and {name!r} would both be the column {column!r}; "
                             "choose the fields with --keep-fields")
        columns[column] = name
    return list(columns)


def sentence_rows(result: dict) -> list[dict]:
    """The sentences-table rows of one result (none for an error row)."""
    rows = []
    for s in result.get("sentences", []):
        row = {k: s.get(k) for k in SENTENCE_COLUMNS if k in s}
        row["article_id"] = result["id"]
        row["sentence_index"] = s["index"]
        row["reasons"] = list(s["reasons"])
        row.update({f"p_{k}": s["probabilities"][k] for k in LABELS})
        for kind in SPAN_KINDS:  # a report without spans (written before they existed) has them missing
            span = s.get(f"{kind}_span")
            row[f"{kind}_start"], row[f"{kind}_end"] = (span[0], span[1]) if span else (None, None)
        rows.append(row)
    return rows


def _arrow_types():
    import pyarrow as pa

    text, integer, number = pa.string(), pa.int64(), pa.float64()
    source = pa.struct([("name", text), ("type", text), ("count", integer), ("sentences", pa.list_(integer))])
    articles = {"id": text, "input": text, "status": text, "error": text, "title": text, "n_sentences": integer,
                "n_skipped": integer, "support_score": number, **{f"share_{k}": number for k in LABELS},
                "article_flags": pa.list_(text), "sources": pa.list_(source), "weakest": pa.list_(integer),
                "model_sha256": text}
    kinds = {"text": text, "integer": integer, "number": number, "flag": pa.bool_(), "texts": pa.list_(text)}
    sentences = {column: kinds[kind] for column, kind in SENTENCE_TYPES.items()}
    return articles, sentences


# the sentences table's Parquet column types (`_arrow_types`), named without pyarrow (`packed_sentences`)
SENTENCE_TYPES = {"article_id": "text", "sentence_index": "integer", "start": "integer", "end": "integer",
                  "text": "text", "attribution_type": "text", **{f"p_{k}": "number" for k in LABELS},
                  "source": "text", "source_phrase": "text", "cue": "text", "via": "text", "support": "number",
                  "support_grade": "integer", "reasons": "texts", "corroborated_by": "integer", "is_headline": "flag",
                  **{c: "integer" for c in SPAN_COLUMNS}}
# the kinds a packed column holds as a machine array (`array` type code, Python type of its values)
_PACKED = {"integer": ("q", int), "number": ("d", float), "flag": ("b", bool)}


def packed_sentences(rows: list[dict]) -> tuple[int, list]:
    """The sentences table's columns of `rows` for `sentences_table`, made without pyarrow (in a batch worker, so
    the parent unpickles a few strings and lists instead of a dict per sentence, and Arrow takes the numbers as they
    are): a number, integer or boolean column whose values are all of its type or missing as (the bytes of a machine
    array, missing values as 0; None, or a byte per row, 1 where a value is present); any other column as its list
    of values, which `sentences_table` gives to Arrow as `arrow_table` does. Returns (number of rows, columns)."""
    from array import array

    columns = []
    for column, kind in SENTENCE_TYPES.items():
        values = [row.get(column) for row in rows]
        packed = _PACKED.get(kind)
        if packed is not None and set(map(type, values)) <= {packed[1], type(None)}:
            present = None
            filled = values
            if None in values:
                present = bytes(v is not None for v in values)
                filled = [packed[1]() if v is None else v for v in values]
            try:
                columns.append((array(packed[0], filled).tobytes(), present))
                continue
            except OverflowError:  # an integer beyond 64 bits: Arrow's own conversion (and error) as for a row
                pass
        columns.append(values)
    return len(rows), columns


def sentences_table(parts: list[tuple[int, list]]):
    """The Arrow table of sentences (as `arrow_table` makes it from their rows) from the `packed_sentences` of some
    results, in order: packed columns joined as Arrow buffers, the others converted as `arrow_table` does."""
    import pyarrow as pa

    _, types = _arrow_types()
    count = sum(n for n, _ in parts)
    arrays = []
    for k, (column, kind) in enumerate(SENTENCE_TYPES.items()):
        pieces = [(n, columns[k]) for n, columns in parts]
        if all(type(piece) is tuple for _, piece in pieces):
            arrays.append(_joined(pieces, types[column], kind, count))
        else:
            values = [v for n, piece in pieces for v in (piece if type(piece) is list else _unpacked(piece, n, kind))]
            arrays.append(pa.array(values, type=types[column]))
    return pa.Table.from_arrays(arrays, names=list(types))


def _joined(pieces, arrow_type, kind: str, count: int):
    """One Arrow array of packed pieces ((rows, (bytes, present)) each)."""
    import pyarrow as pa

    def flags(data: bytes):  # a byte per row (0 or 1) as an Arrow bitmap
        return pa.Array.from_buffers(pa.uint8(), count, [None, pa.py_buffer(data)]).cast(pa.bool_()).buffers()[1]

    data = b"".join(piece[0] for _, piece in pieces)
    validity = None
    if any(piece[1] is not None for _, piece in pieces):
        validity = flags(b"".join(b"\x01" * n if piece[1] is None else piece[1] for n, piece in pieces))
    buffer = flags(data) if kind == "flag" else pa.py_buffer(data)
    return pa.Array.from_buffers(arrow_type, count, [validity, buffer])


def _unpacked(piece, n: int, kind: str) -> list:
    """A packed piece's values again (missing ones None)."""
    from array import array

    code, cls = _PACKED[kind]
    values = array(code)
    values.frombytes(piece[0])
    present = piece[1]
    return [cls(v) if present is None or present[i] else None for i, v in enumerate(values)]


def _field_array(values):
    """An Arrow array of a kept input field's values: their own type when Arrow can infer one (all-missing: text),
    else their JSON text (a field that is a number in one record and text in another)."""
    import pyarrow as pa

    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        array = pa.array([None if v is None else v if isinstance(v, str) else _json(v) for v in values],
                         type=pa.string())
    return array.cast(pa.string()) if pa.types.is_null(array.type) else array


def arrow_table(rows: list[dict], kind: str, fields: list[str] = ()):
    """The Arrow table of articles (`kind` "articles", with the kept-field columns `fields` at the end) or sentences
    rows, with the same types whatever the rows hold (list and struct columns; all-missing columns typed)."""
    import pyarrow as pa

    articles, sentences = _arrow_types()
    types = articles if kind == "articles" else sentences
    arrays = [pa.array([row.get(c) for row in rows], type=t) for c, t in types.items()]
    names = list(types)
    for column in fields if kind == "articles" else ():
        arrays.append(_field_array([row.get(column) for row in rows]))
        names.append(column)
    return pa.Table.from_arrays(arrays, names=names)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def csv_frame(rows: list[dict], kind: str, fields: list[str] = ()):
    """The pandas frame of rows for a CSV file: list and struct cells as JSON text."""
    import pandas as pd

    if kind == "articles":
        return pd.DataFrame([csv_article_cells(row) for row in rows], columns=ARTICLE_COLUMNS + list(fields))
    return _typed_spans(pd.DataFrame([csv_sentence_cells(row) for row in rows], columns=SENTENCE_COLUMNS))


def csv_article_cells(row: dict) -> dict:
    """An articles row as CSV cells: its list and struct cells (and those of kept fields) as JSON text."""
    return {c: _json(v) if isinstance(v, (list, dict, tuple)) else v for c, v in row.items()}


def csv_sentence_cells(row: dict) -> dict:
    """A sentences row as CSV cells: its one list, the reasons (`sentence_rows`; the Parquet schema, `_arrow_types`,
    holds the others to text, numbers and booleans), as JSON text; not every cell tested (~40% of the time)."""
    return dict(row, reasons=_json(row["reasons"])) if "reasons" in row else row


def _typed_spans(frame):
    """The span columns as nullable integers (pandas `Int64`): written `12` in CSV, not `12.0`, and empty when missing."""
    return frame.astype({c: "Int64" for c in SPAN_COLUMNS})


def article_frame(rows: list[dict], fields: list[str] = ()):
    """The articles table of some results as a pandas frame (list columns hold lists; text columns typed even when
    all are empty), with the kept-field columns `fields` at the end."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=ARTICLE_COLUMNS + list(fields))
    return frame.astype({"error": "string", "title": "string", "input": "string"})


def sentence_frame(rows: list[dict]):
    """The sentences table of some results (the span columns as nullable integers, `Int64`)."""
    import pandas as pd

    return _typed_spans(pd.DataFrame(rows, columns=SENTENCE_COLUMNS))


def report_sentences(rows: list[dict]):
    """`Report.sentences`: one row per sentence with every field of the JSON (probabilities as p_<label> columns too)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    for label in LABELS:
        frame[f"p_{label}"] = [row["probabilities"][label] for row in rows]
    return frame


_RESERVED = frozenset(ARTICLE_COLUMNS) | {"result", "fields"}
