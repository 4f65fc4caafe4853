"""Article text from an HTML page (headline + body, without navigation, banners and share widgets).

Uses trafilatura (extra `html`), a maintained boilerplate remover that does this better than
hand-written tag rules; around it, what the guide (ANNOTATION.md, "Unit") asks of page furniture:

- the headline is taken once: the page's <h1> (else trafilatura's title, which is the og:title or <title>
  without the site name), with its copies (the <title>, the og:title, the <h1> in the body) left out of the body;
- a standfirst (dek, strapline: a summary sentence under the headline) is article text: kept once, after the
  headline, also when it sits outside the part trafilatura keeps;
- a kicker (section label such as "Local government" above the headline: elements named kicker, eyebrow,
  overline, section label or breadcrumb, or a few words without final punctuation next to the headline) is
  furniture and left out, and so are captions and photo credits (<figcaption>, elements named caption or credit)
  and lists of links to other stories (`drop_link_lists`);
- a page with no article text left (no paragraph other than the headline is a sentence or six words long, beside
  furniture lines) is an InputError "no article text found in PAGE".
"""
from __future__ import annotations

import re

from ..errors import InputError
from .furniture import furniture_reason, kicker_index

_SPACE = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CLASS = "translate(concat(' ', @class, ' ', @id, ' ', @itemprop, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', " \
         "'abcdefghijklmnopqrstuvwxyz')"


def _named(*names: str) -> str:
    """An XPath test: the element's class, id or itemprop contains one of `names` (lower-cased)."""
    return " or ".join(f"contains({_CLASS}, '{name}')" for name in names)


_FURNITURE_XPATH = "//figcaption | //caption | //*[{}]".format(
    _named("caption", "kicker", "eyebrow", "overline", "section-label", "breadcrumb", "photo-credit", "image-credit"))
_STANDFIRST_XPATH = "//*[self::p or self::h2 or self::div or self::span][{}]".format(
    _named("standfirst", " dek ", "-dek ", "strapline", "subheadline", "sub-headline", "subtitle", "article-summary",
           " deck "))
# a heading over a list of links to other stories ("More Must-Reads From TIME", "Related stories", "Most read")
_RELATED_HEADING = re.compile(r"^(?:more\b|related\b|recommended\b|most (?:read|popular|viewed)\b|top stories\b|"
                              r"trending\b|"
                              r"you (?:may|might) (?:also )?like\b|read (?:more|next|also)\b|also read\b|"
                              r"what to read next\b|editor'?s picks?\b|latest (?:news|stories)\b)[^.!?]{0,60}$",
                              re.IGNORECASE)
# " | The Gazette", " - BBC News": a site name after the headline in <title>
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{1,60}$")


def _norm(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip().strip(".").casefold()


def _is_prose(paragraph: str) -> bool:
    """A paragraph that can be article text: not a furniture line, and a sentence (final punctuation) or at least
    six words (a line of navigation links or labels is neither)."""
    if furniture_reason(paragraph):
        return False
    return len(paragraph.split()) >= 6 or (len(paragraph.split()) >= 3 and paragraph.rstrip("”’\"')").endswith(
        (".", "!", "?")))


def _title_like(paragraph: str) -> bool:
    """A line that reads as a link to a story: a list item or a short line without a sentence's final punctuation."""
    line = paragraph.removeprefix("- ")
    return len(line.split()) <= 16 and not line.rstrip("”’\"')").endswith((".", "!", ":", ";", ","))


def drop_link_lists(paragraphs: list[str]) -> list[str]:
    """Paragraphs without lists of links to other stories: a related-stories heading and the title-like lines after
    it, and any run of three or more list items that are all title-like (furniture, ANNOTATION.md "Unit")."""
    keep = [True] * len(paragraphs)
    k = 0
    while k < len(paragraphs):
        if _RELATED_HEADING.match(paragraphs[k]) and k + 1 < len(paragraphs) and _title_like(paragraphs[k + 1]):
            keep[k] = False
            k += 1
            while k < len(paragraphs) and (_title_like(paragraphs[k]) or paragraphs[k].startswith("- ")):
                keep[k] = False
                k += 1
            continue
        run = k
        while run < len(paragraphs) and paragraphs[run].startswith("- ") and _title_like(paragraphs[run]):
            run += 1
        if run - k >= 3:
            for j in range(k, run):
                keep[j] = False
            k = run
            continue
        k += 1
    return [p for p, kept in zip(paragraphs, keep) if kept]


def _element_text(element) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()


def html_to_text(html: str, name: str = "<input>") -> str:
    """Return 'headline\\n\\nstandfirst\\n\\nbody paragraphs' extracted from an HTML document (see the module
    docstring); InputError "no article text found in NAME" when there is none."""
    try:
        import lxml.html
        import trafilatura
    except ImportError:  # pragma: no cover - depends on installed extras
        raise InputError(f"{name}: HTML input needs the 'html' extra: pip install 'attribution-scorer[html]'") from None
    try:  # lxml refuses a str that declares its encoding (<?xml ... encoding=...?>): the text is decoded already
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, lxml.etree.ParserError):
        raise InputError(f"no article text found in {name}") from None
    h1s = [t for t in (_element_text(h) for h in tree.iter("h1")) if t]
    page_titles = [_element_text(t) for t in tree.iter("title")]
    page_titles += [m.get("content") or "" for m in tree.xpath("//meta[@property='og:title' or @name='twitter:title']")]
    standfirsts = [t for t in (_element_text(e) for e in tree.xpath(_STANDFIRST_XPATH)) if 4 <= len(t.split()) <= 80]
    for element in tree.xpath(_FURNITURE_XPATH):
        if element.tag not in ("html", "body", "article", "main") and element.getparent() is not None:
            element.drop_tree()
    doc = trafilatura.bare_extraction(
        tree, include_comments=False, include_tables=False, include_images=False,
        include_links=False, favor_precision=True, with_metadata=True,
    )
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        raise InputError(f"no article text found in {name}")
    paragraphs = [_SPACE.sub(" ", p).strip() for p in body.split("\n") if p.strip()]
    title = (getattr(doc, "title", None) or "").strip()
    headline = h1s[0] if h1s else _SITE_SUFFIX.sub("", title) or title
    copies = {_norm(t) for t in [headline, title, *page_titles, *h1s[:1]] if t}
    copies |= {_norm(_SITE_SUFFIX.sub("", t)) for t in [title, *page_titles] if t}
    top = min(len(paragraphs), 4)
    at = next((k for k in range(top) if _norm(paragraphs[k]) in copies), None)
    if at is not None:  # the headline in the body: a kicker just before it goes with it
        kicker = kicker_index(paragraphs, at)
        del paragraphs[at]
        if kicker is not None:
            del paragraphs[kicker]
            at -= 1
        # whatever came before the headline (a kicker, a date line) stays after it, as trafilatura gave it
    if len(paragraphs) > 1 and kicker_index([paragraphs[0], headline], 1) == 0:
        del paragraphs[0]  # a section label next to the headline
    paragraphs = drop_link_lists(paragraphs)
    if not any(_is_prose(p) for p in paragraphs):  # navigation, labels, a cookie banner: nothing to score
        raise InputError(f"no article text found in {name}")
    body_norm = {_norm(p) for p in paragraphs}
    joined = _norm(" ".join(paragraphs))
    lead = [s for s in dict.fromkeys(standfirsts) if _norm(s) not in body_norm and _norm(s) not in joined
            and _norm(s) not in copies][:1]
    return "\n\n".join(([headline] if headline else []) + lead + paragraphs)
