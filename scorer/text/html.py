"""Article text from an HTML page (headline + body, without navigation, banners and share widgets).

Uses trafilatura (extra `html`), a maintained boilerplate remover that does this better than
hand-written tag rules.
"""
from __future__ import annotations

from ..errors import InputError


def html_to_text(html: str, name: str = "<input>") -> str:
    """Return 'headline\\n\\nbody paragraphs' extracted from an HTML document."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - depends on installed extras
        raise InputError(f"{name}: HTML input needs the 'html' extra: pip install 'attribution-scorer[html]'") from None
    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, include_images=False,
        include_links=False, favor_precision=True, with_metadata=True,
    )
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        raise InputError(f"{name}: no article text found in the HTML")
    title = (getattr(doc, "title", None) or "").strip()
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    if title and (not paragraphs or paragraphs[0] != title):
        paragraphs.insert(0, title)
    return "\n\n".join(paragraphs)
