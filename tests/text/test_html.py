"""HTML pages to article text: headline and body kept, navigation, cookie banner and share widgets dropped."""
import pytest

from scorer.errors import InputError
from scorer.text.html import html_to_text

PAGE = """<!DOCTYPE html><html><head><title>Depot to close | The Gazette</title>
<meta property="og:title" content="City council votes to close bus depot"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<article>
<h1>City council votes to close bus depot</h1>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
<p>The city council voted 7-2 on Tuesday to close the Elm Street bus depot, the mayor's office said in a statement.</p>
<p>The depot opened in 1964 and employs 310 people, according to figures released by the transit authority.</p>
<p>"This is a sad day for the neighbourhood," said Maria Lopez, who has driven routes from the depot for 22 years.</p>
</article>
<footer>Copyright 2024 The Gazette. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_headline_and_body_kept_furniture_dropped():
    text = html_to_text(PAGE, "page.html")
    assert text.splitlines()[0] == "City council votes to close bus depot"
    assert "voted 7-2 on Tuesday" in text and "employs 310 people" in text and "Maria Lopez" in text
    for junk in ("Accept all cookies", "Share on Facebook", "Sport", "All rights reserved"):
        assert junk not in text


def test_page_without_article_text():
    with pytest.raises(InputError, match="^no article text found in empty.html$"):
        html_to_text("<html><head><title></title></head><body></body></html>", "empty.html")


def test_navigation_only_page_has_no_article_text(tmp_path):
    from scorer.pipeline import Scorer

    page = tmp_path / "nav.html"
    page.write_text("<html><body><nav>Home</nav></body></html>")
    with pytest.raises(InputError, match="^no article text found in .*nav.html"):
        Scorer().score_file(page)
