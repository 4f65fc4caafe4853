"""Article text from Markdown: what a reader sees, not the markup, with a map back into the source.

Parsed with markdown-it-py (CommonMark, plus tables), the maintained parser whose tokens carry source line
maps. Each block (heading, paragraph, list item, quotation, table cell) becomes a paragraph of the article
text, separated by a blank line; inside one, emphasis, code spans and link markup are dropped (a link keeps its
text, not its URL) and a soft line break is a space. Images are not text: `![alt](src)` is left out with its
alt text, and so is a caption (a paragraph all in emphasis) right after an image. Code blocks, HTML comments
and script/style blocks are left out; other HTML blocks keep their text, without tags. A leading YAML front
matter block is left out; its `title:` is the headline when the document has no heading of its own. A short
section label (a kicker such as "Local government") just before the first heading is left out (see
`furniture.kicker_index`).

The scorer's offsets refer to the article text (`MarkdownText.text`, which the report carries as
`article.text`, as for HTML); `MarkdownText.source_offset` maps an offset of that text back to the Markdown
source.
"""
from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field

from .furniture import kicker_index

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_TITLE = re.compile(r"^title:[ \t]*(['\"]?)(.+?)\1[ \t]*$", re.MULTILINE)
_DROPPED_HTML = re.compile(r"<(script|style|iframe|noscript)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

# Markdown sniffing (standard input and files without a suffix): signals that plain text does not have
_MD_SIGNALS = (
    re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE),                        # an ATX heading
    re.compile(r"!?\[[^\]\n]+\]\((?:https?://|/|\.{0,2}/?\w)[^)\s]*\)"),  # a link or image
    re.compile(r"(?:\*\*|__)\S[^*\n]*\S(?:\*\*|__)"),            # strong emphasis
    re.compile(r"^```|^~~~", re.MULTILINE),                              # a code fence
    re.compile(r"^[ \t]{0,3}(?:[-*+]|\d+\.)[ \t]+\S.*\n[ \t]{0,3}(?:[-*+]|\d+\.)[ \t]+\S", re.MULTILINE),  # a list
)


def looks_like_markdown(text: str) -> bool:
    """True when text plainly uses Markdown: at least two different kinds of markup (an ATX heading, a link or
    image, strong emphasis, a code fence, a list), or a heading on the first line. Plain text rarely has any."""
    head = text[:20000]
    hits = sum(1 for signal in _MD_SIGNALS if signal.search(head))
    return hits >= 2 or (hits == 1 and bool(re.match(r"\s*#{1,6}[ \t]+\S", head)))


@dataclass
class MarkdownText:
    """The article text of a Markdown document and where its pieces come from: `segments` holds
    (text offset, source offset, length) for each stretch of text copied from the source, in order."""

    text: str
    source: str
    segments: list[tuple[int, int, int]] = field(default_factory=list)

    def source_offset(self, offset: int) -> int:
        """The offset in the Markdown source of character `offset` of `text` (an offset between stretches copied
        from the source, such as a paragraph break, maps to the end of the stretch before it)."""
        starts = [s[0] for s in self.segments]
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return 0
        at, src, length = self.segments[i]
        return src + min(offset - at, length)


class _Builder:
    """Collects paragraphs with their source segments; `cursor` keeps source look-ups moving forward."""

    def __init__(self, source: str):
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.blocks: list[tuple[list[tuple[str, int | None]], str]] = []  # (pieces, kind)
        self.cursor = 0

    def line_offset(self, line: int) -> int:
        return self.line_starts[line] if line < len(self.line_starts) else len(self.source)

    def locate(self, piece: str, lo: int, hi: int) -> int | None:
        """Source offset of `piece` between lo and hi (from the cursor on), or None (escaped or entity text)."""
        at = self.source.find(piece, max(lo, self.cursor), hi) if piece else -1
        if at < 0:
            return None
        self.cursor = at + len(piece)
        return at


