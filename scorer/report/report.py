"""Report: one scored article as a dict/JSON (schema_version 1), a pandas table, text, Markdown and HTML; and
`dumps`, the one writer of report JSON (orjson when it is installed, the standard library otherwise, parsed alike)."""
from __future__ import annotations

import json
import math
import os
from typing import Iterator

from ..text.files import replace_surrogates
from .tables import report_sentences

SCHEMA_VERSION = 1


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of `Report.to_dict()`, shipped as scorer/report/schema/report-v1.json."""
    from importlib.resources import files

    return json.loads(files("scorer.report").joinpath("schema", f"report-v{SCHEMA_VERSION}.json").read_text("utf-8"))


# set to any non-empty value: report JSON is written by the standard library even when orjson is installed
STDLIB_JSON_ENV = "SCORER_STDLIB_JSON"
_UNSET = object()
# (orjson.dumps, its options by indent), or None (not installed, or the variable set); looked up on first use
_fast = _UNSET


def _fast_json():
    global _fast
    if _fast is _UNSET:
        _fast = None
        if not os.environ.get(STDLIB_JSON_ENV):
            try:
                import orjson
            except ImportError:
                return None
            # subclasses, datetimes and dataclasses go to `default` (_refuse), so the standard library writes them
            base = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
            _fast = orjson.dumps, {None: base, 2: base | orjson.OPT_INDENT_2}
    return _fast


def _refuse(value):
    raise TypeError(type(value).__name__)


def dumps(obj, indent: int | None = None, default=None, fast: bool = True, fffd: bool = False,
          encoded: bool = False) -> str | bytes:
    """`obj` as JSON text, non-ASCII characters as they are (`ensure_ascii=False`). With orjson installed (extra
    `fast`) and `indent` None or 2, orjson writes it: compact (`{"a":1,"b":[1,2]}`) without `indent`, the standard
    library's layout with `indent=2` (a float may be spelled differently: `0.00001` for `1e-05`); the text parses
    to the same value as the standard library's. Whatever
    orjson would write differently falls back to the standard library (`json.dumps(obj, ensure_ascii=False,
    indent=indent, default=default)`, so also its errors): a value that is not a plain str, int, float, bool, None,
    list, tuple or dict (subclasses, numpy scalars, datetimes, ... go to `default` there), a key that is not text,
    an integer beyond 64 bits, a lone surrogate. Two things it cannot see cheaply: a NaN or infinite float (orjson
    writes null, the standard library NaN/Infinity, which is not JSON) and an Enum (orjson writes its value): the
    report's own numbers are finite and it holds no Enum; check input values with `plain_json`, and pass `fast=False`
    to use the standard library. `fffd`: a lone surrogate is written as U+FFFD (UTF-8 cannot hold it), not left in
    the text as the standard library leaves it with `ensure_ascii=False`. `encoded`: that text's UTF-8 bytes (orjson's
    own, not decoded and encoded again; with `fffd`, as a lone surrogate cannot be encoded)."""
    orjson = _fast_json() if fast and indent in (None, 2) else None
    if orjson is not None:
        try:
            data = orjson[0](obj, default=_refuse, option=orjson[1][indent])
            return data if encoded else data.decode()
        except TypeError:  # orjson.JSONEncodeError is a TypeError; orjson writes no lone surrogate
            pass
    text = json.dumps(obj, ensure_ascii=False, indent=indent, default=default)
    text = replace_surrogates(text) if fffd else text
    return text.encode("utf-8") if encoded else text


def dumps_pieces(obj: dict, key: str, indent: int | None = None, size: int = 2048) -> Iterator[str]:
    """`dumps(obj, indent)` of a dict in pieces, the items of its list `obj[key]` `size` at a time: the pieces joined
    are that text (the same layout; should one piece fall back to the standard library, as `dumps` does, the text
    parses to the same value). A long article's report is written without its whole JSON held at once (a 400,000
    sentence article's is 250 MB, and as much again as orjson's bytes)."""
    items = obj[key]
    if len(items) <= size:
        yield dumps(obj, indent=indent)
        return
    # the layout of this encoder: what opens and closes a dict and a list, and what separates their members
    probe = dumps({"a": 0, "b": 0}, indent=indent)
    opening, between, closing = probe[1:probe.index('"a"')], probe[probe.index("0") + 1:probe.index('"b"')], \
        probe[probe.rindex("0") + 1:-1]
    probe = dumps({"a": [0, 0]}, indent=indent)
    list_at = probe.index("[") + 1
    first, sep, last = probe[list_at:probe.index("0")], probe[probe.index("0") + 1:probe.rindex("0")], \
        probe[probe.rindex("0") + 1:probe.rindex("]")]
    yield "{" + opening
    for n, (name, value) in enumerate(obj.items()):
        if n:
            yield between
        if name != key:
            yield dumps({name: value}, indent=indent)[1:-1].strip()
            continue
        for start in range(0, len(items), size):
            member = dumps({name: items[start:start + size]}, indent=indent)[1:-1].strip()
            at = member.index("[") + 1  # (after the key, which holds no bracket)
            body = member[at:-1].strip()
            yield member[:at] + first + body if not start else sep + body
        yield last + "]"
    yield closing + "}"


def plain_json(value, depth: int = 0) -> bool:
    """True if `value` is made only of exact str, int (64-bit), finite float, bool, None, and lists, tuples and dicts
    with text keys of these: what `dumps` writes the same with and without orjson, seen by walking it (for the few
    input fields of a record, not for a whole report)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return -2 ** 63 <= value < 2 ** 64
    if kind is float:
        return math.isfinite(value)
    if depth > 100:
        return False
    if kind is list or kind is tuple:
        return all(plain_json(v, depth + 1) for v in value)
    if kind is dict:
        return all(type(k) is str and plain_json(v, depth + 1) for k, v in value.items())
    return False


