"""The tables of scored articles, defined once: the articles table (one row per record: status, error, score, type
shares, flags, sources, and the input fields kept) and the sentences table (one row per sentence) that batch writes
and `score_frame` returns, and the table of one report's sentences (`Report.sentences`). pandas and pyarrow are
imported only to build a table.

Lists and structs stay lists and structs in the rows (`article_flags`: strings; `sources`: objects with name,
type, count and sentences; `weakest`: sentence indices; `reasons`: strings), so Parquet has real list and struct
columns (`arrow_table`); CSV writes them as JSON text (`csv_frame`). A batch worker hands its results' tables to the
parent packed (`pack_rows`, `pack_columns`: machine arrays, UTF-8 and lengths; no pyarrow there), and the parent joins
them as Arrow buffers (`join_tables`), the same table `arrow_table` makes of the rows, without a dict per row crossing
processes nor pyarrow's conversion of Python values (which imports pandas). No column is named after a pandas attribute
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


def sentence_columns(result: dict) -> dict[str, list]:
    """The sentences-table columns of one result: each column's values, those of `sentence_rows` (a value missing
    from a row is None here), without a dict per sentence (a batch worker's CSV and Parquet encoding)."""
    sentences = result.get("sentences", [])
    columns = {k: [s.get(k) for s in sentences] if k not in _MADE else None for k in SENTENCE_COLUMNS}
    columns["article_id"] = [result["id"]] * len(sentences)
    columns["sentence_index"] = [s["index"] for s in sentences]
    columns["reasons"] = [list(s["reasons"]) for s in sentences]
    for k in LABELS:
        columns[f"p_{k}"] = [s["probabilities"][k] for s in sentences]
    for kind in SPAN_KINDS:  # a report without spans (written before they existed) has them missing
        spans = [s.get(f"{kind}_span") for s in sentences]
        columns[f"{kind}_start"] = [span[0] if span else None for span in spans]
        columns[f"{kind}_end"] = [span[1] if span else None for span in spans]
    return columns


# the columns `sentence_rows` makes rather than copies
_MADE = frozenset(["article_id", "sentence_index", "reasons", *(f"p_{k}" for k in LABELS), *SPAN_COLUMNS])


def csv_sentence_columns(result: dict) -> dict[str, list]:
    """`sentence_columns` as CSV cells: the reasons as JSON text (`csv_sentence_cells`; a list of strings written
    here as `json.dumps` writes it, without its encoder's per-call set-up)."""
    from json.encoder import encode_basestring

    columns = sentence_columns(result)
    columns["reasons"] = ["[" + ", ".join(map(encode_basestring, reasons)) + "]"
                          if all(type(r) is str for r in reasons) else _json(reasons) for reasons in columns["reasons"]]
    return columns


def _types(kind: str) -> dict:
    """The column types (`ARTICLE_TYPES` or `SENTENCE_TYPES`) of the articles or sentences table."""
    return ARTICLE_TYPES if kind == "articles" else SENTENCE_TYPES


def _arrow_types(kind: str) -> dict:
    """The Arrow types of the articles or sentences table's columns."""
    return {column: _arrow_type(sub) for column, sub in _types(kind).items()}


def _arrow_type(kind):
    import pyarrow as pa

    if isinstance(kind, str):
        return {"text": pa.string(), "integer": pa.int64(), "number": pa.float64(), "flag": pa.bool_()}[kind]
    if kind[0] == "list":
        return pa.list_(_arrow_type(kind[1]))
    return pa.struct([(name, _arrow_type(sub)) for name, sub in kind[1]])


# The Parquet column types of the two tables (`_arrow_types`), named without pyarrow (`pack_rows` runs in a batch
# worker): "text", "integer", "number", "flag", ("list", kind), ("struct", ((name, kind), ...)).
_SOURCE = ("struct", (("name", "text"), ("type", "text"), ("count", "integer"), ("sentences", ("list", "integer"))))
ARTICLE_TYPES = {"id": "text", "input": "text", "status": "text", "error": "text", "title": "text",
                 "n_sentences": "integer", "n_skipped": "integer", "support_score": "number",
                 **{f"share_{k}": "number" for k in LABELS}, "article_flags": ("list", "text"),
                 "sources": ("list", _SOURCE), "weakest": ("list", "integer"), "model_sha256": "text"}
SENTENCE_TYPES = {"article_id": "text", "sentence_index": "integer", "start": "integer", "end": "integer",
                  "text": "text", "attribution_type": "text", **{f"p_{k}": "number" for k in LABELS},
                  "source": "text", "source_phrase": "text", "cue": "text", "via": "text", "support": "number",
                  "support_grade": "integer", "reasons": ("list", "text"), "corroborated_by": "integer",
                  "is_headline": "flag", **{c: "integer" for c in SPAN_COLUMNS}}
# the kinds held as a machine array: `array` type code, Python type of the values
_PACKED = {"integer": ("q", int), "number": ("d", float), "flag": ("b", bool)}


class _Unfit(Exception):
    """A value `pack_rows` does not pack (not of its column's type, or out of its range)."""


def pack_rows(rows: list[dict], kind: str):
    """`pack_columns` of rows."""
    return pack_columns({column: [row.get(column) for row in rows] for column in _types(kind)}, len(rows), kind, rows)


def pack_columns(columns: dict[str, list], count: int, kind: str, rows=None):
    """The articles (`kind` "articles": their own columns, not the kept fields') or sentences `columns` (`count`
    values each; a column not given is missing) as `join_tables` takes them, made without pyarrow (in a batch
    worker, so the parent unpickles a few byte strings instead of a dict per row, and Arrow takes the columns as they
    are): (count, a packed column each): numbers, integers and booleans as the bytes of a machine array, text as
    UTF-8 and lengths, lists as lengths and their items, structs as their fields; missing values as a byte per row
    (1: present) where there are any. Columns with a value of another type than the column's (which `arrow_table`
    converts or refuses) are returned as rows, a list (`rows`, or made from `columns`), which `join_tables` gives to
    `arrow_table`."""
    from array import array

    missing = [None] * count
    try:
        return count, [_pack(columns.get(column, missing), sub, array) for column, sub in _types(kind).items()]
    except _Unfit:
        if rows is None:
            names = list(columns)
            rows = [dict(zip(names, values)) for values in zip(*columns.values())] if names else [{}] * count
        return rows


def _pack(values: list, kind, array) -> tuple:
    present = bytes(v is not None for v in values) if None in values else None
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kind in _PACKED:
        code, cls = _PACKED[kind]
        if not kinds <= {cls}:
            raise _Unfit
        try:
            return present, array(code, values if present is None else [cls() if v is None else v for v in values]
                                  ).tobytes()
        except OverflowError:
            raise _Unfit from None
    if kind == "text":
        if not kinds <= {str}:
            raise _Unfit
        try:
            encoded = list(map(str.encode, values)) if present is None else [b"" if v is None else v.encode()
                                                                             for v in values]
        except UnicodeEncodeError:  # a lone surrogate
            raise _Unfit from None
        return present, array("i", map(len, encoded)).tobytes(), b"".join(encoded)
    if kind[0] == "list":
        if not kinds <= {list}:
            raise _Unfit
        items = [item for v in values if v is not None for item in v]
        return (present, array("i", [0 if v is None else len(v) for v in values]).tobytes(), len(items),
                _pack(items, kind[1], array))
    if not kinds <= {dict}:
        raise _Unfit
    return present, [_pack([None if v is None else v.get(name) for v in values], sub, array) for name, sub in kind[1]]


def join_tables(pieces: list, kind: str, fields: list[str] = (), field_values: list[list] = ()):
    """The Arrow table of articles or sentences (as `arrow_table` makes it from their rows) from the `pack_rows` of
    some results, in order: runs of packed results joined as Arrow buffers, rows converted as `arrow_table` does;
    the articles' kept-field columns `fields` from their values (`field_values`: a list per result), typed over all
    of them (`_field_array`)."""
    import pyarrow as pa

    types, kinds = _arrow_types(kind), _types(kind)
    tables, run, size = [], [], 0
    for piece in list(pieces) + [None]:
        grows = _nbytes(piece[1]) if type(piece) is tuple else 0
        if type(piece) is tuple and size + grows <= RUN_BYTES:
            run.append(piece)
            size += grows
            continue
        if run:
            count, counts = sum(n for n, _ in run), [n for n, _ in run]
            table = pa.Table.from_arrays([_joined([columns[k] for _, columns in run], counts, sub, types[column], count)
                                          for k, (column, sub) in enumerate(kinds.items())], names=list(types))
            table.validate(full=True)  # buffers of the sizes their lengths say, and valid UTF-8 text and offsets
            tables.append(table)
            run, size = [], 0
        if type(piece) is tuple:
            run, size = [piece], grows
        elif piece is not None:
            tables.append(arrow_table(piece, kind))
    if not tables:
        return table_schema(kind, fields).empty_table()
    table = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
    for k, column in enumerate(fields if kind == "articles" else ()):
        table = table.append_column(column, _field_array([values[k] for values in field_values]))
    return table


# the bytes of packed pieces joined into one Arrow array at most (its text and lists have int32 offsets: a flush of
# large articles is joined in several runs, the table's columns then in several chunks, written the same)
RUN_BYTES = 1 << 30


def _nbytes(packed) -> int:
    return sum(len(x) if type(x) is bytes else _nbytes(x) if type(x) in (tuple, list) else 0 for x in packed)


def _joined(pieces: list, counts: list[int], kind, arrow_type, count: int):
    """One Arrow array of the packed pieces of a column (`_pack`), `counts` values each."""
    import pyarrow as pa

    validity = None
    if any(piece[0] is not None for piece in pieces):
        validity = _bitmap(b"".join(b"\x01" * n if piece[0] is None else piece[0] for piece, n in zip(pieces, counts)),
                           count)
    if kind in _PACKED:
        data = b"".join(piece[1] for piece in pieces)
        return pa.Array.from_buffers(arrow_type, count, [validity, _bitmap(data, count) if kind == "flag"
                                                         else pa.py_buffer(data)])
    if kind == "text":
        return pa.Array.from_buffers(arrow_type, count, [validity, _offsets(b"".join(piece[1] for piece in pieces),
                                                                            count),
                                                         pa.py_buffer(b"".join(piece[2] for piece in pieces))])
    if kind[0] == "list":
        items = [piece[2] for piece in pieces]
        child = _joined([piece[3] for piece in pieces], items, kind[1], arrow_type.value_type, sum(items))
        return pa.Array.from_buffers(arrow_type, count, [validity, _offsets(b"".join(piece[1] for piece in pieces),
                                                                            count)], children=[child])
    children = [_joined([piece[1][k] for piece in pieces], counts, sub, arrow_type.field(k).type, count)
                for k, (_, sub) in enumerate(kind[1])]
    return pa.Array.from_buffers(arrow_type, count, [validity], children=children)


def _bitmap(flags: bytes, count: int):
    """A byte per value (0 or 1) as an Arrow bitmap."""
    import pyarrow as pa

    return pa.Array.from_buffers(pa.uint8(), count, [None, pa.py_buffer(flags)]).cast(pa.bool_()).buffers()[1]


def _offsets(lengths: bytes, count: int):
    """Arrow offsets (int32, count + 1) of values of these lengths (int32 bytes)."""
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(np.frombuffer(lengths, dtype=np.int32), out=offsets[1:])
    return pa.py_buffer(offsets)


def table_schema(kind: str, fields: list[str] = ()):
    """The Arrow schema of `arrow_table([], kind, fields)` (kept fields as text), made without converting values
    (pyarrow's conversion of Python values imports pandas, 0.4 s)."""
    import pyarrow as pa

    types = _arrow_types(kind)
    return pa.schema(list(types.items()) + [(column, pa.string()) for column in (fields if kind == "articles" else ())])


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

    types = _arrow_types(kind)
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
