"""HTML as users give it: sniffed on standard input and in files without a suffix, the headline taken once, kickers
and captions left out, a standfirst kept once (ANNOTATION.md, "Unit"), a page without article text an error
("no article text found in PAGE"), and the same id from `score FILE` and `batch DIR`."""
import json

import pytest
from click.testing import CliRunner

from scorer.cli import cli
from scorer.errors import InputError
from scorer.text.files import article_id, input_kind, looks_like_html
from scorer.text.html import html_to_text

BODY = """<p>Drivers say the move will cost the neighbourhood hundreds of jobs.</p>
<p>The city council voted 7-2 on Tuesday to close the Elm Street bus depot, the mayor's office said in a statement.</p>
<p>The depot opened in 1964 and employs 310 people, according to figures released by the transit authority.</p>
<p>"This is a sad day for the neighbourhood," said Maria Lopez, who has driven routes from the depot for 22 years.</p>"""
HEADLINE = "Council votes to close Elm Street bus depot"

# a page where the <title> differs from the <h1>, and a kicker sits above the h1 in the body
KICKER_PAGE = f"""<html><head><title>Depot closure approved - The Gazette</title></head><body>
<div class="content"><p>Local government</p><h1>{HEADLINE}</h1>
{BODY}</div></body></html>"""

# a page with a marked-up kicker, a standfirst in the header, a figure with a caption and credit, and the headline
# in <title> (with the site name), og:title and <h1>
MARKED_PAGE = f"""<!DOCTYPE html><html><head><title>{HEADLINE} | The Gazette</title>
<meta property="og:title" content="{HEADLINE}"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<article><header><a class="kicker" href="/local-government">Local government</a><h1>{HEADLINE}</h1>
<p class="standfirst">Hundreds of jobs are at stake as the 60-year-old garage shuts its doors next spring.</p></header>
<figure><img src="depot.jpg" alt="The depot"><figcaption>The Elm Street depot in 1964. Photograph: John Smith/Gazette
</figcaption></figure>
<p class="article-caption">Buses parked at the Elm Street depot on Monday evening after the vote.</p>
{BODY}</article><footer>Copyright 2024 The Gazette. All rights reserved.</footer></body></html>"""


@pytest.mark.parametrize("page", [KICKER_PAGE, MARKED_PAGE])
def test_headline_once_without_kicker(page):
    paragraphs = html_to_text(page, "page.html").split("\n\n")
    assert paragraphs[0] == HEADLINE
    assert sum(HEADLINE.casefold() in p.casefold() for p in paragraphs) == 1
    assert "Local government" not in paragraphs
    assert "The city council voted 7-2 on Tuesday" in paragraphs[-3]


def test_standfirst_kept_once_captions_left_out():
    paragraphs = html_to_text(MARKED_PAGE, "page.html").split("\n\n")
    standfirst = "Hundreds of jobs are at stake as the 60-year-old garage shuts its doors next spring."
    assert paragraphs[1] == standfirst and paragraphs.count(standfirst) == 1
    text = "\n".join(paragraphs)
    assert "1964. Photograph" not in text and "Buses parked" not in text and "Home" not in text


def test_standfirst_not_repeated_when_in_the_body():
    page = MARKED_PAGE.replace('<p class="standfirst">', '<p class="standfirst"><!-- -->').replace(
        "</header>", "</header><p>Hundreds of jobs are at stake as the 60-year-old garage shuts its doors next spring.</p>")
    text = html_to_text(page, "page.html")
    assert text.count("Hundreds of jobs are at stake") == 1


def test_sniffing():
    assert looks_like_html("\n  <!-- saved -->\n<!DOCTYPE html><html><body>x</body></html>")
    assert looks_like_html("<html><p>x</p></html>")
    assert looks_like_html("<div><p>One.</p><p>Two.</p></div>")
    assert not looks_like_html("The council voted on <b>Tuesday</b>.\n")
    assert not looks_like_html("<3 this story. It is true.")
    assert input_kind("-", "<p>One.</p>\n<p>Two.</p>") == "html"
    assert input_kind("page", KICKER_PAGE) == "html" and input_kind(None, KICKER_PAGE) == "html"
    assert input_kind("notes.txt", "<p>One.</p>\n<p>Two.</p>") == "text"  # .txt: only a whole document is HTML
    assert input_kind("story.txt", "The council voted.") == "text" and input_kind("-", "The council voted.") == "text"


