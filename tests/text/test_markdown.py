"""Markdown read as Markdown (markdown-it-py): headings, emphasis, links, images, code and HTML blocks; the scored text
maps back into the source; .md/.markdown files, and Markdown sniffed on standard input and in files without a suffix."""
import json

import pytest
from click.testing import CliRunner

from scorer.cli import cli
from scorer.text.files import input_kind
from scorer.text.markdown import looks_like_markdown, markdown_to_text

ARTICLE = """---
layout: post
date: 2024-05-07
---
**Local government**

# Council votes to close *Elm Street* bus depot

The city council voted 7-2 on Tuesday to close the Elm Street bus depot, [the mayor's office](https://example.org/mayor)
said in a statement.

![The depot in 1964](https://example.org/depot.jpg)

*The depot in 1964. Photo: AP*

The depot opened in 1964 and employs **310 people**, according to figures released by the `transit authority`.

> "This is a sad day for the neighbourhood," said Maria Lopez, who has driven routes from the depot for 22 years.

```python
print("not article text")
```

<!-- an editor's note -->
<script>track()</script>

- Officials said the site would be sold.
- The union said it would appeal.
"""


def test_markup_removed_and_text_kept():
    text = markdown_to_text(ARTICLE).text
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Council votes to close Elm Street bus depot"
    assert paragraphs[1] == ("The city council voted 7-2 on Tuesday to close the Elm Street bus depot, the mayor's office "
                             "said in a statement.")
    assert "employs 310 people, according to figures released by the transit authority." in paragraphs[2]
    assert paragraphs[3].startswith('"This is a sad day')
    assert paragraphs[-2:] == ["Officials said the site would be sold.", "The union said it would appeal."]
    for markup in ("#", "**", "](", "![", "`", "<", "layout:", "example.org", "print(", "track()", "editor's note"):
        assert markup not in text
    assert "Local government" not in text  # the kicker above the headline
    assert "The depot in 1964" not in text  # image alt text and its caption are not sentences


def test_offsets_map_back_into_the_source():
    doc = markdown_to_text(ARTICLE)
    for at, src, length in doc.segments:
        assert doc.text[at:at + length] == ARTICLE[src:src + length]
    for word in ("Council", "Elm Street", "mayor's office", "310 people", "transit authority", "Maria Lopez", "appeal"):
        at = doc.text.index(word)
        assert ARTICLE[doc.source_offset(at):doc.source_offset(at) + len(word)] == word


def test_front_matter_title_is_the_headline_without_a_heading():
    doc = markdown_to_text('---\ntitle: "Depot to close"\n---\nThe council voted 7-2 on Tuesday, officials said.\n')
    assert doc.text == "Depot to close\n\nThe council voted 7-2 on Tuesday, officials said."
    assert doc.source_offset(0) == doc.source.index("Depot")


def test_sniffing():
    assert looks_like_markdown("# Depot to close\n\nThe council voted.")
    assert looks_like_markdown("Depot\n\nThe [council](https://x.org) voted **7-2**.")
    assert not looks_like_markdown("The council voted 7-2 on Tuesday. Officials said (privately) it was [sic] over.")
    assert not looks_like_markdown("Depot to close\n\nThe council voted *unanimously*, officials said.")
    assert input_kind("story.md", "plain") == "markdown" and input_kind("story.MARKDOWN", "plain") == "markdown"
    assert input_kind("story.txt", ARTICLE) == "text"  # a .txt file is plain text, whatever it holds
    assert input_kind("-", ARTICLE) == "markdown" and input_kind("story", ARTICLE) == "markdown"


runner = CliRunner()


def _check(report: dict) -> list[str]:
    texts = [s["text"] for s in report["sentences"]]
    assert texts[0] == "Council votes to close Elm Street bus depot"
    assert not any(t.strip() in ("!", "") or "**" in t or "](" in t or t.startswith("#") for t in texts)
    assert all(report["article"]["text"][s["start"]:s["end"]] == s["text"] for s in report["sentences"])
    return texts


@pytest.mark.parametrize("name", ["depot.md", "depot.markdown", "depot"])
def test_score_markdown_file(tmp_path, name):
    path = tmp_path / name
    path.write_text(ARTICLE)
    result = runner.invoke(cli, ["score", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["article"]["id"] == "depot"
    texts = _check(report)
    assert any("Maria Lopez" in t for t in texts) and not any("not article text" in t for t in texts)


def test_score_markdown_on_standard_input():
    result = runner.invoke(cli, ["score", "-", "--format", "json"], input=ARTICLE.encode())
    assert result.exit_code == 0, result.output
    _check(json.loads(result.output))


def test_image_only_markdown_has_no_article_text(tmp_path):
    path = tmp_path / "gallery.md"
    path.write_text("![A bus](bus.jpg)\n\n![Another bus](bus2.jpg)\n")
    result = runner.invoke(cli, ["score", str(path)])
    assert result.exit_code == 1 and f"no article text found in {path}" in result.output


def test_markdown_in_batch_directory(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    (d / "depot.md").write_text(ARTICLE)
    out = tmp_path / "out.jsonl"
    assert runner.invoke(cli, ["batch", str(d), "-o", str(out), "--no-progress"]).exit_code == 0
    row = json.loads(out.read_text())
    assert row["id"] == "depot" and row["status"] == "ok"
    _check(row)