def _inline_pieces(builder: _Builder, token) -> tuple[list[tuple[str, int | None]], bool, bool]:
    """(pieces of text with their source offsets, only an image?, all in emphasis?) of an inline token."""
    lo = builder.line_offset(token.map[0]) if token.map else 0
    hi = builder.line_offset(token.map[1]) if token.map else len(builder.source)
    pieces: list[tuple[str, int | None]] = []
    images = emphasised = 0
    depth = 0
    plain = False
    for child in token.children or []:
        kind = child.type
        if kind in ("em_open", "strong_open"):
            depth += 1
        elif kind in ("em_close", "strong_close"):
            depth -= 1
        elif kind in ("text", "code_inline"):
            if child.content.strip():
                plain = plain or depth == 0
                emphasised += depth > 0
            pieces.append((child.content, builder.locate(child.content, lo, hi)))
        elif kind == "softbreak":
            pieces.append((" ", None))
        elif kind == "hardbreak":
            pieces.append(("\n", None))
        elif kind == "image":
            images += 1
    has_text = any(p.strip() for p, _ in pieces)
    return pieces, images > 0 and not has_text, has_text and emphasised > 0 and not plain


def markdown_to_text(source: str) -> MarkdownText:
    """The article text of a Markdown document (see the module docstring), with its map to the source."""
    from markdown_it import MarkdownIt

    title = None
    front = _FRONT_MATTER.match(source)
    parsed = source
    if front:
        found = _FRONT_TITLE.search(front.group(1))
        if found:
            title = (found.group(2).strip(), front.start(1) + found.start(2))
        # blanked, not cut, so that the parser's line numbers and offsets stay those of the source
        parsed = re.sub(r"[^\n]", " ", front.group(0)) + source[front.end():]
    builder = _Builder(source)
    tokens = MarkdownIt("commonmark").enable("table").parse(parsed)
    after_image = False
    heading_seen = False
    for i, token in enumerate(tokens):
        if token.type == "inline":
            pieces, image_only, all_emphasis = _inline_pieces(builder, token)
            heading = i > 0 and tokens[i - 1].type == "heading_open"
            caption = after_image and all_emphasis and not heading
            after_image = image_only
            if image_only or caption or not any(p.strip() for p, _ in pieces):
                continue
            builder.blocks.append((pieces, "heading" if heading else "text"))
            heading_seen = heading_seen or heading
        elif token.type == "html_block":
            after_image = False
            content = _TAG.sub(" ", _DROPPED_HTML.sub(" ", token.content))
            words = _SPACE.sub(" ", html.unescape(content)).strip()
            if words:
                lo = builder.line_offset(token.map[0]) if token.map else 0
                hi = builder.line_offset(token.map[1]) if token.map else len(source)
                builder.blocks.append(([(words, builder.locate(words, lo, hi))], "text"))
        elif token.type in ("fence", "code_block", "hr"):
            after_image = False
    blocks = builder.blocks
    if title and not heading_seen:
        blocks.insert(0, ([title], "heading"))
    first_heading = next((k for k, (_, kind) in enumerate(blocks) if kind == "heading"), None)
    kicker = kicker_index(["".join(p for p, _ in pieces).strip() for pieces, _ in blocks], first_heading)
    if kicker is not None:
        del blocks[kicker]
    text_parts: list[str] = []
    segments: list[tuple[int, int, int]] = []
    pos = 0
    for pieces, _ in blocks:
        if text_parts:
            text_parts.append("\n\n")
            pos += 2
        pieces = _trim(pieces)
        for piece, src in pieces:
            if src is not None and piece:
                segments.append((pos, src, len(piece)))
            text_parts.append(piece)
            pos += len(piece)
    return MarkdownText("".join(text_parts), source, segments)


def _trim(pieces: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """Pieces without the whitespace at the start and end of the paragraph (offsets moved with it)."""
    pieces = list(pieces)
    while pieces and not pieces[0][0].strip():
        pieces.pop(0)
    while pieces and not pieces[-1][0].strip():
        pieces.pop()
    if pieces:
        text, src = pieces[0]
        cut = len(text) - len(text.lstrip())
        pieces[0] = (text[cut:], None if src is None else src + cut)
        text, src = pieces[-1]
        pieces[-1] = (text.rstrip(), src)
    return pieces