def test_article_id_is_the_name_without_suffix():
    assert article_id("depot.html") == "depot" and article_id("depot") == "depot"
    assert article_id("2024/depot.md") == "2024/depot" and article_id("a.b.txt") == "a.b"


runner = CliRunner()


def _sentences(output: str) -> list[str]:
    return [s["text"] for s in json.loads(output)["sentences"]]


def test_html_on_standard_input_is_read_as_html():
    result = runner.invoke(cli, ["score", "-", "--format", "json"], input=MARKED_PAGE.encode())
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    texts = _sentences(result.output)
    assert texts[0] == HEADLINE and texts.count(HEADLINE) == 1
    assert not any("<" in t or "Local government" in t or "Photograph" in t for t in texts)
    assert report["article"]["text"].startswith(HEADLINE)  # offsets refer to the extracted text, carried along
    assert all(report["article"]["text"][s["start"]:s["end"]] == s["text"] for s in report["sentences"])


def test_html_file_without_suffix(tmp_path):
    page = tmp_path / "depot"
    page.write_text(KICKER_PAGE)
    result = runner.invoke(cli, ["score", str(page), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["article"]["id"] == "depot"
    texts = _sentences(result.output)
    assert texts[0] == HEADLINE and texts.count(HEADLINE) == 1 and "Local government" not in texts


@pytest.mark.parametrize("page", [
    ("<html><head><title>The Gazette</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
     "</body></html>"),
    "<html><body></body></html>",
])
def test_page_without_article_text_exit_1(tmp_path, page):
    path = tmp_path / "nav.html"
    path.write_text(page)
    result = runner.invoke(cli, ["score", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"scorer: error: no article text found in {path}")
    assert result.output.count("\n") == 1
    result = runner.invoke(cli, ["score", "-"], input=page.encode())
    assert result.exit_code == 1 and "no article text found in <stdin>" in result.output


def test_navigation_only_page_is_an_error_row_in_batch(tmp_path):
    d = tmp_path / "pages"
    d.mkdir()
    (d / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (d / "depot.html").write_text(KICKER_PAGE)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(d), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["nav"]["status"] == "error"
    assert rows["nav"]["error"].startswith(f"no article text found in {d / 'nav.html'}")
    assert rows["depot"]["status"] == "ok"


def test_ids_same_from_score_and_batch(tmp_path):
    d = tmp_path / "articles"
    (d / "2024").mkdir(parents=True)
    (d / "depot.html").write_text(KICKER_PAGE)
    (d / "2024" / "council.md").write_text(f"# {HEADLINE}\n\nThe council voted 7-2 on Tuesday, officials said.\n")
    (d / "story.txt").write_text("The council voted 7-2 on Tuesday, officials said.\n")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(cli, ["batch", str(d), "-o", str(out), "--no-progress"]).exit_code == 0
    batch_ids = sorted(json.loads(line)["id"] for line in out.read_text().splitlines())
    assert batch_ids == ["2024/council", "depot", "story"]
    for name in ("depot.html", "2024/council.md", "story.txt"):
        result = runner.invoke(cli, ["score", str(d / name), "--format", "json"])
        assert json.loads(result.output)["article"]["id"] == name.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def test_same_name_different_suffix_is_a_duplicate_id_row(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    (d / "depot.html").write_text(KICKER_PAGE)
    (d / "depot.txt").write_text("The council voted 7-2 on Tuesday, officials said.\n")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(cli, ["batch", str(d), "-o", str(out), "--no-progress"]).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["status"] for r in rows] == ["ok", "error"] and "duplicate id 'depot'" in rows[1]["error"]


def test_no_article_text_message_names_the_page():
    with pytest.raises(InputError, match=r"^no article text found in x\.html$"):
        html_to_text("<html><body><script>var a = 1;</script></body></html>", "x.html")


def test_xhtml_with_an_encoding_declaration():
    page = '<?xml version="1.0" encoding="iso-8859-1"?>\n' + KICKER_PAGE.replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">')
    assert html_to_text(page, "page.xhtml").split("\n\n")[0] == HEADLINE
