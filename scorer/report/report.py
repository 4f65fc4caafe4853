"""Report: one scored article as a dict/JSON (schema_version 1), a pandas table, text, Markdown and HTML."""
from __future__ import annotations

import json

from .tables import report_sentences

SCHEMA_VERSION = 1


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of `Report.to_dict()`, shipped as scorer/report/schema/report-v1.json."""
    from importlib.resources import files

    return json.loads(files("scorer.report").joinpath("schema", f"report-v{SCHEMA_VERSION}.json").read_text("utf-8"))


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
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

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