class Report:
    """A scored article: `summary` dict, `sentences` DataFrame, and renderers."""

    def __init__(self, model: dict, article: dict, summary: dict, sentences: list[dict], skipped: list[dict],
                 text: str | None = None):
        self.model, self.article, self.summary = model, article, summary
        self.sentences_list, self.skipped = sentences, skipped
        # the scored text the offsets refer to (for the HTML view's paragraphs); in to_dict() only as article.text
        # when the pipeline was asked to include it
        self.text = text

    def __repr__(self) -> str:
        return (f"Report(article={self.article.get('id')!r}, sentences={len(self.sentences_list)}, "
                f"support_score={self.summary['support_score']})")

    @property
    def sentences(self):
        """One row per sentence with every field of the JSON (probabilities as p_<label> columns too)."""
        return report_sentences(self.sentences_list)

    def to_dict(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "model": dict(self.model), "article": dict(self.article),
                "summary": self.summary, "sentences": self.sentences_list, "skipped": self.skipped}

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (`dumps`): indented by 2 by default; `indent=None` gives one line."""
        return dumps(self.to_dict(), indent=indent)

    def json_pieces(self, indent: int | None = 2) -> Iterator[str]:
        """`to_json(indent)` in pieces whose concatenation is that text (`dumps_pieces`: a long article's sentences
        some thousands at a time), to write a long report without holding its whole JSON. One exception: where orjson
        is installed and a piece holds a value it refuses (a lone surrogate or an integer beyond 64 bits, which no
        scored file gives), that piece is written by the standard library, so the text differs in spacing and float
        spelling but parses to the same value."""
        return dumps_pieces(self.to_dict(), "sentences", indent=indent)

    def to_text(self, colour: bool = False) -> str:
        """Terminal view: one line per sentence with its type tag, then the summary."""
        from .render import render_text  # the renderers are imported when a report is rendered, not to score

        return render_text(self, colour=colour)

    def to_markdown(self) -> str:
        from .render import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        """A self-contained HTML page (no external assets)."""
        from .render import render_html

        return render_html(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: the HTML report as a fragment scoped under its own root, so several work on one page."""
        from .render import render_html

        return render_html(self, fragment=True)
