"""Page furniture: whole lines that are site chrome, not article sentences, each with a reason.

Furniture is detected line by line and never labelled; the report lists it as skipped.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from . import kernels

_SOCIAL = r"(?:facebook|twitter|x|whatsapp|linkedin|reddit|pinterest|email|e-mail|print|share|copy link|messenger|telegram|flipboard|tumblr|sms|comments?)"

# (reason, compiled pattern) tried in order against a stripped line.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("site chrome", re.compile(r"^(site icon\b.*|exit mobile version|skip to (main )?content|toggle navigation|"
                               r"menu|search|home|close|open menu|back to top|sections?)$", re.I)),
    ("share widget", re.compile(rf"^(share( this)?( article| story| page| post| on \w+)?|tweet|click to share.*|"
                                rf"share (via|with) .*|(?:{_SOCIAL}[\s,|•·/]*)+)$", re.I)),
    ("advertisement", re.compile(r"^(advertisement|sponsored( content)?|story continues (below|after) (the )?advertisement|"
                                 r"continue reading( the main story)?|ad)$", re.I)),
    ("read-more link", re.compile(r"^((read|see) (more|also|the rest|the full story)\b.{0,120}|related( articles| stories| coverage)?:?.{0,120}|"
                                  r"more:.{0,120}|click here\b.{0,150}|watch:.{0,150}|recommended:?.{0,120})$", re.I)),
    ("newsletter prompt", re.compile(r"^(sign up\b.{0,150}|subscribe\b.{0,150}|follow (us|@\w+)\b.{0,120}|"
                                     r"get (our|the) .{0,40}newsletter.{0,80})$", re.I)),
    ("cookie banner", re.compile(r"^(?=.*\bcookies?\b)(?=.*\b(accept|consent|we use|privacy|preferences|settings)\b).{0,400}$", re.I)),
    ("photo credit", re.compile(r"^(\(?\s*(photo|image|picture|photograph|video|graphic|illustration)s?( credit)?\s*(by\b|:|/|credit\b).{0,150}|"
                                r".{0,120}\b(getty images|afp via getty|ap photo|reuters/\w+|shutterstock|file photo)\)?\.?|"
                                r"(image|photo) copyright.{0,120}|credit:.{0,120})$", re.I)),
    ("byline", re.compile(r"^[Bb][Yy]\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,4}"
                          r"(\s*(,|and|&)\s*[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,4})*\s*(\|.{0,60})?$")),
    ("timestamp", re.compile(r"^(published|updated|posted|last updated|first published)\b.{0,80}\d.{0,60}$", re.I)),
    ("copyright", re.compile(r"^(©|copyright\b|\(c\)\s).{0,200}$|^all rights reserved\.?$", re.I)),
    ("embed markup", re.compile(r"^(pic\.twitter\.com/\S+|https?://\S+|—\s*.{1,60}\(@\w+\)\s*.{0,40}\d{4})$", re.I)),
    ("dateline", re.compile(r"^[A-Z][A-Z .,'’-]{2,40}(\([A-Za-z .]{1,20}\))?\s*[—–-]*$")),
]


class Skipped(NamedTuple):
    """A line of page furniture: character offsets into the text, the line, and why it was skipped."""

    start: int
    end: int
    text: str
    reason: str


# Two rules scan the whole line (a look-ahead for "cookie", a name of a photo agency at the end): each is tried only
# when one of its literals is in the line as the regex engine's IGNORECASE reads it (`_folded`); every match holds one.
# The other rules fail at the line's first characters and are tried as they are. Checked on every code point and
# against the rules alone in tests/text/test_furniture_speed.py.
_LITERALS: dict[str, tuple[str, ...]] = {
    "cookie banner": ("cookie",),
    "photo credit": ("photo", "image", "picture", "video", "graphic", "illustration", "getty", "reuters/",
                     "shutterstock", "credit"),
}
_CHECKED_RULES = [(reason, pattern, _LITERALS.get(reason)) for reason, pattern in _RULES]
# the characters outside ASCII that IGNORECASE matches to an ASCII letter but str.lower() does not turn into it (the
# fourth, the Kelvin sign, lower-cases to "k"; İ's lower case is two characters)
_FOLD_TO_ASCII = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))


def _folded(line: str) -> str:
    """`line` lower-cased so that an ASCII literal is in it wherever IGNORECASE would match that literal."""
    if not line.isascii():
        for char, letter in _FOLD_TO_ASCII:
            if char in line:  # (str.translate would cost 20 us a line)
                line = line.replace(char, letter)
    return line.lower()


_LONGEST_LINE = 400  # a longer line is never furniture


# the flags a rule's pattern may have, each as the letter of a scoped inline flag group (`_first_rule`)
_INLINE_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"), (re.ASCII, "a"))


def _first_rule(rules: list) -> re.Pattern[str]:
    """One pattern trying `rules` ((reason, pattern, ...) in order) at the start of a line: alternative k, the group
    named r<k>, is rule k's pattern under its own flags, so the regex engine returns the first rule that matches (an
    alternative is tried in full, backtracking included, before the next) and `lastgroup` names it (the group of a
    rule closes after the groups inside it). One call instead of one per rule: most lines are not furniture.
    ValueError for a rule that refers to its groups by number (a backreference, a conditional): the combination
    renumbers them."""
    alternatives = []
    for k, (_, pattern, *_) in enumerate(rules):
        source = pattern.pattern
        if re.search(r"\\[1-9]|\(\?\(\d", source):
            raise ValueError(f"furniture: a rule referring to its groups cannot be combined: {source!r}")
        letters = "".join(letter for flag, letter in _INLINE_FLAGS if pattern.flags & flag)
        end = "\n" if pattern.flags & re.VERBOSE else ""  # (a comment at the end of a verbose pattern ends here)
        alternatives.append(f"(?P<r{k}>(?{letters}:{source}{end}))")
    return re.compile("|".join(alternatives))


# the rules without literals in one pattern (`_first_rule`): what a line holding none of the literals is matched
# against; the reason by its group's name
_PLAIN_RULES = [rule for rule in _CHECKED_RULES if rule[2] is None]
_PLAIN_FIRST = _first_rule(_PLAIN_RULES)
_PLAIN_REASONS = {f"r{k}": reason for k, (reason, _, _) in enumerate(_PLAIN_RULES)}
_ALL_LITERALS = tuple(literal for _, _, literals in _CHECKED_RULES if literals is not None for literal in literals)


def furniture_reason(line: str) -> str | None:
    """The reason a single stripped line is page furniture, or None if it is article text."""
    if not line or len(line) > _LONGEST_LINE:
        return None
    folded = _folded(line)
    for literal in _ALL_LITERALS:  # (a plain loop: any() over a generator costs twice as much)
        if literal in folded:
            break
    else:  # none of the literals: only the rules without literals can match, tried in one call
        match = _PLAIN_FIRST.match(line)
        return None if match is None else _PLAIN_REASONS[match.lastgroup]
    for reason, pattern, literals in _CHECKED_RULES:
        if literals is not None:
            for literal in literals:
                if literal in folded:
                    break
            else:
                continue
        if pattern.match(line):
            return reason
    return None


def _find_furniture_python(text: str) -> list[Skipped]:
    """All furniture lines of `text`, with offsets of the stripped line. The pure-Python twin of
    `_find_furniture_compiled`."""
    skipped = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            reason = furniture_reason(stripped)
            if reason:
                start = pos + raw.index(stripped)
                skipped.append(Skipped(start, start + len(stripped), stripped, reason))
        pos += len(raw)
    return skipped


# the rules with the bit of their literals' group in the compiled kernel's masks (0 for a rule without literals)
_LITERAL_GROUPS = tuple(literals for _, _, literals in _CHECKED_RULES if literals is not None)
_MASKED_RULES = [(reason, pattern, 0 if literals is None else 1 << _LITERAL_GROUPS.index(literals))
                 for reason, pattern, literals in _CHECKED_RULES]


def _find_furniture_compiled(text: str) -> list[Skipped]:
    """`_find_furniture_python(text)` with the lines cut and their literals looked for (as `_folded` reads the line)
    by the compiled kernel `furniture_lines`; the rules are tried here, as `furniture_reason` tries them."""
    skipped, text = [], kernels.exact_str(text)
    for start, end, mask in kernels.compiled.furniture_lines(text, _LITERAL_GROUPS, _FOLD_TO_ASCII, _LONGEST_LINE):
        line = text[start:end]
        if not mask:  # none of the literals (most lines): the rules without literals in one call
            match = _PLAIN_FIRST.match(line)
            if match is not None:
                skipped.append(Skipped(start, end, line, _PLAIN_REASONS[match.lastgroup]))
            continue
        for reason, pattern, bit in _MASKED_RULES:
            if bit and not mask & bit:
                continue
            if pattern.match(line):
                skipped.append(Skipped(start, end, line, reason))
                break
    return skipped


find_furniture = _find_furniture_compiled if kernels.ACTIVE else _find_furniture_python


# A kicker (section label, "Local government", "World | Europe") sits just above a headline: a few words
# without a sentence's final punctuation. It is furniture (a label, not a sentence); the HTML and Markdown
# readers leave it out of the article text.
_KICKER = re.compile(r"^(?=.{2,40}$)[^\W\d_][\w'’&/|·,-]*(?:\s+[\w'’&/|·,-]+){0,3}$")


def kicker_index(lines: list[str], headline: int | None) -> int | None:
    """The index of the kicker in `lines` (paragraphs of article text), when the line just before the headline
    (`lines[headline]`) is one; else None."""
    if not headline or headline >= len(lines):
        return None
    line = lines[headline - 1].strip()
    return headline - 1 if _KICKER.match(line) else None
