"""Article text in the text and Markdown reports is inert: no terminal control characters reach the text report
(an ESC would start an escape sequence), and no raw HTML reaches the Markdown report (a viewer would render it)."""
from scorer import score

HOSTILE = ("Officials said the vote \x1b[2J\x1b]0;pwned\x07 was delayed <img src=x onerror=alert(1)> on Monday.\n\n"
           "The minister said the plan <script>alert(2)</script> would cost \x9b31m 300 jobs, the ministry said.")


def test_the_text_report_has_no_control_characters_of_the_article():
    for colour in (False, True):
        out = score(HOSTILE).to_text(colour=colour)
        assert "\x07" not in out and "\x9b" not in out and "\x1b[2J" not in out and "\x1b]0" not in out
        assert "\ufffd[2J" in out  # shown, not acted on
        if not colour:
            assert "\x1b" not in out


def test_the_markdown_report_has_no_raw_html_of_the_article():
    out = score(HOSTILE).to_markdown()
    assert "<img" not in out and "<script" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "\x1b" not in out and "\x07" not in out
