# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Optional compiled kernels of attribution-scorer: typed loops for a few hot stages.

Each function here has a pure-Python twin in the package, which is the reference: the twin is the code that runs
when this module is not built or is disabled (SCORER_KERNELS=0), and tests/kernels checks that both give identical
results on the PolNeAR texts and on fuzzed strings. The dispatch is `scorer.text.kernels`. The word lists are not
repeated here: the callers pass them in (one place for each list).

    quoted_mask    <- scorer.text.quotes.quoted_mask (its per-character loop)
    sentence_spans <- scorer.text.segment._sentence_spans (one paragraph's sentences from punkt's spans)
    viterbi        <- scorer.attribution.tagger.SpanTagger.viterbi (best tag path of each sentence)
    tagger_emissions <- scorer.attribution.tagger.SpanTagger.emissions (the tokens' summed feature weights)
    tagger_tokens  <- scorer.attribution.tagger._tokenise (the tagger's tokens of sentences: TOKEN.finditer)
    tagger_codes   <- scorer.attribution.tagger.batch_tokens (the token codes: quote state, commas, runs, ...)
    cue_rows       <- scorer.model.cues.cue_vector (the cue features of sentences)
    word_codes     <- the heads' shared tokeniser and word coder (scorer.model.heads)
    content_words, corroboration, english_counts: see the section "segmentation and finish" at the end
    vocab_hashes   <- scorer.text.vocab._hash_grouped_python (the terms' hashes when a model loads)
    tagger_marginals <- scorer.attribution.tagger.SpanTagger.marginals: see the section "inputs (session 11)" at the end
    punkt_spans    <- scorer.text.segment._punkt_spans (nupunkt's spans of a block): see the section "segk (session 13)"
    split_sentences <- scorer.text.segment.split_sentences (blocks, punkt_spans, sentence_spans): the same section
    furniture_lines <- scorer.text.furniture.find_furniture's lines and literal checks: the same section
    corroboration_overlap, specific_words, alternation_spans: see the section "fink (session 13)" at the end
    report_rows, reason_lists <- scorer.pipeline.sentence_rows, the loop of support.reasons_many: see the section
                   "rowk (session 14)" at the end
    quotes_left_open <- scorer.attribution.spans.quotes_left_open_python: see the section "kglue (session 16)"

Bump VERSION whenever a function's behaviour or signature changes: the dispatch uses a compiled module only when
its VERSION is the one the Python code expects, so a stale build falls back to the twins instead of disagreeing.
"""
from cpython.mem cimport PyMem_Malloc, PyMem_Free, PyMem_Realloc
from libc.stdint cimport int64_t

cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void *PyUnicode_DATA(object o)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index) nogil
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISLOWER(Py_UCS4 ch) nogil

VERSION = 11

cdef enum:
    LEFT_DQ = 0x201C  # “
    RIGHT_DQ = 0x201D  # ”
    RIGHT_SQ = 0x2019  # ’
    RIGHT_GUILLEMET = 0xBB  # »
    EM_DASH = 0x2014
    EN_DASH = 0x2013


cdef struct Text:
    int kind
    void *data
    Py_ssize_t n


cdef inline Text _text(str s):
    cdef Text t
    t.kind = PyUnicode_KIND(s)
    t.data = PyUnicode_DATA(s)
    t.n = len(s)
    return t


cdef inline Py_UCS4 _at(Text t, Py_ssize_t i) noexcept nogil:
    return PyUnicode_READ(t.kind, t.data, i)


cdef inline bint _word(Py_UCS4 ch) noexcept nogil:
    """The regex engine's \\w for str patterns (ASCII without a table look-up)."""
    if ch < 128:
        return (0x61 <= ch <= 0x7A) or (0x41 <= ch <= 0x5A) or (0x30 <= ch <= 0x39) or ch == 0x5F
    return Py_UNICODE_ISALNUM(ch)


# ---------------------------------------------------------------------------------------------------- quotes

def quoted_mask(str text):
    """Per character: inside a quotation (the loop of `quotes.quoted_mask`, for a text with quotation marks)."""
    cdef Text t = _text(text)
    cdef Py_ssize_t i
    cdef int state = 0, before
    mask = [False] * t.n
    for i in range(t.n):
        before = state
        state = _quote_step(_at(t, i), state)
        if state or before:  # inside, or the mark that closes
            mask[i] = True
    return mask


cdef inline int _quote_step(Py_UCS4 ch, int state) noexcept nogil:
    """The quotation state after `ch` (0 outside, 1 inside “, 2 inside a straight quote): “ opens one, a straight quote
    opens one when none is open and closes the one it opened, ” closes one that is open."""
    if ch == LEFT_DQ:
        return 1
    if ch == 0x22:
        return 2 if state == 0 else (0 if state == 2 else state)
    if ch == RIGHT_DQ:
        return 0
    return state


cdef Py_ssize_t _open_quote_count(Text t, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """`quotes.open_quote_count(text[a:b])`."""
    cdef Py_ssize_t i, opened = 0, closed = 0, straight = 0
    cdef Py_UCS4 ch
    for i in range(a, b):
        ch = _at(t, i)
        if ch == LEFT_DQ:
            opened += 1
        elif ch == RIGHT_DQ:
            closed += 1
        elif ch == 0x22:
            straight += 1
    if opened - closed > 0:
        return opened - closed
    return straight % 2


# ---------------------------------------------------------------------------------------------------- segment

cdef class Words:
    """A tuple of words as one array of code points (the abbreviations and titles the caller passes)."""
    cdef Py_UCS4 *chars
    cdef Py_ssize_t *offsets  # word k is chars[offsets[k]:offsets[k + 1]]
    cdef Py_ssize_t n
    cdef unsigned char first[128]  # an ASCII character some word starts with
    cdef bint other_first  # some word starts with a non-ASCII character

    def __cinit__(self, tuple words):
        cdef Py_ssize_t total = sum(len(w) for w in words), k, j, pos = 0
        self.n = len(words)
        self.chars = <Py_UCS4 *> PyMem_Malloc((total + 1) * sizeof(Py_UCS4))
        self.offsets = <Py_ssize_t *> PyMem_Malloc((self.n + 1) * sizeof(Py_ssize_t))
        if self.chars == NULL or self.offsets == NULL:
            raise MemoryError()
        for k in range(128):
            self.first[k] = 0
        self.other_first = False
        for k in range(self.n):
            word = words[k]
            if len(word) == 0 or ord(word[0]) >= 128:
                self.other_first = True
            else:
                self.first[ord(word[0])] = 1
            self.offsets[k] = pos
            for j in range(len(word)):
                self.chars[pos] = ord(word[j])
                pos += 1
        self.offsets[self.n] = pos

    def __dealloc__(self):
        PyMem_Free(self.chars)
        PyMem_Free(self.offsets)


cdef list _WORDS = []  # [(tuple, Words)]: the callers pass the same few tuples every time


cdef object _kept(list cache, tuple words):
    """The table `cache` holds for a tuple of words (found by identity, else by equality), or None."""
    for key, table in cache:
        if key is words:
            return table
    for key, table in cache:
        if key == words:
            return table
    return None


cdef object _keep(list cache, tuple words, object table):
    """`table` kept in `cache` for the tuple (at most 17 kept: emptied first when full); returns it."""
    if len(cache) > 16:
        del cache[:]
    cache.append((words, table))
    return table


cdef Words _words(tuple words):
    """The Words of a tuple, built once per tuple (`_kept`)."""
    table = _kept(_WORDS, words)
    if table is None:
        table = _keep(_WORDS, words, Words(words))
    return <Words> table


cdef inline bint _literal_at(Text t, Py_ssize_t p, Py_ssize_t end, Words words, Py_ssize_t k) noexcept nogil:
    """text[p:p + len(word k)] == word k, within [.., end)."""
    cdef Py_ssize_t a = words.offsets[k], m = words.offsets[k + 1] - a, j
    if p + m > end:
        return False
    for j in range(m):
        if _at(t, p + j) != words.chars[a + j]:
            return False
    return True

cdef Py_ssize_t _skip_space(Text t, Py_ssize_t q, Py_ssize_t end) noexcept nogil:
    while q < end and Py_UNICODE_ISSPACE(_at(t, q)):
        q += 1
    return q


cdef list _split_final_abbreviations(Text t, str text, Py_ssize_t start, Py_ssize_t end, Words abbreviations,
                                     frozenset starters):
    """`segment._split_final_abbreviations`: its pattern (`\\b(?:abbreviations)\\.` then `\\s+([A-Z][a-z]*)\\b`
    then an optional `\\s+[a-z]`, leftmost non-overlapping matches in text[start:end]) matched by hand."""
    cdef list pieces = []
    cdef Py_ssize_t p = start, q, w0, w1, dot, r, k, m
    cdef bint third, found, prev_word, word_here
    cdef Py_UCS4 ch
    prev_word = p > 0 and _word(_at(t, p - 1))  # the \\b looks before `start`, as the regex's does
    while p < end:
        ch = _at(t, p)
        word_here = _word(ch)
        # an abbreviation can start here, after \b (start of string or a non-word character before it)
        if prev_word or not word_here:
            found = False
        elif ch < 128:
            found = abbreviations.first[ch]
        else:
            found = False
            if abbreviations.other_first:
                for k in range(abbreviations.n):
                    if abbreviations.chars[abbreviations.offsets[k]] == ch:
                        found = True
                        break
        prev_word = word_here
        if not found:
            p += 1
            continue
        dot = -1
        for k in range(abbreviations.n):  # at most one abbreviation followed by "." can start here
            m = abbreviations.offsets[k + 1] - abbreviations.offsets[k]
            if _literal_at(t, p, end, abbreviations, k) and p + m < end and _at(t, p + m) == 0x2E:
                dot = p + m
                break
        if dot < 0:
            p += 1
            continue
        q = dot + 1
        if not (q < end and Py_UNICODE_ISSPACE(_at(t, q))):
            p += 1
            continue
        q = _skip_space(t, q, end)
        if not (q < end and 0x41 <= _at(t, q) <= 0x5A):
            p += 1
            continue
        w0 = q
        q += 1
        while q < end and 0x61 <= _at(t, q) <= 0x7A:
            q += 1
        if q < end and _word(_at(t, q)):
            p += 1
            continue
        w1 = q
        third = False
        if q < end and Py_UNICODE_ISSPACE(_at(t, q)):
            r = _skip_space(t, q, end)
            if r < end and 0x61 <= _at(t, r) <= 0x7A:
                third = True
                q = r + 1
        word = text[w0:w1]
        if word in starters or (word.endswith("s") and w1 - w0 > 3 and third):
            pieces.append((start, dot + 1))
            start = w0
        p = q  # the next match starts after this one
        prev_word = _word(_at(t, p - 1))
    pieces.append((start, end))
    return pieces


cdef bint _title_end(Text t, Py_ssize_t a, Py_ssize_t b, Words titles) noexcept nogil:
    """`segment._TITLE_END.search(text[a:b])`: `\\b(titles)\\.$` ($ also before a final line break)."""
    cdef Py_ssize_t e, s, k, tries
    for tries in range(2):
        e = b if tries == 0 else b - 1
        if tries == 1 and not (b > a and _at(t, b - 1) == 0x0A):
            continue
        if e - 1 < a or _at(t, e - 1) != 0x2E:
            continue
        for k in range(titles.n):
            s = e - 1 - (titles.offsets[k + 1] - titles.offsets[k])
            if s >= a and _literal_at(t, s, e - 1, titles, k) and (s == a or not _word(_at(t, s - 1))):
                return True
    return False


cdef bint _quote_continues(Text t, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """`segment._QUOTE_CONTINUES.search(text[a:b])`: `[,][”"’]|[?!—–-][”"’]\\s+[a-z]`."""
    cdef Py_ssize_t i, q
    cdef Py_UCS4 ch, nxt
    for i in range(a, b - 1):
        ch = _at(t, i)
        nxt = _at(t, i + 1)
        if not (nxt == RIGHT_DQ or nxt == 0x22 or nxt == RIGHT_SQ):
            continue
        if ch == 0x2C:
            return True
        if ch == 0x3F or ch == 0x21 or ch == EM_DASH or ch == EN_DASH or ch == 0x2D:
            q = i + 2
            if q < b and Py_UNICODE_ISSPACE(_at(t, q)):
                q = _skip_space(t, q, b)
                if q < b and 0x61 <= _at(t, q) <= 0x7A:
                    return True
    return False


cdef inline bint _leading_closer(Py_UCS4 ch) noexcept nogil:
    """`segment._LEADING_CLOSERS`."""
    return (ch == RIGHT_DQ or ch == RIGHT_SQ or ch == RIGHT_GUILLEMET or ch == 0x22 or ch == 0x27 or ch == 0x29
            or ch == 0x5D)


cdef inline bint _joins_previous(Py_UCS4 ch) noexcept nogil:
    """A sentence starting with one of ",;:—–)@" continues the previous one."""
    return (ch == 0x2C or ch == 0x3B or ch == 0x3A or ch == EM_DASH or ch == EN_DASH or ch == 0x29 or ch == 0x40)


cdef inline bint _closing_quote(Py_UCS4 ch) noexcept nogil:
    """`segment.CLOSING_QUOTES + '"'`."""
    return ch == RIGHT_DQ or ch == RIGHT_SQ or ch == RIGHT_GUILLEMET or ch == 0x22


def sentence_spans(str text, list spans, frozenset starters, tuple abbreviations, tuple titles,
                   Py_ssize_t max_merge):
    """`segment._sentence_spans(text, spans)`: one paragraph's sentence spans from punkt's (offsets into `text`),
    stripped of white space, the empty ones dropped, then the news repairs of `segment._repair`."""
    cdef Text t = _text(text)
    cdef list pieces = []
    cdef Py_ssize_t start, end, n, i, j, k, p0, p1, a, c
    cdef Py_UCS4 first
    cdef bint alnum, found
    cdef Words abbrevs = _words(abbreviations), title_words = _words(titles)
    for span in spans:
        start, end = span
        while start < end and Py_UNICODE_ISSPACE(_at(t, start)):
            start += 1
        while end > start and Py_UNICODE_ISSPACE(_at(t, end - 1)):
            end -= 1
        if end > start:
            pieces.extend(_split_final_abbreviations(t, text, start, end, abbrevs, starters))
    n = len(pieces)
    cdef Py_ssize_t *fs = <Py_ssize_t *> PyMem_Malloc((2 * n + 1) * sizeof(Py_ssize_t))
    if fs == NULL:
        raise MemoryError()
    cdef Py_ssize_t nf = 0
    cdef list merged = []
    try:
        for i in range(n):
            start, end = pieces[i]
            if nf:
                while (start < end and _leading_closer(_at(t, start))
                       and _open_quote_count(t, fs[2 * nf - 2], fs[2 * nf - 1]) > 0 and _at(t, start) != LEFT_DQ):
                    fs[2 * nf - 1] = start + 1
                    start += 1
                    while start < end and Py_UNICODE_ISSPACE(_at(t, start)):
                        start += 1
                    while end > start and Py_UNICODE_ISSPACE(_at(t, end - 1)):
                        end -= 1
                if start >= end:
                    continue
                first = _at(t, start)
                alnum = False
                for c in range(start, end):
                    if Py_UNICODE_ISALNUM(_at(t, c)):
                        alnum = True
                        break
                if (Py_UNICODE_ISLOWER(first) or _joins_previous(first) or not alnum
                        or _title_end(t, fs[2 * nf - 2], fs[2 * nf - 1], title_words)):
                    fs[2 * nf - 1] = end
                    continue
            fs[2 * nf] = start
            fs[2 * nf + 1] = end
            nf += 1
        # merge a quotation spanning sentences when its attribution follows it
        i = 0
        while i < nf:
            j = i
            if _open_quote_count(t, fs[2 * i], fs[2 * i + 1]) > 0:
                k = i + 1
                while k < nf and k - i < max_merge:
                    found = False
                    for c in range(fs[2 * k], fs[2 * k + 1]):
                        if _closing_quote(_at(t, c)):
                            found = True
                            break
                    if found:
                        if _quote_continues(t, fs[2 * k], fs[2 * k + 1]):
                            j = k
                        break
                    k += 1
            merged.append((fs[2 * i], fs[2 * j + 1]))
            i = j + 1
    finally:
        PyMem_Free(fs)
    return merged


# ---- segk (session 13) ----
#
#   punkt_spans <- scorer.text.segment._punkt_spans (nupunkt's sentence spans of a paragraph block: its default
#                  model's `span_tokenize`, i.e. `_slices_from_text` with `_match_potential_end_contexts` and
#                  `_realign_boundaries`, nupunkt 0.8)
#   split_sentences <- scorer.text.segment.split_sentences with the kernels (its blocks, punkt_spans, sentence_spans)
#   furniture_lines <- the lines of scorer.text.furniture.find_furniture and the literal checks of furniture_reason
#
# The candidate scan, the context cut, the layout filters and the realignment are nupunkt's code paths and regexes
# spelled out as loops (the regex engine's \s, \S, \d and \w for str patterns are Py_UNICODE_ISSPACE,
# Py_UNICODE_ISDECIMAL and Py_UNICODE_ISALNUM or "_", str.isspace/islower the same macros, so every code point
# is handled as nupunkt handles it); the decision whether a context holds a sentence break is nupunkt's own memoized
# string-level engine (`PunktSentenceTokenizer._decision_state()[3]` of the loaded model), called with the same
# (before, after) strings in the same order. segment._punkt_decider checks that the loaded tokenizer is the one
# these loops reproduce and passes the engine in.

cdef extern from "Python.h":
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISLINEBREAK(Py_UCS4 ch) nogil
    Py_UCS4 Py_UNICODE_TOLOWER(Py_UCS4 ch) nogil

cdef enum:
    HORIZONTAL_ELLIPSIS = 0x2026  # …


cdef inline bint _linebreak(Py_UCS4 ch) noexcept nogil:
    """Py_UNICODE_ISLINEBREAK (a line break of `str.splitlines`: \n \v \f \r \x1c \x1d \x1e \x85 \u2028
    \u2029) without a function call for the characters above \x1e (checked for every code point in
    tests/kernels/test_rowk.py)."""
    if ch > 0x1E:
        return ch == 0x85 or ch == 0x2028 or ch == 0x2029
    return Py_UNICODE_ISLINEBREAK(ch)


cdef inline bint _punkt_end(Py_UCS4 ch) noexcept nogil:
    """A candidate sentence end: `[.!?]|\\u2026` (the language's sent_end_chars and the ellipsis)."""
    return ch == 0x2E or ch == 0x21 or ch == 0x3F or ch == HORIZONTAL_ELLIPSIS


cdef inline bint _punkt_closing(Py_UCS4 ch) noexcept nogil:
    """nupunkt's _CLOSING_CHARS (and the class of `re_boundary_realignment`): " ' ) ] } ” ’ » *."""
    return (ch == 0x22 or ch == 0x27 or ch == 0x29 or ch == 0x5D or ch == 0x7D or ch == RIGHT_DQ or ch == RIGHT_SQ
            or ch == RIGHT_GUILLEMET or ch == 0x2A)


cdef inline bint _punkt_letter(Py_UCS4 ch) noexcept nogil:
    """`[^\\W\\d_]`: a word character that is neither a decimal digit nor "_"."""
    if ch < 128:
        return (0x61 <= ch <= 0x7A) or (0x41 <= ch <= 0x5A)
    return Py_UNICODE_ISALNUM(ch) and not Py_UNICODE_ISDECIMAL(ch)


cdef inline bint _punkt_follows(Text t, Py_ssize_t q) noexcept nogil:
    """The look-ahead of nupunkt's period-context pattern at q (just after the candidate): `_re_non_word_chars`,
    `[)";}\\]*:@({[\\s!?”»]|['’](?![^\\W\\d_])`, or `\\s+\\S+` (whose first character the class already takes, so
    its `next_tok` group never takes part in a match). Never at the end of the text."""
    cdef Py_UCS4 ch
    if q >= t.n:
        return False
    ch = _at(t, q)
    if (ch == 0x29 or ch == 0x22 or ch == 0x3B or ch == 0x7D or ch == 0x5D or ch == 0x2A or ch == 0x3A or ch == 0x40
            or ch == 0x28 or ch == 0x7B or ch == 0x5B or ch == 0x21 or ch == 0x3F or ch == RIGHT_DQ
            or ch == RIGHT_GUILLEMET or Py_UNICODE_ISSPACE(ch)):
        return True
    if ch == 0x27 or ch == RIGHT_SQ:
        return not (q + 1 < t.n and _punkt_letter(_at(t, q + 1)))
    return False


cdef inline Py_ssize_t _punkt_last_space(Text t, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """The index of the last white-space character in [a, b) (`_RE_LAST_WS`, `.*\\s` with DOTALL), or -1."""
    cdef Py_ssize_t i = b - 1
    while i >= a:
        if Py_UNICODE_ISSPACE(_at(t, i)):
            return i
        i -= 1
    return -1


cdef bint _punkt_enumerator(Text t, Py_ssize_t pos) noexcept nogil:
    """`_is_line_start_enumerator`: the period at pos ends a list enumerator that starts its line
    (`[ \\t]*\\(?(?:\\d{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,6})\\)?\\.` over the line up to it, at most 12 characters back)."""
    cdef Py_ssize_t lo = pos - 12 if pos > 12 else 0
    cdef Py_ssize_t i = pos - 1, a, j, k, length
    cdef Py_UCS4 ch
    cdef bint digits = True, romans = True
    while i >= lo and _at(t, i) != 0x0A:
        i -= 1
    if i < lo and lo:
        return False
    a = i + 1
    while a < pos and (_at(t, a) == 0x20 or _at(t, a) == 0x09):
        a += 1
    if a < pos and _at(t, a) == 0x28:
        a += 1
    j = pos
    if j > a and _at(t, j - 1) == 0x29:
        j -= 1
    length = j - a
    if length <= 0:
        return False
    for k in range(a, j):
        ch = _at(t, k)
        if not Py_UNICODE_ISDECIMAL(ch):
            digits = False
        if not (ch == 0x69 or ch == 0x76 or ch == 0x78 or ch == 0x6C or ch == 0x63 or ch == 0x49 or ch == 0x56
                or ch == 0x58 or ch == 0x4C or ch == 0x43):
            romans = False
    ch = _at(t, a)
    return ((digits and length <= 3) or (romans and length <= 6)
            or (length == 1 and ((0x61 <= ch <= 0x7A) or (0x41 <= ch <= 0x5A))))


cdef Py_ssize_t _punkt_realign(Text t, Py_ssize_t a, Py_ssize_t e, Py_ssize_t *closers) noexcept nogil:
    """`re_boundary_realignment.match(text, a, e)`: `['")\\]}”’»*]+?(?:\\s+|(?=--)|$)` (MULTILINE): its end, or -1;
    `closers` gets the number of closing characters it takes (what `.rstrip()` of the match keeps)."""
    cdef Py_ssize_t q = a, r
    while q < e and _punkt_closing(_at(t, q)):
        q += 1
        if q < e and Py_UNICODE_ISSPACE(_at(t, q)):
            r = q
            while r < e and Py_UNICODE_ISSPACE(_at(t, r)):
                r += 1
            closers[0] = q - a
            return r
        if (q + 1 < e and _at(t, q) == 0x2D and _at(t, q + 1) == 0x2D) or q == e:
            closers[0] = q - a
            return q
    return -1


def punkt_spans(str text not None, object decide not None, dict memo=None):
    """`segment._punkt_spans(text)`: the sentence spans of a paragraph block as nupunkt's default model finds them,
    each running to the next one's start, the last to the end of the block (the whole block when there is none, no
    span for an empty block). `decide` is the model's memoized decision engine: a context (before, after) -> whether
    it holds a sentence break; `memo`, when given, the dict of decisions it looks a context up in first (read here
    first: `_decided`)."""
    return _punkt_spans(text, decide, memo)


cdef list _punkt_spans(str text, object decide, dict memo):
    cdef Text t = _text(text)
    cdef Py_ssize_t n = t.n, p, q, r, k, pos, i, run_start, word_start, run_word, w, e
    cdef Py_ssize_t prev_start = 0, prev_stop = 0, prev_split = 0, prev_end, last_break = 0, text_end
    cdef Py_ssize_t cap = 16, ns = 0, realign = 0, start, m_end, closers = 0
    cdef bint have_previous = False, last = False, report, lower
    cdef Py_UCS4 ch
    cdef list starts
    cdef void *grown
    if n == 0:
        return []
    # the sentences' slices (start, stop), grown as they are found (room for one per end character would take 16
    # bytes a character for a text of periods or exclamation marks, of which few or none end a sentence)
    cdef Py_ssize_t *sl = <Py_ssize_t *> PyMem_Malloc(2 * cap * sizeof(Py_ssize_t))
    if sl == NULL:
        raise MemoryError()
    try:
        text_end = n
        while text_end > 0 and Py_UNICODE_ISSPACE(_at(t, text_end - 1)):
            text_end -= 1
        # the candidates of _match_potential_end_contexts (the pattern finds every end character whose look-aheads
        # hold, never the last character), each context reported when the next candidate's word starts after it
        p = 0
        while p <= n:
            if p < n:
                ch = _at(t, p)
                if not _punkt_end(ch) or not _punkt_follows(t, p + 1):
                    p += 1
                    continue
                if ch == 0x2E:  # (?!(?<=\.)\s+\.): not a period that a spaced ellipsis continues
                    q = p + 1
                    while q < n and Py_UNICODE_ISSPACE(_at(t, q)):
                        q += 1
                    if q > p + 1 and q < n and _at(t, q) == 0x2E:
                        p += 1
                        continue
                w = _punkt_last_space(t, prev_stop, p)
                word_start = w + 1 if w >= 0 and w + 1 > prev_stop + 1 else prev_start
                if p > 1 and Py_UNICODE_ISSPACE(_at(t, p - 1)):
                    # the last period of a spaced ellipsis: the context starts before the run
                    run_start = p
                    while True:
                        i = run_start - 1
                        while i >= 0 and Py_UNICODE_ISSPACE(_at(t, i)):
                            i -= 1
                        if i >= 0 and i < run_start - 1 and _at(t, i) == 0x2E:
                            run_start = i
                        else:
                            break
                    if run_start < p:
                        e = run_start
                        while e > prev_stop and Py_UNICODE_ISSPACE(_at(t, e - 1)):
                            e -= 1
                        w = _punkt_last_space(t, prev_stop, e)
                        run_word = w + 1 if w >= 0 and w - prev_stop + 1 > 1 else prev_start
                        if run_word < word_start:
                            word_start = run_word
                report = have_previous and prev_stop <= word_start
            else:
                report = have_previous
                last = True
            if report:
                # _slices_from_text on the previous candidate (at prev_stop, its context prev_start:prev_split:prev_end)
                pos = prev_stop + 1
                if _at(t, prev_stop) == 0x2E and _punkt_enumerator(t, prev_stop):
                    pass
                elif pos < n and (_at(t, pos) == 0x21 or _at(t, pos) == 0x3F):
                    pass
                else:
                    k = pos
                    while k < n and (_at(t, k) == 0x20 or _at(t, k) == 0x09):
                        k += 1
                    if (k > pos and k < n and (_at(t, k) == 0x21 or _at(t, k) == 0x3F)
                            and (k + 1 == n or Py_UNICODE_ISSPACE(_at(t, k + 1)) or _at(t, k + 1) == 0x21
                                 or _at(t, k + 1) == 0x3F)):
                        pass
                    else:
                        q = pos
                        lower = False
                        if q < n and _punkt_closing(_at(t, q)):
                            while q < n and _punkt_closing(_at(t, q)):
                                q += 1
                            while q < n and (_at(t, q) == 0x20 or _at(t, q) == 0x09):
                                q += 1
                            lower = q < n and Py_UNICODE_ISLOWER(_at(t, q))
                        # (the context's end, the end of the next white-space-free chunk, found here rather than for
                        # every candidate: candidates that share a long chunk would each scan it to its end)
                        prev_end = prev_split
                        while prev_end < n and Py_UNICODE_ISSPACE(_at(t, prev_end)):
                            prev_end += 1
                        while prev_end < n and not Py_UNICODE_ISSPACE(_at(t, prev_end)):
                            prev_end += 1
                        # (fixed16, session 16: a candidate followed by nothing but closing marks and white space is
                        # not decided: with a break there the closing marks' slice joins the one before by the
                        # realignment, so the spans are those of no break: 1,269 of the 2,943 contexts of a first pass
                        # over the 84 dev articles, ~11 us each when new)
                        r = pos
                        while r < text_end and _punkt_closing(_at(t, r)):
                            r += 1
                        if not lower and r < text_end and _decided(decide, memo, (text[prev_start:prev_split],
                                                                                  text[prev_split:prev_end])):
                            if ns + 1 >= cap:  # (room for this slice and the final one)
                                grown = PyMem_Realloc(sl, 4 * cap * sizeof(Py_ssize_t))
                                if grown == NULL:
                                    raise MemoryError()
                                sl = <Py_ssize_t *> grown
                                cap *= 2
                            sl[2 * ns] = last_break
                            sl[2 * ns + 1] = pos
                            ns += 1
                            while pos < n and Py_UNICODE_ISSPACE(_at(t, pos)):
                                pos += 1
                            last_break = pos
            if last:
                break
            have_previous = True
            prev_start = word_start
            prev_stop = p
            q = p + 1
            while q < n and _punkt_closing(_at(t, q)):
                q += 1
            prev_split = q
            p += 1
        if last_break < text_end:
            sl[2 * ns] = last_break
            sl[2 * ns + 1] = text_end
            ns += 1
        # _realign_boundaries: closing punctuation at the start of a slice moves to the end of the one before
        starts = []
        for i in range(ns):
            start = sl[2 * i] + realign
            if i == ns - 1:
                if sl[2 * i + 1] > start:
                    starts.append(start)
                continue
            m_end = _punkt_realign(t, sl[2 * i + 2], sl[2 * i + 3], &closers)
            if m_end >= 0:
                starts.append(start)
                realign = m_end - sl[2 * i + 2]
            else:
                realign = 0
                if sl[2 * i + 1] > start:
                    starts.append(start)
    finally:
        PyMem_Free(sl)
    if not starts:
        return [(0, n)]
    ends = starts[1:]
    ends.append(n)
    return list(zip(starts, ends))


cdef object _decided(object decide, dict memo, tuple context):
    """decide(context), or the decision `memo` holds for the context: `memo` (None: none) is the dict in which
    `decide` looks a context up first and keeps its decision (nupunkt's context memo: `_decision_state()[2]` of the
    tokenizer whose engine `decide` is), found here without a call of the engine."""
    cdef void *found
    if memo is not None:
        found = PyDict_GetItemWithError(memo, context)  # (declared `except? NULL`: an error raises)
        if found != NULL and <object> found is not None:
            return <object> found
    return decide(context)


cdef object _tuple_new = tuple.__new__


def split_sentences(str text not None, Py_ssize_t lo, Py_ssize_t hi, object decide not None, type sentence not None,
                    frozenset starters not None, tuple abbreviations not None, tuple titles not None,
                    Py_ssize_t max_merge, dict memo=None):
    """`segment.split_sentences(text, lo, hi)` with the kernels: the paragraph blocks of text[lo:hi] (`segment._blocks`:
    `str.splitlines` lines, a block going on while the next line's first non-space character is lower case), each
    one's spans by `punkt_spans` and `sentence_spans`, as `sentence` tuples (start, end, text) with offsets into `text`
    (made as the NamedTuple's own __new__ makes them: tuple.__new__(sentence, fields))."""
    cdef Text t = _text(text)
    cdef Py_ssize_t pos, k, a, block_start = -1, line_start, b_start, b_end, s, e
    cdef bint content
    cdef list out = []
    if not 0 <= lo <= hi <= t.n:
        raise ValueError(f"split_sentences: bounds {lo}, {hi} outside the text of {t.n} characters")
    pos = lo
    while True:
        b_start = -1
        if pos < hi:
            line_start = pos
            k = pos
            while k < hi and not _linebreak(_at(t, k)):
                k += 1
            if k < hi:
                if _at(t, k) == 0x0D and k + 1 < hi and _at(t, k + 1) == 0x0A:
                    k += 1
                k += 1
            pos = k
            a = line_start
            while a < k and Py_UNICODE_ISSPACE(_at(t, a)):
                a += 1
            content = a < k
            if content:
                if block_start < 0:
                    block_start = line_start
                elif not Py_UNICODE_ISLOWER(_at(t, a)):
                    b_start, b_end = block_start, line_start
                    block_start = line_start
            elif block_start >= 0:
                b_start, b_end = block_start, line_start
                block_start = -1
        elif block_start >= 0:
            b_start, b_end = block_start, hi
            block_start = -1
        else:
            break
        if b_start >= 0:
            block = text[b_start:b_end]
            for s, e in sentence_spans(block, _punkt_spans(block, decide, memo), starters, abbreviations, titles,
                                       max_merge):
                out.append(_tuple_new(sentence, (b_start + s, b_start + e, block[s:e])))
    return out


# furniture_lines <- the line loop of scorer.text.furniture.find_furniture and the literal checks of furniture_reason:
#                    the stripped lines and which rules' literals each holds as `_folded` reads it


cdef extern from "string.h":
    int memcmp(const void *a, const void *b, size_t n) nogil

cdef extern from *:
    int __builtin_ctzll(unsigned long long x) nogil

cdef enum:
    FURNITURE_MAX_LITERALS = 64
    FURNITURE_NOT_ASCII = 0x80  # a folded character that is not ASCII (no literal holds it)


def furniture_lines(str text not None, tuple groups not None, tuple folds not None, Py_ssize_t longest):
    """The non-empty stripped lines of `text` as `find_furniture` cuts them (`str.splitlines` line breaks, `str.strip`
    white space) that are at most `longest` characters long, each as (start, end, mask): bit g of mask is set when a
    literal of `groups[g]` is in the line lower-cased as `furniture._folded` does it (the characters of `folds`, pairs
    (character, ASCII letter), replaced first; every literal is lower-case ASCII)."""
    cdef Text t = _text(text)
    cdef Py_ssize_t n_literals = 0, g, i, j, k, a, b, start, end, pos = 0, m
    cdef unsigned long long first[128]
    # the literals whose second (third) character is this byte, or that have none: a pre-check before memcmp
    cdef unsigned long long second[256]
    cdef unsigned long long third[256]
    cdef unsigned long long bit, all_groups
    cdef int group_of[FURNITURE_MAX_LITERALS]
    cdef Py_ssize_t length[FURNITURE_MAX_LITERALS]
    cdef const char *chars[FURNITURE_MAX_LITERALS]
    cdef unsigned char *buf
    cdef Py_UCS4 ch, low
    cdef unsigned long long mask
    cdef Py_UCS4 fold_from[8]
    cdef Py_UCS4 fold_to[8]
    cdef Py_ssize_t n_folds = len(folds)
    cdef list keep = []  # the literals' ASCII bytes, alive while `chars` points into them
    if longest < 0 or len(groups) > 64:
        raise ValueError("furniture_lines: longest must be >= 0 and there may be at most 64 groups")
    if n_folds > 8:
        raise ValueError("furniture_lines: at most 8 folds")
    for i in range(128):
        first[i] = 0
    for i in range(256):
        second[i] = 0
        third[i] = 0
    for g in range(len(groups)):
        for literal in groups[g]:
            if not isinstance(literal, str) or not literal or not (<str> literal).isascii() \
                    or literal != literal.lower() or n_literals == FURNITURE_MAX_LITERALS:
                raise ValueError(f"furniture_lines: literals must be non-empty lower-case ASCII, at most "
                                 f"{FURNITURE_MAX_LITERALS}: {literal!r}")
            encoded = (<str> literal).encode("ascii")
            keep.append(encoded)
            chars[n_literals] = <const char *> encoded
            length[n_literals] = len(encoded)
            group_of[n_literals] = <int> g
            first[<unsigned char> chars[n_literals][0]] |= 1ULL << n_literals
            for i in range(256):
                if length[n_literals] < 2 or i == <unsigned char> chars[n_literals][1]:
                    second[i] |= 1ULL << n_literals
                if length[n_literals] < 3 or i == <unsigned char> chars[n_literals][2]:
                    third[i] |= 1ULL << n_literals
            n_literals += 1
    for i in range(n_folds):
        a_char, a_letter = folds[i]
        if len(a_char) != 1 or len(a_letter) != 1 or ord(a_letter) >= 128:
            raise ValueError("furniture_lines: folds are pairs (character, ASCII letter)")
        fold_from[i] = ord(a_char)
        fold_to[i] = ord(a_letter)
    all_groups = (1ULL << len(groups)) - 1 if len(groups) < 64 else ~0ULL
    cdef list out = []
    if longest > PY_SSIZE_T_MAX - 3:
        raise ValueError("furniture_lines: longest too large")
    buf = <unsigned char *> PyMem_Malloc(longest + 3)  # (two bytes after a line for the pre-check, 0)
    if buf == NULL:
        raise MemoryError()
    try:
        while pos < t.n:
            # the raw line [pos, end_raw) with its line break (\r\n is one)
            k = pos
            while k < t.n and not _linebreak(_at(t, k)):
                k += 1
            if k < t.n:
                if _at(t, k) == 0x0D and k + 1 < t.n and _at(t, k + 1) == 0x0A:
                    k += 1
                k += 1
            start = pos
            end = k
            pos = k
            while start < end and Py_UNICODE_ISSPACE(_at(t, start)):
                start += 1
            while end > start and Py_UNICODE_ISSPACE(_at(t, end - 1)):
                end -= 1
            m = end - start
            if m == 0 or m > longest:
                continue
            for i in range(m):
                ch = _at(t, start + i)
                if ch < 128:
                    buf[i] = <unsigned char> ((<unsigned int> ch) | 0x20 if 0x41 <= ch <= 0x5A else <unsigned int> ch)
                    continue
                low = FURNITURE_NOT_ASCII
                for j in range(n_folds):
                    if ch == fold_from[j]:
                        low = fold_to[j]
                        break
                if low == FURNITURE_NOT_ASCII:
                    ch = Py_UNICODE_TOLOWER(ch)
                    if <unsigned int> ch < 128:
                        low = ch
                buf[i] = <unsigned char> low
            buf[m] = 0
            buf[m + 1] = 0
            mask = 0
            for i in range(m):
                if buf[i] >= 128:
                    continue
                bit = first[buf[i]] & second[buf[i + 1]] & third[buf[i + 2]]
                while bit:
                    j = __builtin_ctzll(bit)
                    bit &= bit - 1
                    if i + length[j] <= m and memcmp(buf + i, chars[j], length[j]) == 0:
                        mask |= 1ULL << group_of[j]
                if mask == all_groups:
                    break
            out.append((start, end, mask))
    finally:
        PyMem_Free(buf)
    return out


# ---------------------------------------------------------------------------------------------------- tagger

def viterbi(const double[:, ::1] emissions, const int64_t[::1] lengths, const double[:, ::1] transitions):
    """`SpanTagger.viterbi`: the best tag index of each token, sentence by sentence (`lengths` tokens each, in
    order). Ties go to the lowest tag index, as numpy's argmax does (the loop is `_viterbi_sentence`, in the section
    "tagk (session 13)")."""
    import numpy as np  # here, so that importing the kernels (the text layer does) does not import numpy

    cdef Py_ssize_t n_tok = emissions.shape[0], n_tags = emissions.shape[1]
    out = np.zeros(n_tok, dtype=np.int64)
    cdef int64_t[::1] tags = out
    cdef Py_ssize_t longest = 0, s, pos = 0, length
    for s in range(lengths.shape[0]):
        if lengths[s] > longest:
            longest = lengths[s]
    if n_tags == 0 or longest == 0:
        return out
    cdef double *delta = <double *> PyMem_Malloc(2 * n_tags * sizeof(double))
    cdef Py_ssize_t *back = <Py_ssize_t *> PyMem_Malloc(longest * n_tags * sizeof(Py_ssize_t))
    if delta == NULL or back == NULL:
        PyMem_Free(delta)
        PyMem_Free(back)
        raise MemoryError()
    try:
        with nogil:
            for s in range(lengths.shape[0]):
                length = lengths[s]
                if length <= 0:
                    continue
                _viterbi_sentence(emissions, transitions, pos, length, &tags[pos], delta, back)
                pos += length
    finally:
        PyMem_Free(delta)
        PyMem_Free(back)
    return out


# ---- warm (session 15) ----
#   tagger_word_rows <- scorer.attribution.tagger._WordCache._feature_ids and _sum_features (new words' rows of the
#                       span tagger's word table: each word's features named, looked up in the model's feature
#                       vocabulary as `vocab_find` does, and their weight rows summed in np.add.reduceat's order)

from libc.stdint cimport int32_t, uint32_t, uint64_t

cdef extern from "Python.h":
    bint Py_UNICODE_ISUPPER(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISALPHA(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISDIGIT(Py_UCS4 ch) nogil

cdef enum:
    WARM_MOST = 8  # features of one cell whose sum below is np.add.reduceat's (it sums differently from 9 on)
    WARM_AT = 8  # where a feature's name starts in the name buffer (its offset prefix, at most 8 bytes, before it)
    WARM_WIDTH = 16  # offsets at most


cdef struct _Terms:
    # a Vocabulary's arrays (vocab_find's arguments), checked
    const unsigned char *blob
    const int64_t *starts
    const int32_t *lengths
    const uint64_t *hashes
    const int32_t *rows32
    const int64_t *rows64
    const int64_t *values
    Py_ssize_t n_hashes
    uint64_t base
    const int32_t *buckets  # where the hashes of each top-bits bucket begin (see tagger_word_rows), or NULL
    int shift  # 64 - the bucket's bits


cdef inline int64_t _term_id(const _Terms *v, const unsigned char *data, Py_ssize_t size) noexcept nogil:
    """vocab_find of one byte string: its id, -1 if it is not a term."""
    cdef uint64_t h = _vocab_hash(data, size, v.base)
    cdef Py_ssize_t lo = 0, hi = v.n_hashes, mid, k, a
    cdef int64_t row
    if v.buckets != NULL:  # (the first hash >= h is within its bucket: a few steps, not 17 through the whole array)
        lo, hi = v.buckets[h >> v.shift], v.buckets[(h >> v.shift) + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if v.hashes[mid] < h:
            lo = mid + 1
        else:
            hi = mid
    if lo == v.n_hashes or v.hashes[lo] != h:
        return -1
    row = v.rows64[lo] if v.rows64 != NULL else v.rows32[lo]
    if v.lengths[row] != size:
        return -1
    a = v.starts[row]
    for k in range(size):
        if v.blob[a + k] != data[k]:
            return -1
    return v.values[row] if v.values != NULL else row


cdef inline Py_ssize_t _put_utf8(unsigned char *out, uint32_t ch) noexcept nogil:
    """The UTF-8 bytes of a code point (a lone surrogate as "surrogatepass" writes it); how many."""
    if ch < 0x80:
        out[0] = <unsigned char> ch
        return 1
    if ch < 0x800:
        out[0] = <unsigned char> (0xC0 | (ch >> 6))
        out[1] = <unsigned char> (0x80 | (ch & 0x3F))
        return 2
    if ch < 0x10000:
        out[0] = <unsigned char> (0xE0 | (ch >> 12))
        out[1] = <unsigned char> (0x80 | ((ch >> 6) & 0x3F))
        out[2] = <unsigned char> (0x80 | (ch & 0x3F))
        return 3
    out[0] = <unsigned char> (0xF0 | (ch >> 18))
    out[1] = <unsigned char> (0x80 | ((ch >> 12) & 0x3F))
    out[2] = <unsigned char> (0x80 | ((ch >> 6) & 0x3F))
    out[3] = <unsigned char> (0x80 | (ch & 0x3F))
    return 4


cdef inline Py_UCS4 _shape_char(Py_UCS4 ch) noexcept nogil:
    """tagger.shape's character for `ch` (str.isupper, isalpha and isdigit of one character are these macros)."""
    if ch < 128:
        if 0x41 <= ch <= 0x5A:
            return 0x58  # X
        if 0x61 <= ch <= 0x7A:
            return 0x78  # x
        if 0x30 <= ch <= 0x39:
            return 0x64  # d
        return ch
    if Py_UNICODE_ISUPPER(ch):
        return 0x58
    if Py_UNICODE_ISALPHA(ch):
        return 0x78
    if Py_UNICODE_ISDIGIT(ch):
        return 0x64
    return ch


cdef inline Py_ssize_t _name(unsigned char *out, const char *kind, Text t, Py_ssize_t a, bint shaped) noexcept nogil:
    """Writes `kind` (2-3 ASCII bytes: "w=", "sh=", ...) and the UTF-8 of t[a:] (its `shape`: each character's shape
    character, runs of one collapsed as `(.)\\1+` -> `\\1` does, line breaks never) at `out`; the bytes written."""
    cdef Py_ssize_t size = 0, i
    cdef Py_UCS4 ch, last = 0
    cdef bint first = True
    while kind[size] != 0:
        out[size] = <unsigned char> kind[size]
        size += 1
    for i in range(a, t.n):
        ch = _at(t, i)
        if shaped:
            ch = _shape_char(ch)
            if not first and ch == last and ch != 0x0A:
                continue
            first, last = False, ch
        size += _put_utf8(out + size, <uint32_t> ch)
    return size


cdef inline int64_t _at_offset(const _Terms *v, unsigned char *buf, Py_ssize_t size, const unsigned char *pre,
                               Py_ssize_t p) noexcept nogil:
    """The id of the feature whose name (without its offset) is buf[WARM_AT:WARM_AT + size], seen at the offset of
    the prefix pre[:p] (its name is the prefix, then the rest)."""
    cdef Py_ssize_t k
    for k in range(p):
        buf[WARM_AT - p + k] = pre[k]
    return _term_id(v, buf + WARM_AT - p, size + p)


def tagger_word_rows(list words not None, double[:, :, ::1] block, const double[:, ::1] weights,
                     dict lists_of not None, const int64_t[:, ::1] list_ids, tuple prefixes not None,
                     const unsigned char[::1] blob, const int64_t[::1] starts, const int32_t[::1] lengths,
                     const uint64_t[::1] hashes, rows, values, uint64_t base, bint terms_checked=False,
                     const int32_t[::1] buckets=None):
    """`_WordCache._sum_features(block, _WordCache._feature_ids(words))`: block[i, c] = the summed weight rows of
    word i's features at the offset of cell c (prefixes[c]: "-3:" .. "" .. "3:"), zero for none: the word ("w=" and
    the lower-cased word) at every offset, its shape ("sh=", `tagger.shape`) at all but the first and last, its 2- and
    3-letter suffixes ("s2=", "s3=") at offset 0 (the prefix ""), then its word lists (`lists_of[low]`: positions in
    `list_ids`, whose row holds the list feature's id at each offset). Ids are found in the vocabulary's arrays as
    `vocab_find` finds them (the same arguments; `terms_checked` as there), -1 or below: not a feature; `buckets`,
    when given (2^b + 1 of them, 1 <= b <= 24), says where the sorted hashes whose top b bits are k begin:
    buckets[k] (the first hash >= k << (64 - b)), so a search starts there (a wrong one can only miss a term, as the
    bytes are compared). A cell's rows are summed as np.add.reduceat sums up to 8 rows: the first + (((-0.0 + the
    second) + the third) ...)."""
    import numpy as np

    cdef Py_ssize_t n = len(words), width = len(prefixes), n_rows = weights.shape[0], tags = weights.shape[1]
    cdef Py_ssize_t n_lists = list_ids.shape[0], own = -1, i, c, k, j, m, size, count, room = 0
    cdef Py_ssize_t n_terms = starts.shape[0], nb
    cdef _Terms v
    cdef const int64_t[::1] row_of
    cdef const int32_t[::1] row_of32
    cdef const int64_t[::1] value_of
    cdef bint wide = np.asarray(rows).dtype == np.int64, mapped = values is not None
    cdef int64_t ids[WARM_WIDTH][4]
    cdef int64_t got[WARM_MOST]
    cdef int64_t found
    cdef double acc, rest
    cdef unsigned char *buf = NULL
    cdef unsigned char pre[WARM_WIDTH][WARM_AT]
    cdef Py_ssize_t pre_size[WARM_WIDTH]
    cdef Text t, lt
    cdef tuple found_lists, items
    # checked before the unchecked loops: the shapes, the prefixes, the vocabulary (as vocab_find checks it)
    if block.shape[0] != n or block.shape[1] != width or block.shape[2] != tags or list_ids.shape[1] != width:
        raise ValueError("tagger_word_rows: block, weights, list_ids and prefixes do not fit")
    if not 3 <= width <= WARM_WIDTH:
        raise ValueError("tagger_word_rows: 3 to 16 offsets")
    for c in range(width):
        p = prefixes[c]
        if not isinstance(p, str) or not (<str> p).isascii() or len(<str> p) > WARM_AT:
            raise ValueError("tagger_word_rows: a prefix is not an ASCII str of at most 8 characters")
        pre_size[c] = len(<str> p)
        for k in range(pre_size[c]):
            pre[c][k] = <unsigned char> ord((<str> p)[k])
        if pre_size[c] == 0:
            if own >= 0:
                raise ValueError("tagger_word_rows: two empty prefixes")
            own = c
    if own <= 0 or own >= width - 1:
        raise ValueError("tagger_word_rows: the empty prefix (offset 0) must be inside")
    for k in range(n_lists):
        for c in range(width):
            if list_ids[k, c] >= n_rows:
                raise IndexError("tagger_word_rows: a list feature beyond the weights")
    if wide:
        row_of = rows
        row_of32 = np.zeros(0, dtype=np.int32)
        if row_of.shape[0] != hashes.shape[0]:
            raise ValueError("tagger_word_rows: hashes and rows do not fit")
    else:
        row_of32 = rows
        row_of = np.zeros(0, dtype=np.int64)
        if row_of32.shape[0] != hashes.shape[0]:
            raise ValueError("tagger_word_rows: hashes and rows do not fit")
    value_of = values if mapped else np.zeros(0, dtype=np.int64)
    if lengths.shape[0] != n_terms or (mapped and value_of.shape[0] != n_terms):
        raise ValueError("tagger_word_rows: starts, lengths and values do not fit")
    for k in range(0 if terms_checked else n_terms):
        if starts[k] < 0 or lengths[k] < 0 or starts[k] > blob.shape[0] - lengths[k]:
            raise ValueError("tagger_word_rows: a term outside the blob")
    for k in range(0 if terms_checked else hashes.shape[0]):
        found = row_of[k] if wide else row_of32[k]
        if found < 0 or found >= n_terms:
            raise ValueError("tagger_word_rows: a row outside the terms")
    v.n_hashes = hashes.shape[0]
    v.base = base
    v.buckets, v.shift = NULL, 64
    if buckets is not None and v.n_hashes:
        nb = buckets.shape[0] - 1
        if nb < 2 or nb > (1 << 24) or nb & (nb - 1):
            raise ValueError("tagger_word_rows: buckets are not 2^b + 1 places, 1 <= b <= 24")
        if buckets[0] < 0 or buckets[nb] > v.n_hashes:
            raise ValueError("tagger_word_rows: a bucket outside the hashes")
        for k in range(nb):
            if buckets[k] > buckets[k + 1]:
                raise ValueError("tagger_word_rows: buckets out of order")
        v.buckets = &buckets[0]
        while nb > 1:
            nb >>= 1
            v.shift -= 1
    v.blob = &blob[0] if blob.shape[0] else NULL
    v.starts = &starts[0] if n_terms else NULL
    v.lengths = &lengths[0] if n_terms else NULL
    v.hashes = &hashes[0] if v.n_hashes else NULL
    v.rows64 = &row_of[0] if wide and v.n_hashes else NULL
    v.rows32 = &row_of32[0] if not wide and v.n_hashes else NULL
    v.values = &value_of[0] if mapped and n_terms else NULL
    items = tuple(words)  # (a str subclass's lower() could change the list under the loop)
    try:
        for i in range(n):
            word = items[i]
            if not isinstance(word, str):
                raise TypeError("tagger_word_rows: a word is not a str")
            low = word.lower()
            if not isinstance(low, str):
                raise TypeError("tagger_word_rows: a word's lower() is not a str")
            t, lt = _text(<str> word), _text(<str> low)  # (str subclasses too: numpy.str_, as the twin takes them)
            # the buffer: WARM_AT bytes for a prefix, 3 for the kind, 4 a code point of the longer string
            size = t.n if t.n > lt.n else lt.n
            if size > (<Py_ssize_t> 1 << 56):
                raise OverflowError("tagger_word_rows: a word too long")
            size = WARM_AT + 3 + 4 * size
            if size > room:
                PyMem_Free(buf)
                buf = NULL
                room = 0
                buf = <unsigned char *> PyMem_Malloc(size)
                if buf == NULL:
                    raise MemoryError()
                room = size
            for c in range(width):
                ids[c][0] = ids[c][1] = ids[c][2] = ids[c][3] = -1
            if v.n_hashes:
                size = _name(buf + WARM_AT, b"w=", lt, 0, False)
                for c in range(width):
                    ids[c][0] = _at_offset(&v, buf, size, pre[c], pre_size[c])
                size = _name(buf + WARM_AT, b"sh=", t, 0, True)
                for c in range(1, width - 1):
                    ids[c][1] = _at_offset(&v, buf, size, pre[c], pre_size[c])
                size = _name(buf + WARM_AT, b"s2=", lt, lt.n - 2 if lt.n > 2 else 0, False)
                ids[own][2] = _term_id(&v, buf + WARM_AT, size)
                size = _name(buf + WARM_AT, b"s3=", lt, lt.n - 3 if lt.n > 3 else 0, False)
                ids[own][3] = _term_id(&v, buf + WARM_AT, size)
            found_lists = lists_of.get(low, ())
            for m in range(len(found_lists)):
                k = found_lists[m]
                if k < 0 or k >= n_lists:
                    raise ValueError("tagger_word_rows: a word list outside list_ids")
            for c in range(width):
                count = 0
                for m in range(4 + len(found_lists)):
                    if m < 4:
                        found = ids[c][m]
                    else:  # (checked again as read: a position's __index__ need not give what it gave above)
                        k = found_lists[m - 4]
                        if k < 0 or k >= n_lists:
                            raise ValueError("tagger_word_rows: a word list outside list_ids")
                        found = list_ids[k, c]
                    if found < 0:
                        continue
                    if found >= n_rows:
                        raise IndexError("tagger_word_rows: a feature id beyond the weights")
                    if count == WARM_MOST:
                        raise ValueError("tagger_word_rows: more than 8 features at one offset")
                    got[count] = found
                    count += 1
                for j in range(tags):
                    if count == 0:
                        block[i, c, j] = 0.0
                        continue
                    acc = weights[got[0], j]
                    if count > 1:  # (reduceat's -0.0 + the second row is the second row, bit for bit)
                        rest = weights[got[1], j]
                        for m in range(2, count):
                            rest = rest + weights[got[m], j]
                        acc = acc + rest
                    block[i, c, j] = acc
    finally:
        PyMem_Free(buf)


# ---- model inputs and heads ----
# cue_rows <- scorer.model.cues.cue_vector (the cue features of each sentence; cues.cue_matrix_python is the twin)

cdef extern from "Python.h":
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch) nogil
    Py_UCS4 Py_UNICODE_TOLOWER(Py_UCS4 ch) nogil
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    object PyUnicode_Substring(object s, Py_ssize_t start, Py_ssize_t end)
    void *PyDict_GetItemWithError(object d, object key) except? NULL
    int PyUnicode_4BYTE_KIND

cdef enum:
    # bits of cues._LOWER_BITS: the lists a lower-cased word is in, in the order of cues._LOWER_LISTS
    CUE_REPORT = 1
    CUE_CARRY = 2
    CUE_PRONOUN = 4
    CUE_HEDGE = 8
    CUE_NUMBER = 16
    CUE_DATE = 32
    CUE_LOADED = 64
    CUE_INTENSIFIER = 128
    CUE_MODAL = 256
    CUE_ANON_HEAD = 512
    # bits of cues._CASE_BITS (cues._CASE_LISTS): first person, second person, capitalised first person, not a name
    CASE_FIRST = 1
    CASE_SECOND = 2
    CASE_FIRST_CAPITALISED = 4
    CASE_NOT_NAME = 8
    N_CUES = 25
    CUE_SMALL = 256  # characters of a text whose word arrays cue_rows keeps on the stack
    LEFT_SQ = 0x2018  # ‘
    HORIZONTAL_BAR = 0x2015  # ―


from libc.math cimport log1p as _c_log1p


cdef inline bint _ascii_letter(Py_UCS4 ch) noexcept nogil:
    return (0x61 <= ch <= 0x7A) or (0x41 <= ch <= 0x5A)


cdef inline bint _cue_word_char(Py_UCS4 ch) noexcept nogil:
    """cues._WORD's [A-Za-z'’-]."""
    return _ascii_letter(ch) or ch == 0x27 or ch == RIGHT_SQ or ch == 0x2D


cdef inline double _capped(Py_ssize_t count, Py_ssize_t cap) noexcept nogil:
    """min(count, cap) / cap as Python computes it (an int divided by a float)."""
    return <double> (count if count < cap else cap) / <double> cap


cdef inline long _bits_of(dict table, object word) except -1:
    cdef void *found = PyDict_GetItemWithError(table, word)
    return 0 if found is NULL else <long> (<object> found)


def cue_rows(list texts, double[:, ::1] out, object lower_bits, object case_bits, Py_ssize_t case_longest,
             tuple calls, long any_case=0):
    """cues.cue_vector of each text (a str) into the rows of `out` (len(texts), 25): the words ([A-Za-z][A-Za-z'’-]*)
    found and lower-cased in one pass, each looked up once in `lower_bits` (lower-cased word -> bits of the word lists
    it is in) and, if short, in `case_bits` (word as written -> bits); quote marks, dashes, digits found in one pass
    over the characters; the phrase scan and the rare regexes called back (`calls`, cues._CUE_CALLS). The tables may
    be dicts or `WordBits` (both WordBits: no str made per word), the phrase scan a `PhraseTrie` (matched here).
    `any_case`: a bit of `lower_bits` that every lower-cased form of a word of `case_bits` has, so that a word without
    it is not looked up there (0: every short word is). Session 14: the digits, years, "May " dates, the substrings
    checked before the modal regex, `_said_after_closing` and log1p computed here, the regexes no longer called."""
    if not ((type(lower_bits) is dict and type(case_bits) is dict)
            or (type(lower_bits) is WordBits and type(case_bits) is WordBits)):
        raise TypeError("cue_rows: the word tables must be two dicts or two WordBits")
    if out.shape[0] != len(texts) or out.shape[1] != N_CUES:
        raise ValueError(f"cue_rows: out has shape ({out.shape[0]}, {out.shape[1]}), expected ({len(texts)}, {N_CUES})")
    if len(calls) != 8:
        raise ValueError("cue_rows: calls must be 8 functions")
    cdef Py_ssize_t r
    for r in range(len(texts)):
        _cue_row(texts[r], out, r, lower_bits, case_bits, case_longest, calls, any_case)


cdef inline long _lower_bits_at(Text t, Py_ssize_t i, Py_ssize_t j, Py_UCS4 *buf, object lower_bits,
                                bint tables) except -1:
    """The bits of the word t[i:j] ([A-Za-z][A-Za-z'’-]*) lower-cased in `lower_bits` (its lower-cased form left in
    buf[:j - i])."""
    cdef Py_ssize_t k
    cdef Py_UCS4 ch
    for k in range(i, j):
        ch = _at(t, k)
        buf[k - i] = <Py_UCS4> (<unsigned int> ch + 32u) if 0x41 <= ch <= 0x5A else ch
    if tables:
        return (<WordBits> lower_bits).get(buf, j - i)
    return _bits_of(lower_bits, PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, j - i))


cdef inline bint _ascii_at(Text t, Py_ssize_t i, const char *literal, Py_ssize_t m) noexcept nogil:
    """t[i:i + m] is the ASCII `literal`."""
    cdef Py_ssize_t k
    if i + m > t.n:
        return False
    for k in range(m):
        if _at(t, i + k) != <Py_UCS4> (<unsigned char> literal[k]):
            return False
    return True


cdef int _said_after(Text t, Py_UCS4 *buf, object lower_bits, bint tables) except -1:
    """cues._said_after_closing: after a match of _CLOSE_THEN (`[,?!][”"’]\\s+`; matches cannot overlap), one of the
    first five words of _WORD (`[A-Za-z][A-Za-z'’-]*`, findall from the match's end to 60 characters on) is a reporting
    verb lower-cased."""
    cdef Py_ssize_t n = t.n, i, e, stop, a, b, words
    cdef Py_UCS4 ch, nxt
    for i in range(n - 2):
        ch = _at(t, i)
        if not (ch == 0x2C or ch == 0x3F or ch == 0x21):
            continue
        nxt = _at(t, i + 1)
        if not ((nxt == RIGHT_DQ or nxt == 0x22 or nxt == RIGHT_SQ) and Py_UNICODE_ISSPACE(_at(t, i + 2))):
            continue
        e = i + 3
        while e < n and Py_UNICODE_ISSPACE(_at(t, e)):
            e += 1
        stop = e + 60 if e + 60 < n else n
        a, words = e, 0
        while a < stop and words < 5:
            if not _ascii_letter(_at(t, a)):
                a += 1
                continue
            b = a + 1
            while b < stop and _cue_word_char(_at(t, b)):
                b += 1
            if _lower_bits_at(t, a, b, buf, lower_bits, tables) & CUE_REPORT:
                return True
            words += 1
            a = b
    return False


cdef Py_ssize_t _count_numbers(Text t) noexcept nogil:
    """len(cues._DIGITS.findall(text)): runs of `\\d[\\d,.]*` (\\d: a Unicode decimal digit, as the regex engine's)."""
    cdef Py_ssize_t i = 0, n = t.n, count = 0
    cdef Py_UCS4 ch
    while i < n:
        if Py_UNICODE_ISDECIMAL(_at(t, i)):
            count += 1
            i += 1
            while i < n:
                ch = _at(t, i)
                if not (ch == 0x2C or ch == 0x2E or Py_UNICODE_ISDECIMAL(ch)):
                    break
                i += 1
        else:
            i += 1
    return count


cdef bint _dated(Text t, bint digits, bint may) noexcept nogil:
    """cues._YEAR (`\\b(19|20)\\d\\d\\b`) or cues._DATE_MAY (`\\bMay \\d`) matches somewhere (\\b, \\d as the regex
    engine's for str patterns)."""
    cdef Py_ssize_t i, n = t.n
    cdef Py_UCS4 ch
    for i in range(n):
        if i and _word(_at(t, i - 1)):
            continue
        ch = _at(t, i)
        if digits and (ch == 0x31 or ch == 0x32) and i + 3 < n \
                and ((ch == 0x31 and _at(t, i + 1) == 0x39) or (ch == 0x32 and _at(t, i + 1) == 0x30)) \
                and Py_UNICODE_ISDECIMAL(_at(t, i + 2)) and Py_UNICODE_ISDECIMAL(_at(t, i + 3)) \
                and (i + 4 == n or not _word(_at(t, i + 4))):
            return True
        if may and ch == 0x4D and i + 4 < n and _ascii_at(t, i, "May ", 4) and Py_UNICODE_ISDECIMAL(_at(t, i + 4)):
            return True
    return False


cdef int _low_hints(Text low) noexcept nogil:
    """Bit 1: "according to" in low; bit 2: "need", "ve to" or "has to" in low (before the modal regex)."""
    cdef Py_ssize_t i
    cdef Py_UCS4 ch
    cdef int found = 0
    for i in range(low.n):
        ch = _at(low, i)
        if ch == 0x61 and not (found & 1) and _ascii_at(low, i, "according to", 12):
            found |= 1
        elif not (found & 2) and ((ch == 0x6E and _ascii_at(low, i, "need", 4))
                                  or (ch == 0x76 and _ascii_at(low, i, "ve to", 5))
                                  or (ch == 0x68 and _ascii_at(low, i, "has to", 6))):
            found |= 2
        if found == 3:
            break
    return found


cdef int _cue_row(str text, double[:, ::1] out, Py_ssize_t r, object lower_bits, object case_bits,
                  Py_ssize_t case_longest, tuple calls, long any_case) except -1:
    cdef Text t = _text(text)
    cdef Py_ssize_t n = t.n, i, j, k, m, nw = 0, quotes = 0, opener = -1, straight = -1, names = 0
    cdef Py_ssize_t hedges = 0, loaded = 0, intens = 0, numbers = 0, before_opener = 0
    cdef bint closing = False, right_single = False, dash = False, question = False, exclamation = False
    cdef bint digits = False, may = False, any_verb = False, name_near = False, then_quote = False, carry = False
    cdef bint first = False, second = False, anon_head = False, modal = False, dated = False, quote_then = False
    cdef Py_UCS4 ch
    cdef long bits
    cdef bint upper, tables = type(lower_bits) is WordBits and type(case_bits) is WordBits
    for k in range(N_CUES):
        out[r, k] = 0.0
    if n == 0:
        return 0
    # one pass over the characters
    for i in range(n):
        ch = _at(t, i)
        if ch < 128:
            if ch == 0x22:  # "
                quotes += 1
                closing = True
                if straight < 0:
                    straight = i
            elif ch == 0x3F:
                question = True
            elif ch == 0x21:
                exclamation = True
            elif 0x30 <= ch <= 0x39:
                digits = True
            elif ch == 0x4D and i + 3 < n and _at(t, i + 1) == 0x61 and _at(t, i + 2) == 0x79 and _at(t, i + 3) == 0x20:
                may = True  # "May "
        elif ch == LEFT_DQ:
            quotes += 1
            if opener < 0:
                opener = i
        elif ch == RIGHT_DQ:
            quotes += 1
            closing = True
        elif ch == RIGHT_SQ:
            right_single = True
        elif ch == HORIZONTAL_BAR or ch == EM_DASH or ch == EN_DASH:
            dash = True
        elif Py_UNICODE_ISDECIMAL(ch):
            digits = True
    if opener < 0:
        opener = straight
    # the words, each lower-cased and looked up once (a sentence's arrays on the stack, a longer text's allocated)
    cdef long small[CUE_SMALL * 5]  # (5 longs a character: 4 arrays and the code points, 4 bytes each, in one)
    cdef void *block = small if n <= CUE_SMALL else PyMem_Malloc(
        n * (2 * sizeof(Py_ssize_t) + 2 * sizeof(long) + sizeof(Py_UCS4)))
    if block is NULL:
        raise MemoryError()
    cdef Py_ssize_t *starts = <Py_ssize_t *> block
    cdef Py_ssize_t *ends = starts + n
    cdef long *low_bits = <long *> (ends + n)
    cdef long *word_case = low_bits + n
    cdef Py_UCS4 *buf = <Py_UCS4 *> (word_case + n)
    phrase_groups, dash_search, said_after_closing, digits_findall, year_search, may_search, modal_search, log1p = calls
    try:
        i = 0
        while i < n:
            ch = _at(t, i)
            if not _ascii_letter(ch):
                i += 1
                continue
            j = i + 1
            while j < n and _cue_word_char(_at(t, j)):
                j += 1
            starts[nw], ends[nw] = i, j
            low_bits[nw] = _lower_bits_at(t, i, j, buf, lower_bits, tables)
            if j - i > case_longest or (any_case and not (low_bits[nw] & any_case)):
                word_case[nw] = 0  # (no word of case_bits has this lower-cased form)
            elif tables:
                for k in range(i, j):
                    buf[k - i] = _at(t, k)
                word_case[nw] = (<WordBits> case_bits).get(buf, j - i)
            else:
                word_case[nw] = _bits_of(case_bits, PyUnicode_Substring(text, i, j))
            nw += 1
            i = j
        for k in range(nw):
            bits = low_bits[k]
            upper = 0x41 <= _at(t, starts[k]) <= 0x5A
            if bits & CUE_REPORT:
                if starts[k] < opener and k < 7:
                    then_quote = True
                if not upper:  # a capitalised "States" or "Statement" is not a reporting verb
                    any_verb = True
                    if not name_near:
                        for m in range(k - 4 if k > 4 else 0, k + 4 if k + 4 < nw else nw):
                            if m != k and 0x41 <= _at(t, starts[m]) <= 0x5A and not (word_case[m] & CASE_NOT_NAME):
                                name_near = True
                                break
            if k and upper and not (word_case[k] & CASE_FIRST_CAPITALISED):
                names += 1
            if bits & CUE_PRONOUN and k + 1 < nw and low_bits[k + 1] & CUE_CARRY:
                carry = True
            if bits & CUE_HEDGE:
                hedges += 1
            if bits & CUE_NUMBER:
                numbers += 1
            if bits & CUE_DATE:
                dated = True
            if bits & CUE_LOADED:
                loaded += 1
            if bits & CUE_INTENSIFIER:
                intens += 1
            if bits & CUE_MODAL:
                modal = True
            if bits & CUE_ANON_HEAD and k < 12:
                anon_head = True
            if word_case[k] & CASE_FIRST:
                first = True
            if word_case[k] & CASE_SECOND:
                second = True
        then_quote = then_quote and opener > 0
        if closing and dash:
            quote_then = dash_search(text) is not None
        if not quote_then and (closing or right_single):
            quote_then = _said_after(t, buf, lower_bits, tables)
    finally:
        if block != <void *> small:
            PyMem_Free(block)
    cdef str low = text.lower()
    cdef long phrases
    if isinstance(phrase_groups, PhraseTrie):  # the groups matched here (else asked of the twin's phrase_groups)
        phrases = (<PhraseTrie> phrase_groups).bits(low)
    else:
        found = phrase_groups(low)
        phrases = (("denial" in found) * PHRASE_DENIAL | ("anon" in found) * PHRASE_ANON
                   | ("report" in found) * PHRASE_REPORT | ("outlet" in found) * PHRASE_OUTLET
                   | ("hedge" in found) * PHRASE_HEDGE)
    cdef int hints = _low_hints(_text(low))
    if digits:
        numbers += _count_numbers(t)
    if not dated and (digits or may):
        dated = _dated(t, digits, may)
    if not modal:
        # _MODAL_PHRASE's matches hold "need", "ve to" or "has to" (as the twin checks)
        modal = (hints & 2) != 0 and modal_search(low) is not None
    hedges += (phrases & PHRASE_HEDGE) != 0
    ch = _at(t, 0)
    out[r, 0] = any_verb
    out[r, 1] = (phrases & (PHRASE_REPORT | PHRASE_DENIAL)) != 0
    out[r, 2] = (hints & 1) != 0
    out[r, 3] = _capped(quotes, 4)
    out[r, 4] = ch == LEFT_DQ or ch == 0x22 or ch == LEFT_SQ or ch == 0x27
    out[r, 5] = quote_then
    out[r, 6] = then_quote
    out[r, 7] = carry
    out[r, 8] = name_near
    out[r, 9] = _capped(names, 5)
    out[r, 10] = (phrases & PHRASE_ANON) != 0
    out[r, 11] = anon_head
    out[r, 12] = (phrases & PHRASE_OUTLET) != 0
    out[r, 13] = _capped(hedges, 3)
    out[r, 14] = _capped(loaded, 3)
    out[r, 15] = _capped(numbers, 4)
    out[r, 16] = dated
    out[r, 17] = question
    out[r, 18] = exclamation
    out[r, 19] = first
    out[r, 20] = second
    out[r, 21] = modal
    out[r, 22] = _capped(intens, 3)
    out[r, 23] = (phrases & PHRASE_DENIAL) != 0
    out[r, 24] = _c_log1p(<double> nw) / 5.0  # (math.log1p is libm's log1p: the same double)
    return 0


# word_codes <- scorer.model.heads.NgramCoder's tokens and word codes (`findall` of the lower-cased texts, then each
# word's code from the coder's cache), for the heads' pattern and the claim head's (heads.HEADS_TOKEN_PATTERN,
# heads.LONG_WORDS_PATTERN)

cdef inline bint _token_punct(Py_UCS4 ch) noexcept nogil:
    """The heads' pattern's one-character tokens: [“”"?!:]."""
    return ch == LEFT_DQ or ch == RIGHT_DQ or ch == 0x22 or ch == 0x3F or ch == 0x21 or ch == 0x3A


cdef bint _fold_into(Text t, Py_UCS4 *out) noexcept nogil:
    """out[:t.n] = the code points of t's `str.lower()` when that is t with its ASCII capitals made small, which it is
    when every other character is its own simple lower case (Python's full lower case differs from the simple one
    only for U+0130 and the final sigma, neither their own lower case: headk, session 15; tests/kernels/test_headk.py
    checks every code point); False (out partly written) otherwise."""
    cdef Py_ssize_t i
    cdef Py_UCS4 ch
    for i in range(t.n):
        ch = _at(t, i)
        if ch < 128:
            out[i] = <Py_UCS4> (<unsigned int> ch + 32) if 0x41 <= ch <= 0x5A else ch
        elif Py_UNICODE_TOLOWER(ch) == ch:
            out[i] = ch
        else:
            return False
    return True


# (review15h) the tokens of a text whose slots `word_codes` asks for before it looks them up: at most this many at a
# time (a fixed room on the stack: one per character of the longest text was 24 bytes a character, 4x the memory of the
# call on a long text; a few hundred lookups in flight overlap their cache misses as well)
cdef enum:
    _SPAN_CHUNK = 256

from libc.stdint cimport uint64_t


cdef int _look_up_spans(CodeCache cache, Text t, const Py_ssize_t *spans, const uint64_t *hashes, Py_ssize_t n_spans,
                        int64_t *codes, Py_ssize_t first, list missed, list missed_at, object text,
                        const Py_UCS4 *folded, bint in_folded) except -1:
    """`word_codes`' lookups of the tokens t[spans[2q]:spans[2q + 1]] (hashes[q]) noted, in order: codes[first + q],
    and the missed ones' words and places."""
    cdef Py_ssize_t q, i, last
    cdef int64_t code
    for q in range(n_spans):
        i, last = spans[2 * q], spans[2 * q + 1]
        code = cache.find_hashed(t, i, last, hashes[q])
        codes[first + q] = code
        if code == -2:
            missed.append(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, folded + i, last - i)
                          if in_folded else PyUnicode_Substring(text, i, last))
            missed_at.append(first + q)
    return 0


def word_codes(list texts, object cache, bint long_words, bint lower=False):
    """The tokens of each (lower-cased) text and their codes in `cache` (word -> int): (codes, counts, missed,
    missed_at), codes an int64 array of all the texts' tokens in order (-2 for a token not in the cache), counts the
    number of tokens of each text, missed the tokens not in the cache (str) and missed_at their places in codes.
    Tokens as `re.findall` of heads.HEADS_TOKEN_PATTERN gives them (`\\b\\w[\\w'’]*\\b|[“”"?!:]`), or with
    `long_words` of heads.LONG_WORDS_PATTERN (`\\b\\w\\w+\\b`); \\w as the regex engine's for str patterns. `cache`:
    a dict or a `CodeCache` (looked up without making a str of each token: only the missed ones are made). `lower`:
    the texts (str, or str subclasses) are not lower-cased yet: each is read as its `str.lower()` (ASCII capitals
    made small as they are read where that is the same, else by str.lower; session 15)."""
    import numpy as np

    if type(cache) is not dict and type(cache) is not CodeCache:
        raise TypeError("word_codes: the cache must be a dict or a CodeCache")
    cdef bint table = type(cache) is CodeCache
    cdef CodeCache codes_of = cache if table else None
    cdef int64_t code

    cdef Py_ssize_t total = 0, r, i, j, last, n, k = 0, n_texts = len(texts), longest = 0
    cdef Text t
    cdef Py_UCS4 ch
    cdef void *found
    cdef Py_ssize_t before
    cdef Py_UCS4 *folded = NULL  # (lower) the text being read, lower-cased
    cdef bint in_folded
    # (CodeCache, session 15) a text's tokens and their hashes first, their slots asked for from memory at once, then
    # looked up: the cache misses of a text's tokens overlap (_SPAN_CHUNK tokens at a time: review15h)
    cdef Py_ssize_t spans[2 * _SPAN_CHUNK]
    cdef uint64_t hashes[_SPAN_CHUNK]
    cdef Py_ssize_t n_spans
    for r in range(n_texts):
        if type(texts[r]) is not str and not (lower and isinstance(texts[r], str)):
            raise TypeError(f"word_codes: text {r} is not a str")
        n = len(<str> texts[r])
        total += n
        if n > longest:
            longest = n
    codes_array = np.empty(total, dtype=np.int64)
    counts_array = np.zeros(n_texts, dtype=np.int64)
    cdef int64_t[::1] codes = codes_array
    cdef int64_t[::1] counts = counts_array
    cdef list missed = [], missed_at = []
    if lower:
        folded = <Py_UCS4 *> PyMem_Malloc((longest + 1) * sizeof(Py_UCS4))
        if folded is NULL:
            raise MemoryError()
    try:
        for r in range(n_texts):
            text = texts[r]
            in_folded = False
            if lower:
                if type(text) is str and _fold_into(_text(<str> text), folded):
                    in_folded = True
                    t.kind, t.data, t.n = PyUnicode_4BYTE_KIND, folded, len(<str> text)
                else:
                    text = str.lower(text)  # (an exact str, of another length where a character's lower case is two)
                    t = _text(<str> text)
            else:
                t = _text(<str> text)
            n = t.n
            i = 0
            before = k
            n_spans = 0
            while i < n:
                ch = _at(t, i)
                if _word(ch):
                    j = i + 1
                    last = j
                    while j < n:
                        ch = _at(t, j)
                        if _word(ch):
                            j += 1
                            last = j
                        elif not long_words and (ch == 0x27 or ch == RIGHT_SQ):
                            j += 1
                        else:
                            break
                    if long_words and last - i < 2:
                        i = last
                        continue
                elif not long_words and _token_punct(ch):
                    last = i + 1
                else:
                    i += 1
                    continue
                if k >= total:  # (str.lower made a text longer: more tokens than characters counted)
                    codes_array = np.resize(codes_array, 2 * total + 1)
                    total = 2 * total + 1
                    codes = codes_array
                if table:
                    spans[2 * n_spans] = i
                    spans[2 * n_spans + 1] = last
                    hashes[n_spans] = _word_hash(t, i, last)
                    codes_of.prefetch(hashes[n_spans])
                    n_spans += 1
                else:
                    word = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, folded + i, last - i) if in_folded \
                        else PyUnicode_Substring(text, i, last)
                    found = PyDict_GetItemWithError(cache, word)
                    if found is NULL:
                        codes[k] = -2
                        missed.append(word)
                        missed_at.append(k)
                    else:
                        codes[k] = <object> found
                k += 1
                i = last
                if n_spans == _SPAN_CHUNK:  # (the tokens noted, looked up in order)
                    _look_up_spans(codes_of, t, spans, hashes, n_spans, &codes[0], k - n_spans, missed, missed_at,
                                   text, folded, in_folded)
                    n_spans = 0
            if n_spans:
                _look_up_spans(codes_of, t, spans, hashes, n_spans, &codes[0], k - n_spans, missed, missed_at, text,
                               folded, in_folded)
            counts[r] = k - before
    finally:
        PyMem_Free(folded)
    return codes_array[:k], counts_array, missed, np.array(missed_at, dtype=np.int64)

# ---- inheadk (session 13) ----
#   ngram_rows   <- scorer.model.heads.NgramCoder._ids_of_codes (the n-gram ids of a model call from its word codes)
#   tfidf_scores <- scorer.model.heads.CompiledHead.decision's word part and scorer.model.claims.TfidfBlock.scores
#                   (sublinear TF-IDF rows, l2-normalised in float32, times the coefficient rows)
#   PhraseTrie, phrase_bits <- scorer.model.cues.phrase_groups (also read by cue_rows, changed in place to use it)
#   WordBits     <- the word-list dicts cue_rows reads (a C table; cue_rows takes either)
#   CodeCache    <- NgramCoder's dict word -> code (a C table; word_codes takes either)
#   vocab_find   <- scorer.text.vocab.Vocabulary._find (the ids of byte strings)
#   quote_states <- scorer.model.cues.quote_states (the heads' quote-state block)

from libc.stdint cimport uint64_t, int32_t, uint32_t
from libc.math cimport sqrt as _c_sqrt

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX


cdef extern from *:
    void _ngram_prefetch "__builtin_prefetch" (const void *address) noexcept nogil


def ngram_rows(const int64_t[::1] codes, const int64_t[::1] lengths, int64_t unigram_ids, int64_t base,
               list tables):
    """`NgramCoder._ids_of_codes(codes, lengths)`: (rows, ids) of the known n-grams of texts whose words' codes are
    laid end to end in `codes` (`lengths` words each; a code < 0 is a word in no term): per text its unigrams (codes
    in [0, unigram_ids)) in text order, then its known bigrams in text order, then trigrams..., an n-gram's key the
    number its codes spell in `base`, looked up in `tables[n - 2]` = (sorted keys, their ids, buckets, step): the
    keys k with k // step == j are keys[buckets[j]:buckets[j + 1]] (`NgramCoder` builds them; a key's place is
    searched only in its bucket). The caller checks that every key fits in int64 (`NgramCoder.exact_loop`)."""
    import numpy as np

    cdef Py_ssize_t n_texts = lengths.shape[0], n_codes = codes.shape[0], top = len(tables) + 1, r, i, j, n, at
    cdef Py_ssize_t pos = 0, k = 0, total = 0, m, lo, hi, mid, bucket, n_buckets
    cdef int64_t key, code, step
    cdef int shift
    cdef bint valid
    cdef const int64_t[::1] keys
    cdef const int64_t[::1] values
    cdef const int64_t[::1] buckets
    for r in range(n_texts):
        if lengths[r] < 0:
            raise ValueError("ngram_rows: a negative length")
        if lengths[r] > n_codes - total:  # (checked as they add up: a sum of huge lengths could wrap)
            raise ValueError(f"ngram_rows: lengths sum to more than the {n_codes} codes")
        total += lengths[r]
    if total != n_codes:
        raise ValueError(f"ngram_rows: lengths sum to {total}, not the {n_codes} codes")
    if base < 0:
        raise ValueError("ngram_rows: a negative base")
    if len(tables):  # every key below base ** top <= 2 ** 63 - 1: no key overflows (a negative key read before buckets)
        if (<object> base) ** (<object> top) > 2 ** 63 - 1:  # (in Python integers)
            raise ValueError(f"ngram_rows: keys in base {base} of {top} codes do not fit in int64")
        for i in range(n_codes):
            if codes[i] >= base:
                raise ValueError(f"ngram_rows: a code {codes[i]} not below the base {base}")
    key_list, value_list, bucket_list, steps, shifts = [], [], [], [], []
    for table in tables:
        keys, values, buckets, step = table
        if keys.shape[0] != values.shape[0] or buckets.shape[0] < 2 or step < 1:
            raise ValueError("ngram_rows: a table's keys, ids, buckets and step do not fit")
        # a step that is a power of two: the bucket by a shift, not a 64-bit division (session 14; NgramCoder makes
        # it so)
        shift = 0
        while shift < 62 and (<int64_t> 1 << shift) < step:
            shift += 1
        shifts.append(shift if (<int64_t> 1 << shift) == step else -1)
        for j in range(buckets.shape[0]):
            if buckets[j] < 0 or buckets[j] > keys.shape[0] or (j and buckets[j] < buckets[j - 1]):
                raise ValueError("ngram_rows: a table's buckets are not ascending places in its keys")
        key_list.append(keys)
        value_list.append(values)
        bucket_list.append(buckets)
        steps.append(step)
    rows_array = np.empty(n_codes * top, dtype=np.int64)
    ids_array = np.empty(n_codes * top, dtype=np.int64)
    cdef int64_t[::1] rows = rows_array
    cdef int64_t[::1] ids = ids_array
    # (session 15) a text's n-gram keys and their buckets' ranges first, each range's keys and ids asked for from
    # memory at once, then searched: the cache misses of a text's n-grams overlap instead of coming one by one
    # (review15h: _SPAN_CHUNK n-grams at a time, not room for the longest text's: 24 bytes a code, +50% on a long text)
    cdef int64_t *pending = <int64_t *> PyMem_Malloc(3 * _SPAN_CHUNK * sizeof(int64_t))
    if pending is NULL:
        raise MemoryError()
    cdef int64_t *pending_lo = pending + _SPAN_CHUNK
    cdef int64_t *pending_hi = pending + 2 * _SPAN_CHUNK
    try:
        _ngram_rows_loop(codes, lengths, unigram_ids, base, key_list, value_list, bucket_list, steps, shifts, rows, ids,
                         pending, pending_lo, pending_hi, &k)
    finally:
        PyMem_Free(pending)
    return rows_array[:k], ids_array[:k]


cdef int _ngram_rows_loop(const int64_t[::1] codes, const int64_t[::1] lengths, int64_t unigram_ids, int64_t base,
                          list key_list, list value_list, list bucket_list, list steps, list shifts, int64_t[::1] rows,
                          int64_t[::1] ids, int64_t *pending, int64_t *pending_lo, int64_t *pending_hi,
                          Py_ssize_t *found) except -1:
    """The loop of `ngram_rows` over its checked arguments (its rows and ids written from found[0] on; the tables'
    arrays read through pointers taken once, not as memoryviews made again for each text)."""
    cdef Py_ssize_t n_texts = lengths.shape[0], top = len(key_list) + 1, r, i, j, n, pos = 0, k = found[0], m, lo, hi
    cdef Py_ssize_t mid, bucket, n_buckets, n_pending, q, n_keys
    cdef int64_t key, code, step
    cdef int shift
    cdef bint valid
    cdef const int64_t[::1] view
    cdef const int64_t *keys
    cdef const int64_t *values
    cdef const int64_t *buckets
    cdef const int64_t **tables = <const int64_t **> PyMem_Malloc((3 * top + 1) * sizeof(int64_t *))
    cdef int64_t *sizes = <int64_t *> PyMem_Malloc((4 * top + 1) * sizeof(int64_t))
    try:
        if tables is NULL or sizes is NULL:
            raise MemoryError()
        for n in range(top - 1):
            view = key_list[n]
            tables[3 * n] = &view[0] if view.shape[0] else NULL
            sizes[4 * n] = view.shape[0]
            view = value_list[n]
            tables[3 * n + 1] = &view[0] if view.shape[0] else NULL
            view = bucket_list[n]
            tables[3 * n + 2] = &view[0]  # (at least 2 buckets: checked)
            sizes[4 * n + 1] = view.shape[0] - 1
            sizes[4 * n + 2] = steps[n]
            sizes[4 * n + 3] = shifts[n]
        for r in range(n_texts):
            m = lengths[r]
            for i in range(pos, pos + m):
                code = codes[i]
                if 0 <= code < unigram_ids:
                    rows[k] = r
                    ids[k] = code
                    k += 1
            for n in range(2, top + 1):
                keys, values, buckets = tables[3 * (n - 2)], tables[3 * (n - 2) + 1], tables[3 * (n - 2) + 2]
                n_keys, n_buckets = sizes[4 * (n - 2)], sizes[4 * (n - 2) + 1]
                step, shift = sizes[4 * (n - 2) + 2], <int> sizes[4 * (n - 2) + 3]
                if n_keys == 0:
                    continue
                i = pos
                while i < pos + m - n + 1:  # (_SPAN_CHUNK n-grams at a time, in text order)
                    n_pending = 0
                    while i < pos + m - n + 1 and n_pending < _SPAN_CHUNK:
                        key = 0
                        valid = True
                        for j in range(n):
                            code = codes[i + j]
                            if code < 0:
                                valid = False
                                break
                            key = key * base + code
                        i += 1
                        if not valid:
                            continue
                        bucket = key >> shift if shift >= 0 else key // step
                        if bucket >= n_buckets:  # (beyond the last bucket's keys: searched in the last one)
                            bucket = n_buckets - 1
                        lo, hi = buckets[bucket], buckets[bucket + 1] if bucket + 1 < n_buckets else n_keys
                        if lo < n_keys:
                            _ngram_prefetch(&keys[lo])
                            _ngram_prefetch(&values[lo])
                        pending[n_pending] = key
                        pending_lo[n_pending] = lo
                        pending_hi[n_pending] = hi
                        n_pending += 1
                    for q in range(n_pending):
                        key, lo, hi = pending[q], pending_lo[q], pending_hi[q]
                        while lo < hi:
                            mid = (lo + hi) >> 1
                            if keys[mid] < key:
                                lo = mid + 1
                            else:
                                hi = mid
                        if lo < n_keys and keys[lo] == key:
                            rows[k] = r
                            ids[k] = values[lo]
                            k += 1
            pos += m
    finally:
        PyMem_Free(tables)
        PyMem_Free(sizes)
    found[0] = k
    return 0


cdef inline void _sort_int64(int64_t *v, Py_ssize_t n, int64_t *tmp) noexcept nogil:
    """v[:n] in ascending order (`tmp`: room for n values): insertion sort for a few values; else insertion-sorted
    runs of 8 merged pairwise without branches on the values (session 14: a sentence's 40-50 terms sorted about 2x
    faster than by insertion sort, whose moves and mispredicted branches were half of `tfidf_scores`; qsort's
    callbacks cost more)."""
    cdef Py_ssize_t i, j, k, lo, mid, hi, width
    cdef int64_t x, y
    cdef int64_t *src = v
    cdef int64_t *dst = tmp
    cdef int64_t *swap
    cdef bint take
    lo = 0
    while lo < n:
        hi = lo + 8 if n > 16 and lo + 8 < n else n
        for i in range(lo + 1, hi):
            x = v[i]
            j = i
            while j > lo and v[j - 1] > x:
                v[j] = v[j - 1]
                j -= 1
            v[j] = x
        lo = hi
    if n <= 16:
        return
    width = 8
    while width < n:
        lo = 0
        while lo < n:
            mid = lo + width if lo + width < n else n
            hi = lo + 2 * width if lo + 2 * width < n else n
            i, j, k = lo, mid, lo
            while i < mid and j < hi:
                x, y = src[i], src[j]
                take = y < x  # (equal values: the left one first; equal values are alike anyway)
                dst[k] = y if take else x
                j += take
                i += 1 - take
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
            lo = hi
        swap = src
        src = dst
        dst = swap
        width *= 2
    if src != v:
        for i in range(n):
            v[i] = src[i]


cdef int _check_occurrences(const int64_t[::1] rows, const int64_t[::1] ids, Py_ssize_t n, str name) except -1:
    """The occurrences (rows[i], ids[i]) of `tfidf_scores` and `tfidf_packed`, checked before their unchecked code:
    as many ids as rows, each row in [0, n), no negative id, and sizes whose work arrays cannot overflow."""
    cdef Py_ssize_t i, n_occ = rows.shape[0]
    if ids.shape[0] != n_occ:
        raise ValueError(f"{name}: {n_occ} rows but {ids.shape[0]} ids")
    if n < 0:
        raise ValueError(f"{name}: a negative number of rows")
    if n > PY_SSIZE_T_MAX // 64 or n_occ > PY_SSIZE_T_MAX // 64:  # (the work arrays' size below must not overflow)
        raise MemoryError(f"{name}: {n} rows and {n_occ} occurrences")
    for i in range(n_occ):
        if rows[i] < 0 or rows[i] >= n or ids[i] < 0:
            raise ValueError(f"{name}: a row outside [0, {n}) or a negative id")
    return 0


cdef Py_ssize_t _group_by_row(const int64_t[::1] rows, const int64_t[::1] ids, Py_ssize_t n, int64_t *grouped,
                              int64_t *start, int64_t *stop) noexcept nogil:
    """The occurrences' ids grouped by row, a counting sort (rows in order, each row's in occurrence order): row r's
    are grouped[start[r]:start[r + 1]] (`start` holds n + 1 entries, `stop` n: the sort's room; the caller has checked
    0 <= rows[i] < n). Returns the longest row's length. (`tfidf_scores` and `tfidf_packed`.)"""
    cdef Py_ssize_t i, r, longest = 0
    for r in range(n + 1):
        start[r] = 0
    for i in range(rows.shape[0]):
        start[rows[i] + 1] += 1
    for r in range(n):
        start[r + 1] += start[r]
        stop[r] = start[r]
    for i in range(rows.shape[0]):
        grouped[stop[rows[i]]] = ids[i]
        stop[rows[i]] += 1
    for r in range(n):
        if start[r + 1] - start[r] > longest:
            longest = start[r + 1] - start[r]
    return longest


def tfidf_scores(const int64_t[::1] rows, const int64_t[::1] ids, list heads, Py_ssize_t n, object tf_table):
    """The word part of each head's linear scores, [(n, len(coef))], for heads given as (columns, idf, coef): the
    TF-IDF rows of the n-gram occurrences (rows[i], ids[i]) as `CompiledHead.word_scores_python` computes them, bit
    for bit: each occurrence's column `columns[ids[i]]` (`ids[i]` itself when columns is None), columns < 0 dropped;
    per row and column the count k; the value float32(tf[k] * idf[column]), tf[k] = float32(log(float32(k)) + 1)
    read from `tf_table(largest k)` (numpy's float32 log, as the twin's); each row's values divided (in float32) by
    float32(sqrt(their squares summed in float64 in column order)); each score the float64 sum, in column order, of
    value * coef[class, column] (numpy's bincount adds its weights in order). The columns are int32; the idf and
    coefficients may be strided."""
    import numpy as np

    cdef Py_ssize_t n_occ = rows.shape[0], n_words, n_coef, n_ids, i, r, a, b, e, q, largest, longest = 0
    cdef int64_t c
    cdef double acc, norm2
    cdef float value, norm
    cdef bint by_column, bad = False
    cdef const int32_t[::1] columns
    cdef const double[:] idf  # (strided views too: a head's idf and coefficients can be views of its packed table)
    cdef const double[:, :] coef
    cdef double[:, ::1] out
    cdef const float[::1] tf
    _check_occurrences(rows, ids, n, "tfidf_scores")
    results = []
    # the occurrences' ids grouped by row (a counting sort: rows in order, each row's in occurrence order), once for
    # all the heads
    cdef int64_t *block = <int64_t *> PyMem_Malloc((3 * n_occ + 2 * n + 2) * sizeof(int64_t))
    if block is NULL:
        raise MemoryError()
    cdef int64_t *grouped = block
    cdef int64_t *cols = block + n_occ  # a head's columns of each row, sorted, then each row's distinct ones
    cdef int64_t *counts = block + 2 * n_occ  # the count of each distinct column
    cdef int64_t *start = block + 3 * n_occ  # row r's occurrences are grouped[start[r]:start[r + 1]]
    cdef int64_t *stop = start + n + 1  # row r's distinct columns are cols[start[r]:stop[r]]
    cdef int64_t *scratch = NULL  # the sort's room: the longest row's length (review14c: not one per occurrence)
    cdef float *values = <float *> PyMem_Malloc((n_occ + 1) * sizeof(float))
    cdef double *sums = NULL  # a head's scores of the row being summed
    try:
        if values is NULL:
            raise MemoryError()
        longest = _group_by_row(rows, ids, n, grouped, start, stop)
        scratch = <int64_t *> PyMem_Malloc((longest + 1) * sizeof(int64_t))
        if scratch is NULL:
            raise MemoryError()
        for head in heads:
            column_array, idf, coef = head
            by_column = column_array is None
            if not by_column:
                columns = column_array
            n_words, n_coef = idf.shape[0], coef.shape[0]
            n_ids = n_words if by_column else columns.shape[0]
            if coef.shape[1] != n_words:
                raise ValueError(f"tfidf_scores: coefficients of width {coef.shape[1]} for {n_words} terms")
            out_array = np.zeros((n, n_coef), dtype=np.float64)
            results.append(out_array)
            out = out_array
            largest = 0
            with nogil:
                # each row's columns sorted, then its distinct columns and their counts (np.unique of row * width +
                # column: by row, then column)
                for r in range(n):
                    a, e = start[r], start[r + 1]
                    q = a
                    for i in range(a, e):
                        if grouped[i] >= n_ids:
                            bad = True
                            break
                        c = grouped[i] if by_column else columns[grouped[i]]
                        if c >= n_words:
                            bad = True
                            break
                        if c >= 0:
                            cols[q] = c
                            q += 1
                    if bad:
                        break
                    e = q
                    _sort_int64(&cols[a], e - a, scratch)
                    q = a
                    i = a
                    while i < e:
                        b = i + 1
                        while b < e and cols[b] == cols[i]:
                            b += 1
                        cols[q] = cols[i]
                        counts[q] = b - i
                        if b - i > largest:
                            largest = b - i
                        q += 1
                        i = b
                    stop[r] = q
            if bad:
                raise ValueError(f"tfidf_scores: an id outside [0, {n_ids}) or a column outside [-inf, {n_words})")
            if largest == 0:
                continue
            PyMem_Free(sums)
            sums = <double *> PyMem_Malloc((n_coef + 1) * sizeof(double))
            if sums is NULL:
                raise MemoryError()
            tf = tf_table(largest)
            if tf.shape[0] <= largest:
                raise ValueError(f"tfidf_scores: the tf table holds {tf.shape[0]} values, {largest + 1} needed")
            with nogil:
                for r in range(n):
                    a, q = start[r], stop[r]
                    if q == a:
                        continue
                    norm2 = 0.0
                    for i in range(a, q):
                        value = <float> (<double> tf[counts[i]] * idf[cols[i]])
                        values[i] = value
                        norm2 = norm2 + <double> value * <double> value
                    norm = <float> _c_sqrt(norm2)
                    for i in range(a, q):
                        values[i] = values[i] / norm
                    # the classes' sums side by side (each still in column order): independent chains of additions
                    # instead of one class after another (session 14)
                    for b in range(n_coef):
                        sums[b] = 0.0
                    for i in range(a, q):
                        c = cols[i]
                        acc = <double> values[i]
                        for b in range(n_coef):
                            sums[b] = sums[b] + acc * coef[b, c]
                    for b in range(n_coef):
                        out[r, b] = sums[b]
    finally:
        PyMem_Free(block)
        PyMem_Free(values)
        PyMem_Free(sums)
        PyMem_Free(scratch)
    return results


# PhraseTrie, phrase_bits <- scorer.model.cues.phrase_groups (the phrase regex's groups in a lower-cased sentence, as
# cues._first_alternatives finds them with the Aho-Corasick automaton; here a trie walked from each start)

cdef enum:
    # bits of the phrase groups (cues._PHRASE_GROUPS order)
    PHRASE_DENIAL = 1
    PHRASE_ANON = 2
    PHRASE_REPORT = 4
    PHRASE_OUTLET = 8
    PHRASE_HEDGE = 16


cdef class PhraseTrie:
    """The phrase regex's literal alternatives as a trie (built by `cues._phrase_trie`): node k's edges are
    (chars[j], children[j]) for j in edges[k]:edges[k + 1], by char; the literal ending at node k has the
    alternatives alternatives[k]:alternatives[k + 1] in regex order, each (order, bounded by \\b, group bit)."""
    cdef int64_t[::1] edges, chars, children, alternatives, order, bounded, group
    cdef int64_t root[128]  # the root's child for each ASCII character, -1 for none
    cdef bint started  # __init__ runs once: a second call would swap the arrays under PhraseMachine's tables

    def __init__(self, edges, chars, children, alternatives, order, bounded, group):
        import numpy as np

        if self.started:
            raise TypeError("PhraseTrie: already built")
        self.started = True
        arrays = [np.ascontiguousarray(a, dtype=np.int64) for a in (edges, chars, children, alternatives, order,
                                                                     bounded, group)]
        self.edges, self.chars, self.children, self.alternatives, self.order, self.bounded, self.group = arrays
        cdef Py_ssize_t n_nodes = self.edges.shape[0] - 1, k, j
        # checked here, so that the walk reads no index out of bounds
        if n_nodes < 1 or self.alternatives.shape[0] != n_nodes + 1 or self.chars.shape[0] != self.children.shape[0] \
                or self.order.shape[0] != self.bounded.shape[0] or self.order.shape[0] != self.group.shape[0]:
            raise ValueError("PhraseTrie: the arrays do not fit")
        for k in range(n_nodes):
            if not (0 <= self.edges[k] <= self.edges[k + 1] <= self.chars.shape[0]
                    and 0 <= self.alternatives[k] <= self.alternatives[k + 1] <= self.order.shape[0]):
                raise ValueError("PhraseTrie: node ranges out of bounds")
            for j in range(self.edges[k], self.edges[k + 1]):
                if not 0 < self.children[j] < n_nodes:
                    raise ValueError("PhraseTrie: a child out of bounds")
                if j > self.edges[k] and self.chars[j] <= self.chars[j - 1]:
                    raise ValueError("PhraseTrie: edges not sorted by char")
                if not 0 <= self.chars[j] <= 0x10FFFF:  # (the root's table is indexed by its chars below 128)
                    raise ValueError("PhraseTrie: a char outside the code points")
        if self.edges[0] != 0 or self.edges[n_nodes] != self.chars.shape[0]:
            raise ValueError("PhraseTrie: edges do not cover the chars")
        for k in range(128):
            self.root[k] = -1
        for j in range(self.edges[0], self.edges[1]):
            if self.chars[j] < 128:
                self.root[self.chars[j]] = self.children[j]

    cdef inline int64_t child(self, int64_t node, Py_UCS4 ch) noexcept nogil:
        cdef Py_ssize_t j
        if node == 0 and ch < 128:
            return self.root[ch]
        for j in range(self.edges[node], self.edges[node + 1]):
            if self.chars[j] == ch:
                return self.children[j]
            if self.chars[j] > ch:
                break
        return -1

    cdef long bits(self, str low) except -1:
        """The group bits of the phrase regex's matches in `low` (finditer: at each start the alternative that comes
        first in the regex among those that match there with their \\b conditions, then on from its end)."""
        cdef Text t = _text(low)
        cdef Py_ssize_t n = t.n, p = 0, q, j, best_end
        cdef int64_t node, best_order
        cdef long found = 0, best_group
        cdef bint before
        while p < n:
            node = 0
            best_order = -1
            best_end = 0
            best_group = 0
            before = p > 0 and _word(_at(t, p - 1))
            q = p
            while q < n:
                node = self.child(node, _at(t, q))
                if node < 0:
                    break
                q += 1
                for j in range(self.alternatives[node], self.alternatives[node + 1]):
                    if self.bounded[j] and (before or (q < n and _word(_at(t, q)))):
                        continue
                    if best_order < 0 or self.order[j] < best_order:
                        best_order, best_end, best_group = self.order[j], q, self.group[j]
                    break
            if best_order >= 0:
                found |= best_group
                p = best_end
            else:
                p += 1
        return found


def phrase_bits(PhraseTrie trie not None, str low not None):
    """`cues.phrase_groups(low)` as bits (PHRASE_DENIAL, ANON, REPORT, OUTLET, HEDGE = 1, 2, 4, 8, 16)."""
    return trie.bits(low)


# WordBits <- the dicts word -> bits cue_rows reads (cues._LOWER_BITS, cues._CASE_BITS): looked up without making a
# str of each word (cue_rows, changed in place, takes either)

cdef class WordBits:
    """A read-only table word -> bits (a dict of str -> int, copied): open addressing over the words' code points,
    looked up from a buffer of code points without a Python object."""
    cdef Py_UCS4 *chars
    cdef Py_ssize_t *offsets  # word k is chars[offsets[k]:offsets[k + 1]]
    cdef long *bits
    cdef Py_ssize_t *slots  # word index + 1, 0 for an empty slot
    cdef Py_ssize_t mask

    def __cinit__(self, dict table not None):
        cdef Py_ssize_t n = len(table), total = 0, k = 0, j, pos = 0, size = 16, at
        cdef uint64_t h
        words = list(table)
        for word in words:
            if type(word) is not str:
                raise TypeError("WordBits: the words must be str")
            total += len(<str> word)
        while size < 4 * n:
            size *= 2
        self.mask = size - 1
        self.chars = <Py_UCS4 *> PyMem_Malloc((total + 1) * sizeof(Py_UCS4))
        self.offsets = <Py_ssize_t *> PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        self.bits = <long *> PyMem_Malloc((n + 1) * sizeof(long))
        self.slots = <Py_ssize_t *> PyMem_Malloc(size * sizeof(Py_ssize_t))
        if self.chars == NULL or self.offsets == NULL or self.bits == NULL or self.slots == NULL:
            raise MemoryError()
        for j in range(size):
            self.slots[j] = 0
        for k in range(n):
            word = words[k]
            self.bits[k] = table[word]
            self.offsets[k] = pos
            for j in range(len(word)):
                self.chars[pos] = ord(word[j])
                pos += 1
            h = _fnv(&self.chars[self.offsets[k]], pos - self.offsets[k])
            at = h & self.mask
            while self.slots[at]:
                at = (at + 1) & self.mask
            self.slots[at] = k + 1
        self.offsets[n] = pos

    def __dealloc__(self):
        PyMem_Free(self.chars)
        PyMem_Free(self.offsets)
        PyMem_Free(self.bits)
        PyMem_Free(self.slots)

    cdef long get(self, const Py_UCS4 *word, Py_ssize_t n) noexcept nogil:
        """The bits of the word word[:n], 0 if it is not in the table."""
        cdef Py_ssize_t at = _fnv(word, n) & self.mask, k, a, j
        while self.slots[at]:
            k = self.slots[at] - 1
            a = self.offsets[k]
            if self.offsets[k + 1] - a == n:
                j = 0
                while j < n and self.chars[a + j] == word[j]:
                    j += 1
                if j == n:
                    return self.bits[k]
            at = (at + 1) & self.mask
        return 0

    def __getitem__(self, str word):
        """The bits of `word` (0 if it is not in the table), for the tests."""
        cdef Py_ssize_t n = len(word), j
        cdef Py_UCS4 *buf = <Py_UCS4 *> PyMem_Malloc((n + 1) * sizeof(Py_UCS4))
        if buf == NULL:
            raise MemoryError()
        try:
            for j in range(n):
                buf[j] = word[j]
            return self.get(buf, n)
        finally:
            PyMem_Free(buf)


cdef inline uint64_t _fnv(const Py_UCS4 *word, Py_ssize_t n) noexcept nogil:
    """FNV-1a over the code points, then mixed (the table's slot is its low bits)."""
    cdef uint64_t h = 14695981039346656037ULL
    cdef Py_ssize_t j
    for j in range(n):
        h = (h ^ <uint64_t> word[j]) * <uint64_t> 1099511628211ULL
    return h ^ (h >> 29)


# CodeCache <- the dict word -> code of scorer.model.heads.NgramCoder (`cache`), which word_codes (changed in place to
# take either) reads without making a str of each token

from cpython.mem cimport PyMem_Realloc
import os as _os

# The CodeCache's hash is keyed with a random key drawn when the module loads, as Python's str hash is (SipHash):
# its words come from untrusted article text and it lives as long as the process, and with a fixed, public hash
# words built offline to share it piled up into one probe chain (quadratic filling and lookups,
# tests/test_review_session13c.py). SipHash-1-3 over the code points, two to a 64-bit block.
cdef uint64_t _SIP_K0 = int.from_bytes(_os.urandom(8), "little")
cdef uint64_t _SIP_K1 = int.from_bytes(_os.urandom(8), "little")


cdef struct _Sip:
    uint64_t v0, v1, v2, v3


cdef inline uint64_t _rotl(uint64_t x, int b) noexcept nogil:
    return (x << b) | (x >> (64 - b))


cdef inline void _sip_round(_Sip *s) noexcept nogil:
    s.v0 += s.v1
    s.v1 = _rotl(s.v1, 13) ^ s.v0
    s.v0 = _rotl(s.v0, 32)
    s.v2 += s.v3
    s.v3 = _rotl(s.v3, 16) ^ s.v2
    s.v0 += s.v3
    s.v3 = _rotl(s.v3, 21) ^ s.v0
    s.v2 += s.v1
    s.v1 = _rotl(s.v1, 17) ^ s.v2
    s.v2 = _rotl(s.v2, 32)


cdef inline uint64_t _word_hash(Text t, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """The keyed hash of the code points t[a:b]."""
    cdef _Sip s
    cdef uint64_t m
    cdef Py_ssize_t j = a
    s.v0 = _SIP_K0 ^ 0x736f6d6570736575ULL
    s.v1 = _SIP_K1 ^ 0x646f72616e646f6dULL
    s.v2 = _SIP_K0 ^ 0x6c7967656e657261ULL
    s.v3 = _SIP_K1 ^ 0x7465646279746573ULL
    while j + 1 < b:
        m = <uint64_t> _at(t, j) | (<uint64_t> _at(t, j + 1) << 32)
        s.v3 ^= m
        _sip_round(&s)
        s.v0 ^= m
        j += 2
    # the last block: the odd code point (0x200000, no code point, when there is none) and the length
    m = (<uint64_t> _at(t, j) if j < b else <uint64_t> 0x200000) | (<uint64_t> (b - a) << 32)
    s.v3 ^= m
    _sip_round(&s)
    s.v0 ^= m
    s.v2 ^= 0xFF
    _sip_round(&s)
    _sip_round(&s)
    _sip_round(&s)
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3


cdef struct _CodeSlot:
    # a word held by a CodeCache: its code, where its code points start in `chars` and its length + 1 (0: an empty
    # slot), in the slot itself (session 15: a token found reads its slot and its characters, not also an index, an
    # offset and a code each in an array of its own)
    int64_t code
    uint32_t start
    uint32_t size


cdef class CodeCache:
    """A growing table word -> int64 code with the dict methods NgramCoder uses (get, [], update, clear, len, items):
    open addressing over the words' code points (a keyed hash, `_word_hash`), so that `word_codes` looks a token up
    where it lies in its text."""
    cdef Py_UCS4 *chars
    cdef Py_ssize_t n_chars, chars_room
    cdef Py_ssize_t n  # words held
    cdef _CodeSlot *slots
    cdef Py_ssize_t mask

    def __cinit__(self):
        self.chars_room = 1024
        self.chars = <Py_UCS4 *> PyMem_Malloc(self.chars_room * sizeof(Py_UCS4))
        self.slots = <_CodeSlot *> PyMem_Malloc(256 * sizeof(_CodeSlot))
        if self.chars == NULL or self.slots == NULL:
            raise MemoryError()
        self.mask = 255
        self.clear()

    def __dealloc__(self):
        PyMem_Free(self.chars)
        PyMem_Free(self.slots)

    def clear(self):
        """Holds no word (the memory kept for the next ones)."""
        cdef Py_ssize_t j
        self.n = self.n_chars = 0
        for j in range(self.mask + 1):
            self.slots[j].size = 0

    def __len__(self):
        return self.n

    cdef inline Py_ssize_t _slot(self, Text t, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
        """The slot of the word t[a:b]: the slot holding it, else the empty slot where it would go."""
        return self._slot_hashed(t, a, b, _word_hash(t, a, b))

    cdef inline Py_ssize_t _slot_hashed(self, Text t, Py_ssize_t a, Py_ssize_t b, uint64_t hash) noexcept nogil:
        """`_slot` of a word whose `_word_hash` is `hash`."""
        cdef Py_ssize_t j, at = hash & self.mask, s
        cdef _CodeSlot *slot = &self.slots[at]
        while slot.size:
            if slot.size - 1 == b - a:
                s = slot.start
                j = 0
                while j < b - a and self.chars[s + j] == _at(t, a + j):
                    j += 1
                if j == b - a:
                    return at
            at = (at + 1) & self.mask
            slot = &self.slots[at]
        return at

    cdef inline int64_t find(self, Text t, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
        """The code of the word t[a:b], -2 if it is not held."""
        cdef Py_ssize_t at = self._slot(t, a, b)
        return self.slots[at].code if self.slots[at].size else -2

    cdef inline int64_t find_hashed(self, Text t, Py_ssize_t a, Py_ssize_t b, uint64_t hash) noexcept nogil:
        """`find` of a word whose `_word_hash` is `hash`."""
        cdef Py_ssize_t at = self._slot_hashed(t, a, b, hash)
        return self.slots[at].code if self.slots[at].size else -2

    cdef inline void prefetch(self, uint64_t hash) noexcept nogil:
        """Ask for the slot where a word of this hash is looked up first (`word_codes`: before the lookups)."""
        _ngram_prefetch(&self.slots[hash & self.mask])

    cdef int _grow(self, Py_ssize_t more_chars) except -1:
        """Room for one more word of `more_chars` characters, and slots at most half full."""
        cdef Py_ssize_t j, at, old_size
        cdef _CodeSlot *old_slots
        cdef void *p
        if self.n_chars + more_chars >= <Py_ssize_t> 0xFFFFFFFF:  # (a slot's start and size are 32-bit)
            raise MemoryError("CodeCache: more than 2 ** 32 - 1 characters")
        if self.n_chars + more_chars > self.chars_room:
            while self.n_chars + more_chars > self.chars_room:
                self.chars_room *= 2
            p = PyMem_Realloc(self.chars, self.chars_room * sizeof(Py_UCS4))
            if p == NULL:
                raise MemoryError()
            self.chars = <Py_UCS4 *> p
        if 2 * (self.n + 1) > self.mask + 1:
            old_slots, old_size = self.slots, self.mask + 1
            self.slots = <_CodeSlot *> PyMem_Malloc(2 * old_size * sizeof(_CodeSlot))
            if self.slots == NULL:
                self.slots = old_slots
                raise MemoryError()
            self.mask = 2 * old_size - 1
            for j in range(self.mask + 1):
                self.slots[j].size = 0
            for j in range(old_size):  # every word again, in its slot of the larger table
                if old_slots[j].size:
                    at = self._slot_of(old_slots[j].start, old_slots[j].start + old_slots[j].size - 1)
                    self.slots[at] = old_slots[j]
            PyMem_Free(old_slots)
        return 0

    cdef Py_ssize_t _slot_of(self, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
        """The empty slot for the held word chars[a:b] (when the slots are rebuilt)."""
        cdef Text held
        held.kind, held.data, held.n = PyUnicode_4BYTE_KIND, self.chars, self.n_chars
        cdef Py_ssize_t at = _word_hash(held, a, b) & self.mask
        while self.slots[at].size:
            at = (at + 1) & self.mask
        return at

    cpdef set(self, str word, int64_t code):
        """cache[word] = code."""
        cdef Text t = _text(word)
        cdef Py_ssize_t at = self._slot(t, 0, t.n), j
        if self.slots[at].size:
            self.slots[at].code = code
            return
        self._grow(t.n)
        at = self._slot(t, 0, t.n)  # (the slots may have been rebuilt)
        for j in range(t.n):
            self.chars[self.n_chars + j] = _at(t, j)
        self.slots[at].code = code
        self.slots[at].start = <uint32_t> self.n_chars
        self.slots[at].size = <uint32_t> (t.n + 1)
        self.n_chars += t.n
        self.n += 1

    def codes_of(self, list words not None):
        """The codes of the words (str) as an int64 array, -2 for a word not held (`NgramCoder._codes`'s first
        step)."""
        import numpy as np

        cdef Py_ssize_t k, n = len(words)
        cdef Text t
        out_array = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] out = out_array
        for k in range(n):
            word = words[k]
            if type(word) is not str:
                raise TypeError("CodeCache.codes_of: a word is not a str")
            t = _text(<str> word)
            out[k] = self.find(t, 0, t.n)
        return out_array

    def update(self, pairs):
        """cache[word] = code for each (word, code)."""
        for word, code in pairs:
            self.set(word, code)

    def get(self, str word, default=None):
        cdef Text t = _text(word)
        cdef Py_ssize_t at = self._slot(t, 0, t.n)
        return self.slots[at].code if self.slots[at].size else default

    def __getitem__(self, str word):
        cdef Text t = _text(word)
        cdef Py_ssize_t at = self._slot(t, 0, t.n)
        if not self.slots[at].size:
            raise KeyError(word)
        return self.slots[at].code

    def __contains__(self, str word):
        cdef Text t = _text(word)
        return self.slots[self._slot(t, 0, t.n)].size != 0

    def items(self):
        """[(word, code)] in the order the words came (their characters' order in `chars`)."""
        cdef Py_ssize_t j
        held = sorted([(self.slots[j].start, self.slots[j].size, self.slots[j].code)
                       for j in range(self.mask + 1) if self.slots[j].size])
        return [(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, &self.chars[start], size - 1), code)
                for start, size, code in held]

    def __reduce__(self):
        """Pickled as its (word, code) pairs (a model that has scored can be pickled, as with a dict)."""
        return _code_cache, (self.items(),)

    def __eq__(self, other):
        if isinstance(other, (CodeCache, dict)):
            return dict(self.items()) == (dict(other.items()) if isinstance(other, CodeCache) else other)
        return NotImplemented


def _code_cache(list pairs):
    """A CodeCache holding the (word, code) pairs (CodeCache.__reduce__)."""
    cache = CodeCache()
    cache.update(pairs)
    return cache


# vocab_find <- scorer.text.vocab.Vocabulary._find (the ids of byte strings: hash, search among the terms' sorted
# hashes, compare the bytes)

def vocab_find(const unsigned char[::1] blob, const int64_t[::1] starts, const int32_t[::1] lengths,
               const uint64_t[::1] hashes, rows, values, uint64_t base, const unsigned char[::1] data,
               const int64_t[::1] data_lengths, bint terms_checked=False):
    """`Vocabulary._find(data, data_lengths)`: the id of each byte string laid end to end in `data` (`data_lengths`
    bytes each), -1 where it is not a term: its hash (`vocab._hash`: Horner's rule in `base` over bytes + 1, the
    length folded in, `vocab._mix`'s finaliser), its place among the terms' sorted `hashes` (`rows[k]`: the term of
    hashes[k]), then the term's bytes (blob[starts[row]:starts[row] + lengths[row]]) compared; the id is the row,
    or values[row] when values is not None. `terms_checked`: the caller has checked the terms' ranges and the rows
    (as below) for these very arrays, which are not checked again."""
    import numpy as np

    cdef Py_ssize_t n = data_lengths.shape[0], n_terms = starts.shape[0], n_hashes = hashes.shape[0], i, k, lo, hi
    cdef Py_ssize_t mid, pos = 0, a, size
    cdef uint64_t h
    cdef int64_t row
    cdef bint equal
    cdef const int64_t[::1] row_of
    cdef const int32_t[::1] row_of32
    cdef const int64_t[::1] value_of
    cdef bint wide = np.asarray(rows).dtype == np.int64, mapped = values is not None
    if wide:
        row_of = rows
        row_of32 = np.zeros(0, dtype=np.int32)
    else:
        row_of32 = rows
        row_of = np.zeros(0, dtype=np.int64)
    value_of = values if mapped else np.zeros(0, dtype=np.int64)
    # checked before the unchecked loop: every range within its array, every row a term
    if lengths.shape[0] != n_terms or (wide and row_of.shape[0] != n_hashes) or (not wide and row_of32.shape[0]
                                                                                 != n_hashes):
        raise ValueError("vocab_find: starts, lengths, hashes and rows do not fit")
    if mapped and value_of.shape[0] != n_terms:
        raise ValueError("vocab_find: values do not fit the terms")
    for k in range(0 if terms_checked else n_terms):
        if starts[k] < 0 or lengths[k] < 0 or starts[k] > blob.shape[0] - lengths[k]:  # (no sum to overflow)
            raise ValueError("vocab_find: a term outside the blob")
    for k in range(0 if terms_checked else n_hashes):
        row = row_of[k] if wide else row_of32[k]
        if row < 0 or row >= n_terms:
            raise ValueError("vocab_find: a row outside the terms")
    for i in range(n):
        if data_lengths[i] < 0:
            raise ValueError("vocab_find: a negative length")
        if data_lengths[i] > data.shape[0] - pos:  # (checked as they add up: a sum of huge lengths could wrap)
            raise ValueError("vocab_find: lengths beyond the data")
        pos += data_lengths[i]
    out_array = np.full(n, -1, dtype=np.int64)
    cdef int64_t[::1] out = out_array
    pos = 0
    with nogil:
        for i in range(n):
            size = data_lengths[i]
            h = 0
            for k in range(pos, pos + size):
                h = h * base + (<uint64_t> data[k] + 1)
            h = h + <uint64_t> size * <uint64_t> 0x2545F4914F6CDD1DULL
            h = h ^ (h >> 30)
            h = h * <uint64_t> 0xBF58476D1CE4E5B9ULL
            h = h ^ (h >> 27)
            h = h * <uint64_t> 0x94D049BB133111EBULL
            h = h ^ (h >> 31)
            lo, hi = 0, n_hashes
            while lo < hi:
                mid = (lo + hi) >> 1
                if hashes[mid] < h:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < n_hashes and hashes[lo] == h:
                row = row_of[lo] if wide else row_of32[lo]
                if lengths[row] == size:
                    a = starts[row]
                    equal = True
                    for k in range(size):
                        if blob[a + k] != data[pos + k]:
                            equal = False
                            break
                    if equal:
                        out[i] = value_of[row] if mapped else row
            pos += size
    return out_array


# quote_states <- scorer.model.cues.quote_states (the quote-state block of the heads: opens_quote and closes_open_quote
# of scorer.text.quotes in one pass over each text)

cdef inline int _quote_flags(str text) except -1:
    """Bit 1: `quotes.opens_quote(text)`; bit 2: `quotes.closes_open_quote(text)`; bit 4: text[:1] in '“"'."""
    cdef Text t = _text(text)
    cdef Py_ssize_t i, left = 0, right = 0, straight = 0, first_close = -1, first_open = -1
    cdef Py_UCS4 ch
    cdef int flags = 0
    for i in range(t.n):
        ch = _at(t, i)
        if ch == LEFT_DQ:
            left += 1
            if first_open < 0:
                first_open = i
        elif ch == RIGHT_DQ or ch == 0x22:
            if ch == RIGHT_DQ:
                right += 1
            else:
                straight += 1
            if first_close < 0:
                first_close = i
    if left > right or straight % 2 == 1:
        flags |= 1
    if first_close >= 0 and (first_open < 0 or first_close < first_open) and not (t.n and _at(t, 0) == 0x22):
        flags |= 2
    if t.n == 0 or _at(t, 0) == LEFT_DQ or _at(t, 0) == 0x22:
        flags |= 4
    return flags


def quote_states(list prev not None, list texts not None, list nxt not None, double[:, ::1] out):
    """`cues.quote_states(prev, texts, nxt)` into `out` (len(texts), 4), rows (prev[i], texts[i], nxt[i]): a quote
    left open before the sentence, closed in it, opened in it and left open, closed in the next. False (out
    untouched past the rows done) when a value is not a str: the caller takes the twin."""
    cdef Py_ssize_t n = len(texts), i
    cdef int before, here, after
    if len(prev) != n or len(nxt) != n or out.shape[0] != n or out.shape[1] != 4:
        raise ValueError(f"quote_states: {len(prev)}, {n} and {len(nxt)} texts for out ({out.shape[0]}, "
                         f"{out.shape[1]})")
    for i in range(n):
        if type(prev[i]) is not str or type(texts[i]) is not str or type(nxt[i]) is not str:
            return False
        before = _quote_flags(<str> prev[i])
        here = _quote_flags(<str> texts[i])
        after = _quote_flags(<str> nxt[i])
        out[i, 0] = (before & 1) != 0
        out[i, 1] = (before & 1) != 0 and (here & 2) != 0
        out[i, 2] = (here & 4) != 0 and (here & 1) != 0
        out[i, 3] = (here & 1) != 0 and (after & 2) != 0
    return True


# ---- headk (session 15) ----
#   tfidf_packed <- scorer.model.heads.CompiledHead.word_scores_python and scorer.model.claims.TfidfBlock.scores_python
#                   (as tfidf_scores, with each head's idf and coefficients of a column side by side in one row of a
#                   packed table, and the heads' columns of a union id side by side: one or two cache lines an
#                   occurrence instead of one per class, the idf and the columns of each head; and with an `order`
#                   in which every head's columns ascend, one sort of a row's ids for all the heads)
#   changed in place (session 15, headk): word_codes (its `lower` argument, `_fold_into`; a text's tokens hashed and
#   their slots prefetched before the lookups), CodeCache (code, start and length in the slot; find_hashed, prefetch),
#   ngram_rows (keys and buckets first, prefetched, then searched: `_ngram_rows_loop`), tfidf_scores (strided idf and
#   coefficients accepted)

cdef extern from *:
    void _prefetch "__builtin_prefetch" (const void *address) noexcept nogil


cdef struct _PackedHead:
    const int32_t *cols  # union id -> the head's column (NULL: the ids are the columns)
    Py_ssize_t col_step  # int32 values between two ids' columns
    Py_ssize_t n_ids
    const double *table  # the head's row c: idf[c], coef[0, c], ..., coef[n_coef - 1, c]
    Py_ssize_t width  # doubles per row of the table
    Py_ssize_t n_words
    Py_ssize_t n_coef
    double *out  # (n, n_coef) scores


cdef Py_ssize_t _distinct_columns(const int64_t *grouped, Py_ssize_t a, Py_ssize_t e, _PackedHead *p, int64_t *cols,
                                  int64_t *counts, int64_t *scratch, bint *bad) noexcept nogil:
    """A row's distinct columns of a head in ascending order, with their counts (np.unique of row * width + column),
    from its occurrences' ids grouped[a:e]: their number; `bad` set for an id or a column beyond the head's arrays."""
    cdef Py_ssize_t q = 0, d = 0, i, b
    cdef int64_t g, c
    for i in range(a, e):
        g = grouped[i]
        if g >= p.n_ids:
            bad[0] = True
            return 0
        c = g if p.cols is NULL else p.cols[g * p.col_step]
        if c >= p.n_words:
            bad[0] = True
            return 0
        if c >= 0:
            cols[q] = c
            q += 1
    for i in range(q):  # (the table rows on their way while the columns are sorted)
        _prefetch(p.table + cols[i] * p.width)
    _sort_int64(cols, q, scratch)
    i = 0
    while i < q:
        b = i + 1
        while b < q and cols[b] == cols[i]:
            b += 1
        cols[d] = cols[i]
        counts[d] = b - i
        d += 1
        i = b
    return d


def tfidf_packed(const int64_t[::1] rows, const int64_t[::1] ids, list heads, Py_ssize_t n, object tf_table,
                 order=None):
    """`tfidf_scores` with each head given as (columns, table, n_coef): `columns` union id -> the head's column (-1 if
    not in it; an int32 vector, strided when the heads' columns are packed side by side) or None (the ids are the
    columns), `table` (n_words, width >= n_coef + 1) float64 with idf[c] in table[c, 0] and coef[b, c] in
    table[c, 1 + b]. The same bits as `tfidf_scores` (and its twins): per row and head the distinct columns in
    ascending order and their counts, float32(tf[k] * idf[c]), the row's l2 norm summed in float64 in column order,
    the values divided in float32, each class's score the float64 sum in column order of value * coef. The rows are
    done one after the other, all the heads of a row together (a row's occurrences stay in cache). `order`: None, or
    an int32 vector (strided or not) giving each id a rank >= 0 such that every head's columns ascend with the ranks
    (`heads.column_order`): a row's ids are then sorted once, by rank, and each head's columns read in that order; a
    head whose columns do not ascend strictly in it on a row (a duplicate column, a wrong order) has that row's
    columns sorted as without it (the same result either way)."""
    import numpy as np

    cdef Py_ssize_t n_occ = rows.shape[0], n_heads = len(heads), i, r, a, e, q, d, b, h, longest = 0, most_coef = 0
    cdef int64_t c, g
    cdef double acc, norm2
    cdef float value, norm
    cdef bint bad = False
    cdef const int32_t[:] columns
    cdef const int32_t[:] order_view
    cdef const int32_t *ranks = NULL
    cdef Py_ssize_t rank_step = 0, n_ranked = 0, u
    cdef int64_t last, rank
    cdef bint ranked
    cdef int64_t *keys = NULL  # a row's (rank, id) keys, sorted, then its distinct ids
    cdef int64_t *key_counts = NULL
    cdef const double[:, ::1] table
    cdef double[:, ::1] out
    cdef const float[::1] tf
    cdef const double *row
    cdef _PackedHead *p
    _check_occurrences(rows, ids, n, "tfidf_packed")
    results, kept = [], []  # (kept: the memoryviews the pointers below read, alive until the end)
    if order is not None:  # (checked before `packed` is taken: a bad order raised and leaked it, review15h)
        order_view = order
        n_ranked = order_view.shape[0]
        if order_view.strides[0] % <Py_ssize_t> sizeof(int32_t) or n_ranked >= (<Py_ssize_t> 1 << 31):
            raise ValueError("tfidf_packed: an order not aligned on int32 values, or too long")
        rank_step = order_view.strides[0] // <Py_ssize_t> sizeof(int32_t)
        ranks = &order_view[0] if n_ranked else NULL
        kept.append(order_view)
    cdef _PackedHead *packed = <_PackedHead *> PyMem_Malloc((n_heads + 1) * sizeof(_PackedHead))
    if packed is NULL:
        raise MemoryError()
    cdef int64_t *block = NULL
    cdef int64_t *grouped
    cdef int64_t *start
    cdef int64_t *stop
    cdef int64_t *cols = NULL  # a row's columns of a head, sorted, then its distinct ones
    cdef int64_t *counts = NULL
    cdef int64_t *scratch = NULL
    cdef float *values = NULL
    cdef double *sums = NULL
    try:
        for h in range(n_heads):
            column_array, table_array, n_coef_object = heads[h]
            p = &packed[h]
            table = table_array
            p.n_coef = n_coef_object
            p.n_words = table.shape[0]
            p.width = table.shape[1]
            if p.n_coef < 0 or p.width < p.n_coef + 1:
                raise ValueError(f"tfidf_packed: a table of width {p.width} for {p.n_coef} classes and the idf")
            p.table = &table[0, 0] if p.n_words else NULL
            if column_array is None:
                p.cols, p.col_step, p.n_ids = NULL, 0, p.n_words
            else:
                columns = column_array
                p.n_ids = columns.shape[0]
                if columns.strides[0] % <Py_ssize_t> sizeof(int32_t):
                    raise ValueError("tfidf_packed: columns not aligned on int32 values")
                p.col_step = columns.strides[0] // <Py_ssize_t> sizeof(int32_t)
                p.cols = &columns[0] if p.n_ids else NULL
                kept.append(columns)
            kept.append(table)
            out_array = np.zeros((n, p.n_coef), dtype=np.float64)
            results.append(out_array)
            out = out_array
            p.out = &out[0, 0] if n and p.n_coef else NULL
            if p.n_coef > most_coef:
                most_coef = p.n_coef
        # the occurrences' ids grouped by row (a counting sort: rows in order, each row's in occurrence order)
        block = <int64_t *> PyMem_Malloc((n_occ + 2 * n + 2) * sizeof(int64_t))
        if block is NULL:
            raise MemoryError()
        grouped, start = block, block + n_occ
        stop = start + n + 1
        longest = _group_by_row(rows, ids, n, grouped, start, stop)
        if longest == 0 or n_heads == 0:
            return results
        # (work arrays of the longest row: not of every occurrence)
        cols = <int64_t *> PyMem_Malloc(5 * (longest + 1) * sizeof(int64_t))
        values = <float *> PyMem_Malloc((longest + 1) * sizeof(float))
        sums = <double *> PyMem_Malloc((most_coef + 1) * sizeof(double))
        if cols is NULL or values is NULL or sums is NULL:
            raise MemoryError()
        counts, scratch = cols + longest + 1, cols + 2 * (longest + 1)
        keys, key_counts = cols + 3 * (longest + 1), cols + 4 * (longest + 1)
        tf = tf_table(longest)  # (a count is at most its row's number of occurrences)
        if tf.shape[0] <= longest:
            raise ValueError(f"tfidf_packed: the tf table holds {tf.shape[0]} values, {longest + 1} needed")
        with nogil:
            for r in range(n):
                a, e = start[r], start[r + 1]
                if a == e:
                    continue
                u = 0  # the row's distinct ids in rank order, with their counts (when ranked)
                if ranks is not NULL:
                    if r + 1 < n:  # (the next row's ranks and columns on their way while this row is done)
                        for i in range(start[r + 1], start[r + 2]):
                            if grouped[i] < n_ranked:
                                _prefetch(&ranks[grouped[i] * rank_step])
                    for i in range(a, e):
                        g = grouped[i]
                        if g >= n_ranked:
                            bad = True
                            break
                        rank = ranks[g * rank_step]
                        if rank < 0:
                            bad = True
                            break
                        keys[i - a] = (rank << 32) | g
                    if bad:
                        break
                    _sort_int64(keys, e - a, scratch)
                    i = 0
                    while i < e - a:
                        b = i + 1
                        while b < e - a and keys[b] == keys[i]:
                            b += 1
                        keys[u] = keys[i] & <int64_t> 0xFFFFFFFF
                        key_counts[u] = b - i
                        u += 1
                        i = b
                    # every head's table rows of the row's terms asked for at once (their cache misses overlap)
                    for h in range(n_heads):
                        p = &packed[h]
                        for i in range(u):
                            g = keys[i]
                            if g < p.n_ids:
                                c = g if p.cols is NULL else p.cols[g * p.col_step]
                                if 0 <= c < p.n_words:
                                    _prefetch(p.table + c * p.width)
                for h in range(n_heads):
                    p = &packed[h]
                    ranked = ranks is not NULL
                    if ranked:
                        # the head's columns of the distinct ids in rank order: ascending, or this row is sorted below
                        d = 0
                        last = -1
                        for i in range(u):
                            g = keys[i]
                            if g >= p.n_ids:
                                bad = True
                                break
                            c = g if p.cols is NULL else p.cols[g * p.col_step]
                            if c >= p.n_words:
                                bad = True
                                break
                            if c < 0:
                                continue
                            if c <= last:
                                ranked = False
                                break
                            cols[d] = c
                            counts[d] = key_counts[i]
                            d += 1
                            last = c
                        if bad:
                            break
                        if d == 0 and ranked:
                            continue
                    if not ranked:
                        d = _distinct_columns(grouped, a, e, p, cols, counts, scratch, &bad)
                        if bad:
                            break
                        if d == 0:
                            continue
                    norm2 = 0.0
                    for i in range(d):
                        value = <float> (<double> tf[counts[i]] * p.table[cols[i] * p.width])
                        values[i] = value
                        norm2 = norm2 + <double> value * <double> value
                    norm = <float> _c_sqrt(norm2)
                    for i in range(d):
                        values[i] = values[i] / norm
                    # the classes' sums side by side, each in column order
                    for b in range(p.n_coef):
                        sums[b] = 0.0
                    for i in range(d):
                        row = p.table + cols[i] * p.width + 1
                        acc = <double> values[i]
                        for b in range(p.n_coef):
                            sums[b] = sums[b] + acc * row[b]
                    for b in range(p.n_coef):
                        p.out[r * p.n_coef + b] = sums[b]
                if bad:
                    break
        if bad:
            raise ValueError("tfidf_packed: an id outside a head's columns or a column outside its table")
    finally:
        PyMem_Free(packed)
        PyMem_Free(block)
        PyMem_Free(cols)
        PyMem_Free(values)
        PyMem_Free(sums)
    return results


# ---- span tagger ----

def tagger_emissions(const int64_t[::1] rows, const int64_t[::1] lengths, const double[:, :, ::1] table,
                     const double[::1] bias, const double[:, ::1] joint, const int64_t[:, ::1] codes):
    """`SpanTagger.emissions` from the words' rows of the word table: the state scores (n_tokens, n_tags) of the
    tokens of the sentences (`lengths` tokens each, in order), each the sum, in this order, of `bias`, the table's
    entry at offset k (of -3..+3, the table's second axis) of the word k places away (row 0 outside the sentence),
    and the rows `codes[i]` of `joint`: the additions the numpy twin makes, in its order, so the same sums. The
    caller checks the shapes and the indices."""
    import numpy as np

    cdef Py_ssize_t n_tok = rows.shape[0], n_tags = table.shape[2], width = table.shape[1], reach = width // 2
    cdef Py_ssize_t n_joint = codes.shape[1]
    out = np.empty((n_tok, n_tags), dtype=np.float64)
    cdef double[:, ::1] o = out
    cdef Py_ssize_t s, pos = 0, length, i, j, k, g, near
    cdef int64_t r
    cdef double *acc
    cdef const double *add
    with nogil:
        for s in range(lengths.shape[0]):
            length = lengths[s]
            for i in range(length):
                acc = &o[pos + i, 0]  # the token's scores, each added to in the twin's order
                for j in range(n_tags):
                    acc[j] = bias[j]
                for k in range(width):
                    near = i + k - reach
                    r = rows[pos + near] if 0 <= near < length else 0
                    add = &table[r, k, 0]
                    for j in range(n_tags):
                        acc[j] = acc[j] + add[j]
                for g in range(n_joint):
                    add = &joint[codes[pos + i, g], 0]
                    for j in range(n_tags):
                        acc[j] = acc[j] + add[j]
            pos += length
    return out


cdef inline bint _alnum(Py_UCS4 ch) noexcept nogil:
    """The regex engine's [^\\W_] for str patterns: \\w without the underscore (str.isalnum)."""
    return _word(ch) and ch != 0x5F


cdef inline bint _joiner(Py_UCS4 ch) noexcept nogil:
    return ch == 0x27 or ch == RIGHT_SQ or ch == 0x26 or ch == 0x2D  # ' ’ & -


cdef inline Py_ssize_t _token_end(Text t, Py_ssize_t i) noexcept nogil:
    """The end of the tagger's token (`TOKEN`) that starts at i, a character that is not a space: a run of letters and
    digits with its joined parts (don't, 30-year-old) and trailing initials (U.S.), or the one character."""
    cdef Py_ssize_t j = i + 1, k
    if _alnum(_at(t, i)):
        while j < t.n and _alnum(_at(t, j)):
            j += 1
        while j + 1 < t.n and _joiner(_at(t, j)) and _alnum(_at(t, j + 1)):
            j += 2
            while j < t.n and _alnum(_at(t, j)):
                j += 1
        if j < t.n and _at(t, j) == 0x2E:  # .
            k = j + 1
            while k + 1 < t.n and _ascii_letter(_at(t, k)) and _at(t, k + 1) == 0x2E:
                k += 2
            if k > j + 1:
                j = k
    return j


def tagger_tokens(list texts, list bases):
    """`scorer.attribution.tagger._tokenise`: (words, article starts, tokens per text) of the texts, the tokens
    TOKEN.finditer finds, `[^\\W_]+(?:['’&-][^\\W_]+)*(?:\\.(?:[A-Za-z]\\.)+)?|\\S`, matched by hand (every choice
    greedy; each repetition taken only when it completes, as the regex engine's backtracking leaves it)."""
    import numpy as np

    cdef Py_ssize_t n_texts = len(texts), s, i, j, k, count, n_tok = 0
    cdef Text t
    cdef str text
    cdef Py_UCS4 ch
    cdef int64_t base
    words = []
    lengths = np.zeros(n_texts, dtype=np.int64)
    cdef int64_t[::1] counts = lengths
    cdef Py_ssize_t total = 0
    for s in range(n_texts):
        total += len(<str> texts[s])  # at most a token per character
    starts = np.empty(total, dtype=np.int64)
    cdef int64_t[::1] at = starts
    for s in range(n_texts):
        text = texts[s]
        base = bases[s]
        t = _text(text)
        count = 0
        i = 0
        while i < t.n:
            ch = _at(t, i)
            if Py_UNICODE_ISSPACE(ch):
                i += 1
                continue
            j = _token_end(t, i)
            words.append(text[i:j])
            at[n_tok + count] = base + i
            count += 1
            i = j
        counts[s] = count
        n_tok += count
    return words, starts[:n_tok].copy(), lengths


cdef void _sentence_codes(const int64_t *props, const int64_t *state, Py_ssize_t length, int64_t[:, ::1] c,
                          Py_ssize_t pos, const int64_t[::1] pos_bucket, const int64_t[::1] rpos_bucket,
                          const int64_t[::1] dist_bucket) noexcept nogil:
    """The ten token codes of one sentence's tokens (`props[i]`, `state[i]` for i < length) into the columns pos ..
    pos + length of `c`, which hold zeros (`tagger_codes`)."""
    cdef Py_ssize_t n_pos = pos_bucket.shape[0], n_rpos = rpos_bucket.shape[0], n_dist = dist_bucket.shape[0]
    cdef Py_ssize_t i, j, run_start = 0, last_cue = -1
    cdef int64_t p, commas = 0, marks = 0, total_commas = 0, total_marks = 0
    for i in range(length):
        p = props[i]
        total_commas += (p >> 3) & 1
        total_marks += (p & 7) != 0
    for i in range(length):
        p = props[i]
        c[0, pos + i] = state[i]
        if (p & 1) or ((p & 4) and not state[i]):
            c[1, pos + i] = 1
        elif (p & 2) or ((p & 4) and state[i]):
            c[1, pos + i] = 2
        # quote marks and commas before (so far) and after (the rest but this one) the token
        c[2, pos + i] = (total_marks - marks - ((p & 7) != 0) > 0) + 2 * (marks > 0)
        c[3, pos + i] = commas if commas < 2 else 2
        j = total_commas - commas - ((p >> 3) & 1)
        c[4, pos + i] = j if j < 2 else 2
        commas += (p >> 3) & 1
        marks += (p & 7) != 0
        c[6, pos + i] = pos_bucket[i if i < n_pos - 1 else n_pos - 1]
        j = length - 1 - i
        c[7, pos + i] = rpos_bucket[j if j < n_rpos - 1 else n_rpos - 1]
        if last_cue >= 0:
            j = i - last_cue
            c[8, pos + i] = dist_bucket[j if j < n_dist - 1 else n_dist - 1]
        if p & 32:
            last_cue = i
        # a run of capitalised words ends here: its length (at most 3) for each of its tokens
        if p & 16:
            if i == 0 or not (props[i - 1] & 16):
                run_start = i
            if i == length - 1 or not (props[i + 1] & 16):
                for j in range(run_start, i + 1):
                    c[5, pos + j] = i + 1 - run_start if i + 1 - run_start < 3 else 3
    last_cue = -1
    i = length - 1
    while i >= 0:
        if last_cue >= 0:
            j = last_cue - i
            c[9, pos + i] = dist_bucket[j if j < n_dist - 1 else n_dist - 1]
        if props[i] & 32:
            last_cue = i
        i -= 1


def tagger_codes(const int64_t[::1] props, const int64_t[::1] lengths, const int64_t[::1] state,
                 const int64_t[::1] pos_bucket, const int64_t[::1] rpos_bucket, const int64_t[::1] dist_bucket):
    """The token codes of `scorer.attribution.tagger.batch_tokens` (its GROUPS, in order, as the rows of one
    (10, n_tokens) array) from each token's property bits (1 opening quote, 2 closing, 4 straight, 8 comma,
    16 capitalised, 32 reporting word), the sentences' token counts and each token's quote state (inside a quotation
    before it): q, qm, qpos, cb, ca, cap, pos, rpos, dl, dr. The caller checks the shapes."""
    import numpy as np

    cdef Py_ssize_t n_tok = props.shape[0], s, pos = 0, length
    out = np.zeros((10, n_tok), dtype=np.int64)
    cdef int64_t[:, ::1] c = out
    with nogil:
        for s in range(lengths.shape[0]):
            length = lengths[s]
            if length > 0:
                _sentence_codes(&props[pos], &state[pos], length, c, pos, pos_bucket, rpos_bucket, dist_bucket)
            pos += length
    return out


# ---- tagk (session 13) ----
#   WordRows      <- the span tagger's word cache (scorer.attribution.tagger._WordCache, a dict word -> row) keyed by
#                    code points
#   tagger_lookup <- scorer.attribution.tagger._tokenise and _WordCache.rows (the tokens of sentences and their words'
#                    rows of the word table, found by their code points: no str made but for new words)
#   tagger_scores <- scorer.attribution.tagger.batch_tokens's codes and SpanTagger.emissions (the token codes and the
#                    state scores of the tokens, sentence by sentence, without the (10, n_tokens) code array)
#   tagger_quote_states <- scorer.attribution.tagger._token_quote_states (each token's quote state, by one pass over
#                    each article's characters)
#   tagger_decode <- scorer.attribution.tagger.SpanTagger.tag (Viterbi, the Source spans' confidences by
#                    forward-backward as tagger_marginals computes them, the unsure ones dropped), sentence by sentence
#   tagger_spans  <- scorer.attribution.tagger.tag_spans (BIO tags as each sentence's Source, Cue and Content spans)

from cpython.mem cimport PyMem_Realloc
from libc.math cimport exp as _c_exp
from libc.stdint cimport int32_t, uint8_t, uint32_t, uint64_t


cdef inline uint64_t _span_hash(Text t, Py_ssize_t i, Py_ssize_t j, uint64_t basis) noexcept nogil:
    """A 64-bit hash of the code points text[i:j] (FNV-1a over each code point's 3 bytes from the offset `basis`, then
    a finaliser)."""
    cdef uint64_t h = basis
    cdef uint64_t ch
    cdef Py_ssize_t k
    for k in range(i, j):
        ch = <uint64_t> _at(t, k)
        h = (h ^ (ch & 0xFF)) * 0x100000001B3ULL
        h = (h ^ ((ch >> 8) & 0xFF)) * 0x100000001B3ULL
        h = (h ^ (ch >> 16)) * 0x100000001B3ULL
    h ^= h >> 33
    h *= 0xFF51AFD7ED558CCDULL
    h ^= h >> 33
    return h


cdef class WordRows:
    """word -> row (an int >= 0), keyed by the word's code points, so that a word of a text is found without making
    its str: an open-addressing table (linear probing, at most half full) over one array of the words' code points
    (each word's length, then its code points). The span tagger keeps it beside its word cache (`_WordCache`)."""
    cdef uint64_t *hashes
    cdef uint32_t *key_at  # place of the word's length in `chars`
    cdef int32_t *values  # -1: an empty slot
    cdef Py_UCS4 *chars
    cdef Py_ssize_t capacity, count, used, room
    cdef uint64_t basis  # FNV's offset basis, random per table: words that share a hash's low bits (one run of slots,
    #                      probed whole by each look-up) cannot be found in advance and put in a web article

    def __cinit__(self):
        import os

        self.basis = 0xCBF29CE484222325ULL ^ <uint64_t> int.from_bytes(os.urandom(8), "little")
        self.hashes = NULL
        self.key_at = NULL
        self.values = NULL
        self.chars = NULL
        self._allocate(1024)
        self.room = 8192
        self.chars = <Py_UCS4 *> PyMem_Malloc(self.room * sizeof(Py_UCS4))
        if self.chars == NULL:
            raise MemoryError()

    def __dealloc__(self):
        PyMem_Free(self.hashes)
        PyMem_Free(self.key_at)
        PyMem_Free(self.values)
        PyMem_Free(self.chars)

    cdef int _allocate(self, Py_ssize_t capacity) except -1:
        cdef Py_ssize_t k
        cdef uint64_t *hashes = <uint64_t *> PyMem_Malloc(capacity * sizeof(uint64_t))
        cdef uint32_t *key_at = <uint32_t *> PyMem_Malloc(capacity * sizeof(uint32_t))
        cdef int32_t *values = <int32_t *> PyMem_Malloc(capacity * sizeof(int32_t))
        if hashes == NULL or key_at == NULL or values == NULL:
            PyMem_Free(hashes)
            PyMem_Free(key_at)
            PyMem_Free(values)
            raise MemoryError()
        for k in range(capacity):
            values[k] = -1
        PyMem_Free(self.hashes)
        PyMem_Free(self.key_at)
        PyMem_Free(self.values)
        self.hashes, self.key_at, self.values, self.capacity, self.count = hashes, key_at, values, capacity, 0
        return 0

    def __len__(self):
        return self.count

    def clear(self):
        """Empty (and back to the starting size)."""
        cdef Py_UCS4 *smaller = <Py_UCS4 *> PyMem_Realloc(self.chars, 8192 * sizeof(Py_UCS4))
        if smaller != NULL:
            self.chars, self.room = smaller, 8192
        self._allocate(1024)
        self.used = 0

    cdef inline Py_ssize_t _slot(self, Text t, Py_ssize_t i, Py_ssize_t j, uint64_t h) noexcept nogil:
        """The slot of text[i:j] (hash h): its own, or the empty one where it would go."""
        cdef Py_ssize_t mask = self.capacity - 1, slot = <Py_ssize_t> (h & <uint64_t> mask), k, at
        while self.values[slot] >= 0:
            if self.hashes[slot] == h:
                at = self.key_at[slot]
                if self.chars[at] == <Py_UCS4> (j - i):
                    k = 0
                    while k < j - i and self.chars[at + 1 + k] == _at(t, i + k):
                        k += 1
                    if k == j - i:
                        return slot
            slot = (slot + 1) & mask
        return slot

    cdef inline int32_t find(self, Text t, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
        """The row of text[i:j], -1 when it is not here."""
        if j - i >= 0xFFFFFFFFLL:  # (longer than any word `add` takes: its length would not fit the table's)
            return -1
        return self.values[self._slot(t, i, j, _span_hash(t, i, j, self.basis))]

    def add(self, str word not None, Py_ssize_t row):
        """word -> row (0 <= row < 2^31), replacing the word's row if it has one."""
        self._add(word, row)

    def add_many(self, list words not None, Py_ssize_t first):
        """words[k] -> first + k for each word (each a str), as `add`."""
        cdef Py_ssize_t k
        for k in range(len(words)):
            if type(words[k]) is not str:
                raise TypeError(f"WordRows.add_many: word {k} is not a str")
            self._add(<str> words[k], first + k)

    cdef int _add(self, str word, Py_ssize_t row) except -1:
        cdef Text t = _text(word)
        cdef Py_ssize_t n = t.n, slot, k, old_capacity
        cdef uint64_t h
        cdef uint64_t *hashes
        cdef uint32_t *key_at
        cdef int32_t *values
        cdef Py_UCS4 *grown
        if not 0 <= row < 2 ** 31:
            raise ValueError(f"WordRows.add: row {row} out of range")
        if self.used + n + 1 >= 2 ** 32:
            raise MemoryError("WordRows: too many characters")
        h = _span_hash(t, 0, n, self.basis)
        slot = self._slot(t, 0, n, h)
        if self.values[slot] >= 0:
            self.values[slot] = <int32_t> row
            return 0
        if self.used + n + 1 > self.room:
            grown = <Py_UCS4 *> PyMem_Realloc(self.chars, 2 * (self.used + n + 1) * sizeof(Py_UCS4))
            if grown == NULL:
                raise MemoryError()
            self.chars, self.room = grown, 2 * (self.used + n + 1)
        self.chars[self.used] = <Py_UCS4> n
        for k in range(n):
            self.chars[self.used + 1 + k] = _at(t, k)
        self.hashes[slot], self.key_at[slot], self.values[slot] = h, <uint32_t> self.used, <int32_t> row
        self.used += n + 1
        self.count += 1
        if 2 * self.count > self.capacity:  # rehash into twice the slots
            hashes, key_at, values, old_capacity = self.hashes, self.key_at, self.values, self.capacity
            self.hashes = self.key_at = NULL
            self.values = NULL
            try:
                self._allocate(2 * old_capacity)
            except MemoryError:
                self.hashes, self.key_at, self.values, self.capacity = hashes, key_at, values, old_capacity
                raise
            for k in range(old_capacity):
                if values[k] >= 0:
                    slot = <Py_ssize_t> (hashes[k] & <uint64_t> (self.capacity - 1))
                    while self.values[slot] >= 0:
                        slot = (slot + 1) & (self.capacity - 1)
                    self.hashes[slot], self.key_at[slot], self.values[slot] = hashes[k], key_at[k], values[k]
                    self.count += 1
            PyMem_Free(hashes)
            PyMem_Free(key_at)
            PyMem_Free(values)
        return 0

    def get(self, str word not None):
        """The row of the word, or None."""
        cdef Text t = _text(word)
        cdef int32_t row = self.find(t, 0, t.n)
        return None if row < 0 else row


def tagger_lookup(list texts not None, list bases not None, WordRows rows_of not None):
    """The tokens of `_tokenise` (`tagger_tokens`'s loop) with each word's row in `rows_of` (the span tagger's word
    rows), found by the word's code points: (starts, ends, tokens per text, rows, missed, missed_at): the tokens'
    article offsets (`bases[s]` plus the place in text s), int64 arrays; rows -1 where the word is not in `rows_of`;
    missed those words (str, made only for them, in token order, repeated as they come) and missed_at their token
    indices."""
    import numpy as np

    cdef Py_ssize_t n_texts = len(texts), s, i, j, k, count, n_tok = 0, total = 0
    cdef Text t
    cdef str text
    cdef Py_UCS4 ch
    cdef int64_t base
    cdef int32_t found
    if len(bases) != n_texts:
        raise ValueError(f"tagger_lookup: {n_texts} texts but {len(bases)} offsets")
    for s in range(n_texts):
        if type(texts[s]) is not str:
            raise TypeError(f"tagger_lookup: text {s} is not a str")
        total += len(<str> texts[s])  # at most a token per character
    starts_a = np.empty(total, dtype=np.int64)
    ends_a = np.empty(total, dtype=np.int64)
    rows_a = np.empty(total, dtype=np.int64)
    lengths_a = np.zeros(n_texts, dtype=np.int64)
    cdef int64_t[::1] starts = starts_a, ends = ends_a, rows = rows_a, counts = lengths_a
    cdef list missed = [], missed_at = []
    for s in range(n_texts):
        text = texts[s]
        base = bases[s]
        t = _text(text)
        count = 0
        i = 0
        while i < t.n:
            ch = _at(t, i)
            if Py_UNICODE_ISSPACE(ch):
                i += 1
                continue
            j = _token_end(t, i)
            found = rows_of.find(t, i, j)
            rows[n_tok + count] = found
            if found < 0:
                missed.append(PyUnicode_Substring(text, i, j))
                missed_at.append(n_tok + count)
            starts[n_tok + count] = base + i
            ends[n_tok + count] = base + j
            count += 1
            i = j
        counts[s] = count
        n_tok += count
    # copies, not views: the arrays are sized by the characters (a hostile text of few tokens would keep them all)
    return starts_a[:n_tok].copy(), ends_a[:n_tok].copy(), lengths_a, rows_a[:n_tok].copy(), missed, missed_at


cdef inline void _scores7(const int64_t[::1] rows, Py_ssize_t pos, Py_ssize_t length, Py_ssize_t reach,
                          Py_ssize_t width, const double[:, :, ::1] table, const double[::1] bias,
                          const double[:, ::1] joint, int64_t[:, ::1] c, const int64_t[:, ::1] joint_groups,
                          const int64_t[::1] group_sizes, const int64_t[::1] joint_base,
                          double[:, ::1] o) noexcept nogil:
    """`tagger_scores`'s sums of one sentence for 7 tags (the span tagger's): the same additions in the same order,
    in a local accumulator the compiler keeps in registers (it cannot alias the rows added)."""
    cdef double acc[7]
    cdef const double *add
    cdef Py_ssize_t i, j, k, g, m, near
    cdef int64_t r, code
    for i in range(length):
        for j in range(7):
            acc[j] = bias[j]
        for k in range(width):
            near = i + k - reach
            r = rows[pos + near] if 0 <= near < length else 0
            add = &table[r, k, 0]
            for j in range(7):
                acc[j] = acc[j] + add[j]
        for g in range(joint_groups.shape[0]):
            code = c[joint_groups[g, 0], i]
            for m in range(1, joint_groups.shape[1]):
                if joint_groups[g, m] >= 0:
                    code = code * group_sizes[joint_groups[g, m]] + c[joint_groups[g, m], i]
            add = &joint[code + joint_base[g], 0]
            for j in range(7):
                acc[j] = acc[j] + add[j]
        for j in range(7):
            o[pos + i, j] = acc[j]


cdef Py_ssize_t _check_scores(const int64_t[::1] rows, const int64_t[::1] lengths, const int64_t[::1] state,
                              const int64_t[::1] props_of_row, const int64_t[::1] pos_bucket,
                              const int64_t[::1] rpos_bucket, const int64_t[::1] dist_bucket,
                              const int64_t[::1] group_sizes, const int64_t[:, ::1] joint_groups,
                              const int64_t[::1] joint_base, const double[:, :, ::1] table, const double[::1] bias,
                              const double[:, ::1] joint) except -1:
    """`tagger_scores`'s arguments checked (ValueError naming it): the shapes fit; the lengths are >= 0 and sum to
    the tokens; the rows are rows of the table and of `props_of_row`; the states 0 or 1; the buckets' values, and the
    largest value of each of the ten codes, within its group's size; each joint group's rows within `joint`. Returns
    the longest sentence's length."""
    cdef Py_ssize_t n_tok = rows.shape[0], s, i, g, m, total = 0, longest = 0
    cdef int64_t span, limit
    cdef const int64_t[::1] bucket
    # the largest value of each code: q, qm, qpos, cb, ca, cap (by construction), then the buckets'
    cdef int64_t largest[10]
    if (table.shape[1] % 2 == 0 or table.shape[2] != bias.shape[0] or joint.shape[1] != bias.shape[0]
            or state.shape[0] != n_tok or group_sizes.shape[0] != 10 or joint_base.shape[0] != joint_groups.shape[0]
            or joint_groups.shape[1] < 1):
        raise ValueError(f"tagger_scores: table ({table.shape[0]}, {table.shape[1]}, {table.shape[2]}), bias "
                         f"{bias.shape[0]}, joint {joint.shape[1]} tags, {n_tok} rows, {state.shape[0]} states, "
                         f"{group_sizes.shape[0]} group sizes and {joint_base.shape[0]} joint bases do not fit")
    for s in range(lengths.shape[0]):
        if lengths[s] < 0:
            raise ValueError("tagger_scores: a negative sentence length")
        total += lengths[s]
        if lengths[s] > longest:
            longest = lengths[s]
    if total != n_tok:
        raise ValueError(f"tagger_scores: sentence lengths sum to {total}, not the {n_tok} tokens")
    limit = table.shape[0] if table.shape[0] < props_of_row.shape[0] else props_of_row.shape[0]
    for i in range(n_tok):
        if rows[i] < 0 or rows[i] >= limit:
            raise ValueError(f"tagger_scores: word rows must be in [0, {limit})")
        if state[i] != 0 and state[i] != 1:
            raise ValueError("tagger_scores: quote states must be 0 or 1")
    largest[0], largest[1], largest[2], largest[3], largest[4], largest[5] = 1, 2, 3, 2, 2, 3
    for g in range(3):
        bucket = pos_bucket if g == 0 else rpos_bucket if g == 1 else dist_bucket
        if bucket.shape[0] < 1:
            raise ValueError("tagger_scores: an empty bucket table")
        largest[6 + g] = 0
        for i in range(bucket.shape[0]):
            if bucket[i] < 0:
                raise ValueError("tagger_scores: a negative bucket")
            if bucket[i] > largest[6 + g]:
                largest[6 + g] = bucket[i]
    largest[9] = largest[8]
    for g in range(10):
        if largest[g] >= group_sizes[g]:
            raise ValueError(f"tagger_scores: group {g} has {group_sizes[g]} values, its codes reach {largest[g]}")
    for g in range(joint_groups.shape[0]):
        span = 1
        for m in range(joint_groups.shape[1]):
            if joint_groups[g, m] >= 10 or joint_groups[g, m] < (0 if m == 0 else -1):
                raise ValueError(f"tagger_scores: joint group {g} names group {joint_groups[g, m]}")
            if joint_groups[g, m] >= 0:
                span *= group_sizes[joint_groups[g, m]]
        if joint_base[g] < 0 or joint_base[g] + span > joint.shape[0]:
            raise ValueError(f"tagger_scores: joint rows [{joint_base[g]}, {joint_base[g] + span}) outside the "
                             f"{joint.shape[0]} rows")
    return longest


def tagger_scores(const int64_t[::1] rows, const int64_t[::1] lengths, const int64_t[::1] state,
                  const int64_t[::1] props_of_row, const int64_t[::1] pos_bucket, const int64_t[::1] rpos_bucket,
                  const int64_t[::1] dist_bucket, const int64_t[::1] group_sizes, const int64_t[:, ::1] joint_groups,
                  const int64_t[::1] joint_base, const double[:, :, ::1] table, const double[::1] bias,
                  const double[:, ::1] joint):
    """`SpanTagger.emissions` of the tokens whose words have these rows of the word table (`table`; their property
    bits `props_of_row[row]`), in sentences of `lengths` tokens, with quote states `state`: each sentence's ten token
    codes as `tagger_codes` makes them, each token's rows of `joint` from them (group k of `joint_groups`: the codes
    of its groups, -1 padded, read as digits of `group_sizes`, plus `joint_base[k]`), then the sums of
    `tagger_emissions` in its order. Every index it makes is checked first (`_check_scores`)."""
    import numpy as np

    cdef Py_ssize_t n_tok = rows.shape[0], n_tags = table.shape[2], width = table.shape[1], reach = width // 2
    cdef Py_ssize_t n_joint = joint_groups.shape[0], n_members = joint_groups.shape[1]
    cdef Py_ssize_t s, pos = 0, length, longest, i, j, k, g, m, near
    cdef int64_t r, code
    cdef double *acc
    cdef const double *add
    longest = _check_scores(rows, lengths, state, props_of_row, pos_bucket, rpos_bucket, dist_bucket, group_sizes,
                            joint_groups, joint_base, table, bias, joint)
    out = np.empty((n_tok, n_tags), dtype=np.float64)
    codes_a = np.zeros((10, longest), dtype=np.int64)  # one sentence's codes at a time
    scratch_a = np.empty(2 * longest, dtype=np.int64)
    cdef double[:, ::1] o = out
    cdef int64_t[:, ::1] c = codes_a
    cdef int64_t[::1] scratch = scratch_a
    cdef int64_t *props
    cdef int64_t *states
    if longest == 0:
        return out
    props = &scratch[0]
    states = &scratch[longest]
    with nogil:
        for s in range(lengths.shape[0]):
            length = lengths[s]
            if length <= 0:
                continue
            for i in range(length):
                props[i] = props_of_row[rows[pos + i]]
                states[i] = state[pos + i]
                for g in range(10):
                    c[g, i] = 0
            _sentence_codes(props, states, length, c, 0, pos_bucket, rpos_bucket, dist_bucket)
            if n_tags == 7:
                _scores7(rows, pos, length, reach, width, table, bias, joint, c, joint_groups, group_sizes,
                         joint_base, o)
                pos += length
                continue
            for i in range(length):
                acc = &o[pos + i, 0]  # the token's scores, each added to in the twin's order
                for j in range(n_tags):
                    acc[j] = bias[j]
                for k in range(width):
                    near = i + k - reach
                    r = rows[pos + near] if 0 <= near < length else 0
                    add = &table[r, k, 0]
                    for j in range(n_tags):
                        acc[j] = acc[j] + add[j]
                for g in range(n_joint):
                    code = c[joint_groups[g, 0], i]
                    for m in range(1, n_members):
                        if joint_groups[g, m] >= 0:
                            code = code * group_sizes[joint_groups[g, m]] + c[joint_groups[g, m], i]
                    add = &joint[code + joint_base[g], 0]
                    for j in range(n_tags):
                        acc[j] = acc[j] + add[j]
            pos += length
    return out


def tagger_quote_states(list article_texts not None, const int64_t[::1] sentences, const int64_t[::1] lengths,
                        const int64_t[::1] starts):
    """`_token_quote_states`: each token's quote state, 0 or 1 (int64), inside a quotation when the last of its
    article's quote events before it (“ opens, ” and a line break close, a straight quote turns the state over) left
    it open; the articles have `sentences[a]` sentences each, the sentences `lengths[s]` tokens, the tokens their
    article offsets `starts`. None when a token's offset lies outside its article (the twin lays the articles end to
    end and reads such a place in the text laid beside it: the caller then takes the twin)."""
    import numpy as np

    cdef Py_ssize_t n_art = len(article_texts), a, s = 0, k, tok = 0, n_tok = starts.shape[0], i, m
    cdef Text t
    cdef Py_UCS4 ch
    cdef unsigned char state
    cdef int64_t p
    if sentences.shape[0] != n_art:
        raise ValueError(f"tagger_quote_states: {n_art} articles but {sentences.shape[0]} sentence counts")
    for a in range(n_art):
        if type(article_texts[a]) is not str:
            raise TypeError(f"tagger_quote_states: article {a} is not a str")
        if sentences[a] < 0:
            raise ValueError("tagger_quote_states: a negative sentence count")
        s += sentences[a]
    if s != lengths.shape[0]:
        raise ValueError(f"tagger_quote_states: {s} sentences but {lengths.shape[0]} lengths")
    for k in range(lengths.shape[0]):
        if lengths[k] < 0:
            raise ValueError("tagger_quote_states: a negative sentence length")
        tok += lengths[k]
    if tok != n_tok:
        raise ValueError(f"tagger_quote_states: lengths sum to {tok}, not the {n_tok} tokens")
    out_a = np.zeros(n_tok, dtype=np.int64)
    cdef int64_t[::1] out = out_a
    cdef unsigned char *before = NULL  # before[p]: the state after the article's events at places < p
    s = 0
    tok = 0
    try:
        for a in range(n_art):
            t = _text(<str> article_texts[a])
            m = 0
            for k in range(s, s + sentences[a]):
                m += lengths[k]
            s += sentences[a]
            if m == 0:
                continue
            PyMem_Free(before)
            before = <unsigned char *> PyMem_Malloc(t.n + 1)
            if before == NULL:
                raise MemoryError()
            state = 0
            before[0] = 0
            for i in range(t.n):
                ch = _at(t, i)
                if ch == LEFT_DQ:
                    state = 1
                elif ch == RIGHT_DQ or ch == 0x0A:
                    state = 0
                elif ch == 0x22:
                    state ^= 1
                before[i + 1] = state
            for k in range(tok, tok + m):
                p = starts[k]
                if p < 0 or p > t.n:
                    return None
                out[k] = before[p]
            tok += m
    finally:
        PyMem_Free(before)
    return out_a


cdef void _viterbi_sentence(const double[:, ::1] emissions, const double[:, ::1] transitions, Py_ssize_t pos,
                            Py_ssize_t length, int64_t *tags, double *delta, Py_ssize_t *back) noexcept nogil:
    """`viterbi`'s loop for one sentence (tokens pos .. pos + length of `emissions`, length >= 1): its best tags into
    tags[0 .. length]; `delta` holds 2 * n_tags doubles and `back` length * n_tags entries."""
    cdef Py_ssize_t n_tags = emissions.shape[1], t, a, b, arg
    cdef double best, v
    cdef double *nxt = delta + n_tags
    for b in range(n_tags):
        delta[b] = emissions[pos, b]
    for t in range(1, length):
        for b in range(n_tags):
            best = delta[0] + transitions[0, b]
            arg = 0
            for a in range(1, n_tags):
                v = delta[a] + transitions[a, b]
                if v > best:
                    best = v
                    arg = a
            back[t * n_tags + b] = arg
            nxt[b] = best + emissions[pos + t, b]
        for b in range(n_tags):
            delta[b] = nxt[b]
    arg = 0
    for b in range(1, n_tags):
        if delta[b] > delta[arg]:
            arg = b
    t = length - 1
    while t >= 0:
        tags[t] = arg
        if t:
            arg = back[t * n_tags + arg]
        t -= 1


cdef void _source_probabilities(const double[:, ::1] emissions, const double[:, ::1] trans, Py_ssize_t every,
                                Py_ssize_t pos, Py_ssize_t length, Py_ssize_t b_source, Py_ssize_t i_source,
                                double *e, double *alpha, double *beta, double *probs) noexcept nogil:
    """`tagger_marginals` of one sentence (its arithmetic, step for step), reduced to each token's probability of a
    Source tag (B- plus I-, as `source_confidence` adds the two columns) into probs[0 .. length]; e, alpha and beta
    hold length * n_tags doubles each."""
    cdef Py_ssize_t n_tags = emissions.shape[1], t, a, b, i
    cdef double m, acc, total
    for i in range(length):
        m = emissions[pos + i, 0]
        for b in range(1, n_tags):
            if emissions[pos + i, b] > m:
                m = emissions[pos + i, b]
        for b in range(n_tags):
            e[i * n_tags + b] = _c_exp(emissions[pos + i, b] - m)
    for b in range(n_tags):
        alpha[b] = e[b]
    for t in range(1, length):
        total = 0.0
        for b in range(n_tags):
            acc = 0.0
            for a in range(n_tags):
                acc = acc + alpha[(t - 1) * n_tags + a] * trans[a, b]
            acc = acc * e[t * n_tags + b]
            alpha[t * n_tags + b] = acc
            total = total + acc
        if t % every == 0:
            for b in range(n_tags):
                alpha[t * n_tags + b] = alpha[t * n_tags + b] / total
    for b in range(n_tags):
        beta[(length - 1) * n_tags + b] = 1.0
    t = length - 2
    while t >= 0:
        total = 0.0
        for a in range(n_tags):
            acc = 0.0
            for b in range(n_tags):
                acc = acc + (e[(t + 1) * n_tags + b] * beta[(t + 1) * n_tags + b]) * trans[a, b]
            beta[t * n_tags + a] = acc
            total = total + acc
        if t % every == 0:
            for a in range(n_tags):
                beta[t * n_tags + a] = beta[t * n_tags + a] / total
        t -= 1
    for t in range(length):
        total = 0.0
        for b in range(n_tags):
            total = total + alpha[t * n_tags + b] * beta[t * n_tags + b]
        if total < 1e-300:
            total = 1e-300
        probs[t] = (alpha[t * n_tags + b_source] * beta[t * n_tags + b_source] / total
                    + alpha[t * n_tags + i_source] * beta[t * n_tags + i_source] / total)


def tagger_decode(const double[:, ::1] emissions, const int64_t[::1] lengths, const double[:, ::1] transitions,
                  const double[:, ::1] trans, Py_ssize_t every, Py_ssize_t b_source, Py_ssize_t i_source,
                  double threshold, bint drop):
    """`SpanTagger.tag(tokens, threshold)` from the emissions, sentence by sentence (`lengths` tokens each): the best
    tags (`viterbi`); with `drop`, each Source span (a run of B-/I- `b_source`/`i_source` tags, as `_source_runs`
    reads them) whose mean probability of a Source tag (`tagger_marginals` with the exponentiated transitions `trans`,
    over the sentences with a Source span) is not >= `threshold` set to O, and a sentence left with no Source span
    emptied (`drop_unsure_sources`). The mean is the twin's: a difference of the running sums of the tokens'
    probabilities over the whole call (zero outside those sentences), divided by the span's length. The caller checks
    the shapes."""
    import numpy as np

    cdef Py_ssize_t n_tok = emissions.shape[0], n_tags = emissions.shape[1], s, pos = 0, length, longest = 0
    cdef Py_ssize_t i, j, first, sure, unsure, longest_source = 0
    cdef double running = 0.0, confidence
    cdef bint source, opens
    out = np.zeros(n_tok, dtype=np.int64)
    cdef int64_t[::1] tags = out
    for s in range(lengths.shape[0]):
        if lengths[s] > longest:
            longest = lengths[s]
    if n_tags == 0 or longest == 0:
        return out
    # Viterbi's deltas and back-pointers for the longest sentence, then (freed first) forward-backward's arrays and
    # the probabilities' running sums for the longest sentence with a Source span only (as the twin's marginals run
    # over the sentences with one alone: a long sentence without a source costs no more than Viterbi)
    cdef double *delta = <double *> PyMem_Malloc(2 * n_tags * sizeof(double))
    cdef Py_ssize_t *back = <Py_ssize_t *> PyMem_Malloc(longest * n_tags * sizeof(Py_ssize_t))
    cdef double *block = NULL
    cdef double *e
    cdef double *alpha
    cdef double *beta
    cdef double *sums  # sums[i]: the running sum before token i of the sentence
    if delta == NULL or back == NULL:
        PyMem_Free(delta)
        PyMem_Free(back)
        raise MemoryError()
    try:
        with nogil:
            for s in range(lengths.shape[0]):
                length = lengths[s]
                if length <= 0:
                    continue
                _viterbi_sentence(emissions, transitions, pos, length, &tags[pos], delta, back)
                if drop and length > longest_source:
                    for i in range(length):
                        if tags[pos + i] == b_source or tags[pos + i] == i_source:
                            longest_source = length
                            break
                pos += length
    finally:
        PyMem_Free(delta)
        PyMem_Free(back)
    if not drop or longest_source == 0:
        return out
    block = <double *> PyMem_Malloc((3 * longest_source * n_tags + longest_source + 1) * sizeof(double))
    if block == NULL:
        raise MemoryError()
    e = block
    alpha = e + longest_source * n_tags
    beta = alpha + longest_source * n_tags
    sums = beta + longest_source * n_tags
    pos = 0
    try:
        with nogil:
            for s in range(lengths.shape[0]):
                length = lengths[s]
                if length <= 0:
                    continue
                source = False
                for i in range(length):
                    if tags[pos + i] == b_source or tags[pos + i] == i_source:
                        source = True
                        break
                if source:
                    _source_probabilities(emissions, trans, every, pos, length, b_source, i_source, e, alpha, beta,
                                          sums + 1)
                    sums[0] = running
                    for i in range(length):
                        sums[i + 1] = sums[i] + sums[i + 1]
                    running = sums[length]
                    sure = unsure = 0
                    i = 0
                    while i < length:
                        source = tags[pos + i] == b_source or tags[pos + i] == i_source
                        if not source:
                            i += 1
                            continue
                        first = i  # a span opens here (a B-, or an I- after no Source tag) and runs over its I-s
                        i += 1
                        while i < length and tags[pos + i] == i_source:
                            i += 1
                        confidence = (sums[i] - sums[first]) / <double> (i - first)
                        if confidence >= threshold:
                            sure += 1
                        else:
                            unsure += 1
                            for j in range(first, i):
                                tags[pos + j] = 0
                    if unsure and not sure:
                        for j in range(length):
                            tags[pos + j] = 0
                pos += length
    finally:
        PyMem_Free(block)
    return out


def tagger_spans(const int64_t[::1] tags, const int64_t[::1] lengths, const int64_t[::1] starts,
                 const int64_t[::1] ends, const int64_t[::1] role_of_tag, const uint8_t[::1] begin_tag, tuple roles):
    """`tag_spans`: per sentence (`lengths` tokens each), a dict role -> [(start, end)] of its spans (`roles`, the
    names of roles 1, 2, ...): a span opens at a token of a role (role_of_tag[tag] > 0) that is a B- tag
    (begin_tag[tag]), a sentence's first token or follows a token of another role, and runs to the last token of the
    role before the next opening, another role or the sentence's end. The caller checks the shapes and the tags."""
    cdef Py_ssize_t n_sent = lengths.shape[0], s, pos = 0, length, i, opened = -1
    cdef int64_t role, previous, following
    cdef list out = []
    cdef dict spans
    cdef list where
    for s in range(n_sent):
        spans = {name: [] for name in roles}
        out.append(spans)
        length = lengths[s]
        previous = 0
        for i in range(pos, pos + length):
            role = role_of_tag[tags[i]]
            if role > 0 and (begin_tag[tags[i]] or i == pos or role != previous):
                opened = i
            previous = role
            if role == 0:
                continue
            following = role_of_tag[tags[i + 1]] if i + 1 < pos + length else 0
            if i + 1 == pos + length or following != role or begin_tag[tags[i + 1]]:
                where = spans[roles[role - 1]]
                where.append((starts[opened], ends[i]))
        pos += length
    return out


# ---- cuek (session 14) ----
#   PhraseMachine <- scorer.model.cues.phrase_groups (a PhraseTrie whose `bits` runs the trie as an Aho-Corasick
#                    automaton: one step per character instead of a walk from each start; cue_rows reads it as a
#                    PhraseTrie, unchanged)
#   term_word_codes <- the numpy start of scorer.model.heads.NgramCoder (the words of the vocabulary's longer terms
#                    and their codes: the split at spaces and Vocabulary.find of each word, with a hash table instead
#                    of a binary search per word)

from libc.string cimport memset
from libc.stdint cimport uint16_t


cdef class PhraseMachine(PhraseTrie):
    """A `PhraseTrie` (the same arrays, checked the same way) that also holds its trie as a deterministic automaton
    over classes of characters (the characters of the literals; every other character is class 0): `goto[node *
    n_classes + class]`, and for each node the nearest node of its suffix chain (itself first) where literals end
    (`ends`, -1 none) and the next after it (`more`). `bits` visits every (start, literal) match that the trie's
    walk from each start visits, in one pass: the same group bits (tests/kernels/test_cuek.py)."""
    cdef uint16_t *goto
    cdef int32_t *ends
    cdef int32_t *more
    cdef int32_t *depth
    cdef int32_t ascii_class[128]
    cdef Py_UCS4 *wide  # the literals' characters beyond ASCII, sorted; wide[k] has class 1 + n_ascii + k
    cdef Py_ssize_t n_wide, n_classes, n_nodes, max_depth  # max_depth: the longest literal's length

    def __init__(self, edges, chars, children, alternatives, order, bounded, group):
        PhraseTrie.__init__(self, edges, chars, children, alternatives, order, bounded, group)
        cdef Py_ssize_t n = self.edges.shape[0] - 1, j, k, c, head = 0, tail = 0, u, v, f, n_ascii = 0
        wide = set()
        for j in range(self.chars.shape[0]):
            if self.chars[j] >= 128:
                wide.add(int(self.chars[j]))
        wide = sorted(wide)
        for k in range(128):
            self.ascii_class[k] = 0
        for j in range(self.chars.shape[0]):
            if self.chars[j] < 128 and self.ascii_class[self.chars[j]] == 0:
                n_ascii += 1
                self.ascii_class[self.chars[j]] = n_ascii
        self.n_wide, self.n_classes, self.n_nodes = len(wide), 1 + n_ascii + len(wide), n
        if n >= 65535 or self.n_classes > PY_SSIZE_T_MAX // (4 * n):  # (nodes are uint16 in the table)
            raise ValueError("PhraseMachine: too many nodes for the automaton")
        self.goto = <uint16_t *> PyMem_Malloc(n * self.n_classes * sizeof(uint16_t))
        self.ends = <int32_t *> PyMem_Malloc(3 * n * sizeof(int32_t))
        self.wide = <Py_UCS4 *> PyMem_Malloc((self.n_wide + 1) * sizeof(Py_UCS4))
        cdef int32_t *fail = <int32_t *> PyMem_Malloc(2 * n * sizeof(int32_t))
        if self.goto is NULL or self.ends is NULL or self.wide is NULL or fail is NULL:
            PyMem_Free(fail)
            raise MemoryError()
        self.more, self.depth = self.ends + n, self.ends + 2 * n
        cdef int32_t *queue = fail + n
        for k in range(self.n_wide):
            self.wide[k] = wide[k]
        try:
            # the trie's edges as goto entries (0: no edge yet; no edge leads back to the root)
            memset(self.goto, 0, n * self.n_classes * sizeof(uint16_t))
            for u in range(n):
                for j in range(self.edges[u], self.edges[u + 1]):
                    self.goto[u * self.n_classes + self._class(<Py_UCS4> self.chars[j])] = <uint16_t> self.children[j]
            # breadth first: each node's failure node (the node of its longest proper suffix in the trie), its
            # missing gotos those of its failure node (built before it: it is shallower), its nearest literal end
            # along the chain of failure nodes. When u is reached its own gotos are still the trie's edges only.
            for u in range(n):
                self.depth[u] = -1  # (not reached yet: a node reached twice is refused, as is one never reached)
            fail[0], self.depth[0], self.ends[0], self.more[0] = 0, 0, -1, -1
            queue[tail] = 0
            tail += 1
            while head < tail:
                u = queue[head]
                head += 1
                for c in range(self.n_classes):
                    v = self.goto[u * self.n_classes + c]
                    f = self.goto[fail[u] * self.n_classes + c] if u else 0
                    if v:  # a trie edge
                        if tail >= n or self.depth[v] >= 0:
                            raise ValueError("PhraseMachine: the trie is not a tree")
                        fail[v] = f
                        self.depth[v] = self.depth[u] + 1
                        self.more[v] = self.ends[f]
                        self.ends[v] = v if self.alternatives[v] < self.alternatives[v + 1] else self.more[v]
                        queue[tail] = v
                        tail += 1
                    else:
                        self.goto[u * self.n_classes + c] = <uint16_t> f
            if tail != n:
                raise ValueError("PhraseMachine: a node not reached from the root")
            self.max_depth = self.depth[queue[n - 1]]  # (breadth first: the last node is the deepest)
        finally:
            PyMem_Free(fail)

    def __dealloc__(self):
        PyMem_Free(self.goto)
        PyMem_Free(self.ends)
        PyMem_Free(self.wide)

    cdef inline Py_ssize_t _class(self, Py_UCS4 ch) noexcept nogil:
        cdef Py_ssize_t lo = 0, hi = self.n_wide, mid
        if ch < 128:
            return self.ascii_class[ch]
        while lo < hi:
            mid = (lo + hi) >> 1
            if self.wide[mid] < ch:
                lo = mid + 1
            else:
                hi = mid
        return 1 + (self.n_classes - 1 - self.n_wide) + lo if lo < self.n_wide and self.wide[lo] == ch else 0

    cdef long bits(self, str low) except -1:
        """`PhraseTrie.bits`: at each start the first alternative in regex order among those that match there with
        their \\b conditions, then on from its end; the matches found by the automaton ending at each character. A
        start's best match is known once the automaton is max_depth characters past it: the starts' bests are kept
        in a ring of max_depth places (review14c: an array of the text's length took 24 bytes a character of `low`,
        48 of a text of 'İ', more than the rest of cue_rows at once)."""
        cdef Text t = _text(low)
        cdef Py_ssize_t n = t.n, q, j, start, p = 0, d = self.max_depth, at, slot, qs = 0
        cdef int32_t node, state = 0
        cdef long found = 0
        if n == 0 or d == 0:
            return 0
        # the first alternative's order, its end and its group, of each start in the ring (start s at s % d)
        cdef int64_t *best = <int64_t *> PyMem_Malloc(3 * d * sizeof(int64_t))
        if best is NULL:
            raise MemoryError()
        cdef int64_t *best_end = best + d
        cdef int64_t *best_group = best + 2 * d
        try:
            for q in range(n):
                best[qs] = -1  # start q enters the ring (start q - d, the place's last, was settled before)
                state = self.goto[state * self.n_classes + self._class(_at(t, q))]
                node = self.ends[state]
                while node >= 0:  # each literal ending here, longest first
                    start = q + 1 - self.depth[node]  # (>= q + 1 - d, >= 0: a node's depth is its literal's length)
                    slot = qs + 1 - self.depth[node]
                    if slot < 0:
                        slot += d
                    for j in range(self.alternatives[node], self.alternatives[node + 1]):
                        if self.bounded[j] and ((start > 0 and _word(_at(t, start - 1)))
                                                or (q + 1 < n and _word(_at(t, q + 1)))):
                            continue
                        if best[slot] < 0 or self.order[j] < best[slot]:
                            best[slot], best_end[slot], best_group[slot] = self.order[j], q + 1, self.group[j]
                        break
                    node = self.more[node]
                # the starts whose every literal has ended by q, in the order of finditer
                while p <= q + 1 - d or (q == n - 1 and p < n):
                    at = p % d
                    if best[at] >= 0:
                        found |= best_group[at]
                        p = best_end[at]
                    else:
                        p += 1
                qs = qs + 1 if qs + 1 < d else 0
        finally:
            PyMem_Free(best)
        return found


cdef inline uint64_t _vocab_hash(const unsigned char *data, Py_ssize_t size, uint64_t base) noexcept nogil:
    """vocab._hash of one byte string (vocab_find's hash)."""
    cdef uint64_t h = 0
    cdef Py_ssize_t k
    for k in range(size):
        h = h * base + (<uint64_t> data[k] + 1)
    h = h + <uint64_t> size * <uint64_t> 0x2545F4914F6CDD1DULL
    h = h ^ (h >> 30)
    h = h * <uint64_t> 0xBF58476D1CE4E5B9ULL
    h = h ^ (h >> 27)
    h = h * <uint64_t> 0x94D049BB133111EBULL
    return h ^ (h >> 31)


def term_word_codes(const unsigned char[::1] blob, const int64_t[::1] starts, const int32_t[::1] lengths,
                    const uint64_t[::1] hashes, rows, values, uint64_t base):
    """The words of the terms that hold a space (a byte 32; words split at each) and their ids as `vocab_find` gives
    them, as NgramCoder's start computes them: (longer, counts, codes), the indices of those terms in order, their
    numbers of words, their words' ids laid end to end. None (the caller's numpy path) when a word is not a term, or
    the terms' ranges are not laid in order without overlap (the numpy path's attribution of spaces to terms differs
    then). The vocabulary's arrays are checked first, as vocab_find checks them; its hashes are distinct (Vocabulary
    makes them so), so a table hash -> place among the sorted hashes finds what the binary search finds."""
    import numpy as np

    cdef Py_ssize_t n_terms = starts.shape[0], n_hashes = hashes.shape[0], k, i, a, e, w, n_longer = 0, n_words = 0
    cdef Py_ssize_t size, mask = 15, slot, place, budget
    cdef uint64_t h
    cdef int64_t row
    cdef const int64_t[::1] row_of
    cdef const int32_t[::1] row_of32
    cdef const int64_t[::1] value_of
    cdef bint wide = np.asarray(rows).dtype == np.int64, mapped = values is not None, found
    if wide:
        row_of = rows
        row_of32 = np.zeros(0, dtype=np.int32)
    else:
        row_of32 = rows
        row_of = np.zeros(0, dtype=np.int64)
    value_of = values if mapped else np.zeros(0, dtype=np.int64)
    if lengths.shape[0] != n_terms or (wide and row_of.shape[0] != n_hashes) or (not wide and row_of32.shape[0]
                                                                                 != n_hashes):
        raise ValueError("term_word_codes: starts, lengths, hashes and rows do not fit")
    if mapped and value_of.shape[0] != n_terms:
        raise ValueError("term_word_codes: values do not fit the terms")
    if n_hashes >= 2 ** 30:
        raise ValueError("term_word_codes: too many terms")
    for k in range(n_terms):
        if starts[k] < 0 or lengths[k] < 0 or starts[k] > blob.shape[0] - lengths[k]:  # (no sum to overflow)
            raise ValueError("term_word_codes: a term outside the blob")
        if k and starts[k] < starts[k - 1] + lengths[k - 1]:
            return None  # overlapping or out of order: the numpy path
    for k in range(n_hashes):
        row = row_of[k] if wide else row_of32[k]
        if row < 0 or row >= n_terms:
            raise ValueError("term_word_codes: a row outside the terms")
    # the longer terms and their words, counted
    for k in range(n_terms):
        w = 0
        for i in range(starts[k], starts[k] + lengths[k]):
            if blob[i] == 32:
                w += 1
        if w:
            n_longer += 1
            n_words += w + 1
    longer_array = np.empty(n_longer, dtype=np.int64)
    counts_array = np.empty(n_longer, dtype=np.int64)
    codes_array = np.empty(n_words, dtype=np.int64)
    cdef int64_t[::1] longer = longer_array
    cdef int64_t[::1] counts = counts_array
    cdef int64_t[::1] codes = codes_array
    while mask + 1 < 2 * n_hashes:
        mask = 2 * mask + 1
    cdef int32_t *table = <int32_t *> PyMem_Malloc((mask + 1) * sizeof(int32_t))  # place among the hashes + 1
    if table is NULL:
        raise MemoryError()
    # the probes are bounded: the hashes come from the terms of a model directory (untrusted), and terms whose hashes
    # share their low bits (found offline: the hash is fixed) would make the linear probing quadratic; beyond the
    # budget (about 2 probes a lookup expected at this load) the numpy path's binary search runs instead
    budget = 32 * (n_hashes + n_words) + 4096
    try:
        with nogil:
            for slot in range(mask + 1):
                table[slot] = 0
            for k in range(n_hashes):
                slot = <Py_ssize_t> (hashes[k] & <uint64_t> mask)
                while table[slot]:
                    slot = (slot + 1) & mask
                    budget -= 1
                if budget < 0:
                    break
                table[slot] = <int32_t> (k + 1)
            n_longer = n_words = 0
            for k in range(n_terms if budget >= 0 else 0):
                a, e = starts[k], starts[k] + lengths[k]
                w = 0
                for i in range(a, e):
                    if blob[i] == 32:
                        w += 1
                if not w:
                    continue
                if n_longer >= longer.shape[0]:  # (the bytes changed since they were counted)
                    found = False
                    break
                longer[n_longer] = k
                counts[n_longer] = w + 1
                n_longer += 1
                i = a
                while True:  # each word: up to the next space or the term's end
                    size = 0
                    while i + size < e and blob[i + size] != 32:
                        size += 1
                    h = _vocab_hash(&blob[i], size, base) if size else _vocab_hash(&blob[0], 0, base)
                    slot = <Py_ssize_t> (h & <uint64_t> mask)
                    found = False
                    while table[slot]:
                        place = table[slot] - 1
                        if hashes[place] == h:
                            row = row_of[place] if wide else row_of32[place]
                            if lengths[row] == size:
                                found = True
                                for w in range(size):
                                    if blob[starts[row] + w] != blob[i + w]:
                                        found = False
                                        break
                            break
                        slot = (slot + 1) & mask
                        budget -= 1
                    if budget < 0:
                        found = False
                    if not found or n_words >= codes.shape[0]:
                        found = False
                        break
                    codes[n_words] = value_of[row] if mapped else row
                    n_words += 1
                    i += size + 1
                    if i > e:
                        break
                if not found:
                    break
    finally:
        PyMem_Free(table)
    if budget < 0 or n_words != codes.shape[0] or n_longer != longer.shape[0]:
        return None  # a word not a term: the numpy path
    return longer_array, counts_array, codes_array


# ---- segmentation and finish ----
#
#   content_words  <- scorer.model.support._content_words_python (a sentence's content words for corroboration)
#   corroboration  <- scorer.model.support._corroborate_python (the sentence each sentence is corroborated by)
#   english_counts <- the ASCII path of scorer.text.language.looks_english (letters, words, function words)

cdef extern from "Python.h":
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch) nogil
    object PyUnicode_DecodeASCII(const char *s, Py_ssize_t size, const char *errors)


cdef inline bint _ascii_upper(Py_UCS4 ch) noexcept nogil:
    return 0x41 <= ch <= 0x5A


cdef inline bint _ascii_lower(Py_UCS4 ch) noexcept nogil:
    return 0x61 <= ch <= 0x7A


def content_words(str text not None, frozenset stop not None):
    """`support._content_words_python(text)`: the matches of `support._CONTENT`
    (`[A-Za-z][a-z]{3,}|[A-Z][A-Za-z]+|\\d[\\d,.]*`, found left to right as `findall` finds them, the regex engine's
    `\\d` being a Unicode decimal digit), lower-cased, without the words of `stop`, as a frozenset."""
    cdef Text t = _text(text)
    cdef Py_ssize_t p = 0, q, n = t.n
    cdef set out = set()
    cdef str word
    cdef char buf[64]
    cdef Py_ssize_t r
    cdef int code
    cdef bint ascii = t.kind == 1 and text.isascii()  # (a 1-byte kind is Latin-1: letters and digits beyond ASCII)
    while p < n:
        q = _content_end(t, p)  # (in the section "fink (session 13)")
        if q > p:
            if q - p <= 64 and ascii:
                # an ASCII word lower-cased in a buffer: one string made, not a slice and its lower case
                for r in range(p, q):
                    code = <int> _at(t, r)
                    buf[r - p] = <char> (code + 32 if 0x41 <= code <= 0x5A else code)
                word = PyUnicode_DecodeASCII(buf, q - p, NULL)
            else:
                word = text[p:q].lower()
            if word not in stop:
                out.add(word)
            p = q
        else:
            p += 1
    return frozenset(out)


def corroboration(list words not None, list labels not None, Py_ssize_t min_shared, str opinion not None):
    """`support._corroborate_python(words, labels, min_shared)`: for each sentence (its content words, `words[i]`,
    any iterable), the index of the sentence of another type, not `opinion`, sharing the most words held by 2-50
    sentences (a word listed twice counts twice, as there), nearest then earliest among equals, when it shares at
    least `min_shared`; else None. (The count is `_corroborate_core`, in the section "fink (session 13)".)"""
    cdef Py_ssize_t n = len(words), i, k, n_items
    cdef dict ids = {}
    cdef list flat = []
    cdef list out = [None] * n
    if n == 0:
        return out
    if len(labels) < n:  # (unchecked indexing below) as the twin's labels[i]
        raise IndexError("list index out of range")
    starts_list = [0] * (n + 1)
    for i in range(n):
        for word in words[i]:
            code = ids.get(word)
            if code is None:
                code = ids[word] = len(ids)
            flat.append(code)
        starts_list[i + 1] = len(flat)
    n_items = len(flat)
    cdef Py_ssize_t *starts = <Py_ssize_t *> PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *item = <Py_ssize_t *> PyMem_Malloc((n_items + 1) * sizeof(Py_ssize_t))
    try:
        if starts == NULL or item == NULL:
            raise MemoryError()
        for i in range(n + 1):
            starts[i] = starts_list[i]
        for k in range(n_items):
            item[k] = flat[k]
        _corroborate_core(n, starts, item, len(ids), labels, opinion, min_shared, out)
    finally:
        PyMem_Free(starts)
        PyMem_Free(item)
    return out


cdef object _FUNCTION_SET = None  # the set the codes below were made from
cdef int64_t _FUNCTION_CODES[512]
cdef Py_ssize_t _N_FUNCTION = 0


cdef int64_t _letters_code(const int *chars, Py_ssize_t n) noexcept nogil:
    """Up to 12 lower-case ASCII letters as one number (5 bits a letter, a = 1): equal codes, equal words."""
    cdef int64_t code = 0
    cdef Py_ssize_t k
    for k in range(n):
        code |= (<int64_t> (chars[k] - 0x60)) << (5 * k)
    return code


cdef void _function_codes(frozenset words) except *:
    global _FUNCTION_SET, _N_FUNCTION
    cdef int chars[12]
    cdef Py_ssize_t k
    if words is _FUNCTION_SET:
        return
    codes = []
    for word in words:
        if not (isinstance(word, str) and word.isascii() and word.isalpha() and word.islower()):
            continue  # no run of ASCII letters, lower-cased, is such a word
        if len(word) > 12:
            raise ValueError(f"english_counts: a function word longer than 12 letters: {word!r}")
        for k in range(len(word)):
            chars[k] = ord(word[k])
        codes.append(_letters_code(chars, len(word)))
    if len(codes) > 512:
        raise ValueError("english_counts: more than 512 function words")
    codes.sort()
    for k in range(len(codes)):
        _FUNCTION_CODES[k] = codes[k]
    _N_FUNCTION = len(codes)
    _function_table()
    _FUNCTION_SET = words


cdef bint _is_function_code(int64_t code) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = _N_FUNCTION, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if _FUNCTION_CODES[mid] < code:
            lo = mid + 1
        else:
            hi = mid
    return lo < _N_FUNCTION and _FUNCTION_CODES[lo] == code


def english_counts(str text not None, frozenset function_words not None):
    """(letters, words, function words) of `text` read as `language.looks_english` reads text whose word characters
    are all ASCII: its words are the runs of ASCII letters (`[A-Za-z]+`), lower-cased; letters are their letters;
    function words are the words in `function_words` (lower-case ASCII words of at most 12 letters). None when the
    text has a word character (the regex engine's \\w) outside ASCII: that text takes the other path."""
    _function_codes(function_words)
    cdef Text t = _text(text)
    cdef Py_ssize_t counts[3]
    # (the loop typed by the text's kind, in the section "fink (session 13)")
    if t.kind == 1:
        found = _english_counts_of(<const _u8 *> t.data, t.n, counts)
    elif t.kind == 2:
        found = _english_counts_of(<const _u16 *> t.data, t.n, counts)
    else:
        found = _english_counts_of(<const _u32 *> t.data, t.n, counts)
    if not found:
        return None
    return counts[0], counts[1], counts[2]


# ---- glue (session 15) ----
#
#   FirstLetters (the words of a `Words` grouped by their first character, in order) <- the words tried one by one:
#   `_alternative_end` (fink, which specific_words and alternation_spans call) now tries at a word's start only the
#   words that begin with its first letter, in the same order, instead of every word: the same first match (tests/kernels/test_glue.py).

cdef class FirstLetters:
    """The words of a `Words` by first character: for an ASCII character c, the indices of the non-empty words
    that start with it are order[starts[c]:starts[c + 1]], in the words' order (a word starting with another
    character is in no group: `_alternative_end` matches only lower-cased ASCII there)."""
    cdef Words words  # (held: chars and offsets are its arrays)
    cdef Py_UCS4 *chars
    cdef Py_ssize_t *offsets
    cdef Py_ssize_t *order
    cdef Py_ssize_t starts[129]

    def __cinit__(self, Words words not None):
        cdef Py_ssize_t counts[128]
        cdef Py_ssize_t k, c, a, total = 0
        self.words, self.chars, self.offsets = words, words.chars, words.offsets
        self.order = <Py_ssize_t *> PyMem_Malloc((words.n + 1) * sizeof(Py_ssize_t))
        if self.order == NULL:
            raise MemoryError()
        for c in range(128):
            counts[c] = 0
        for k in range(words.n):
            a = words.offsets[k]
            if words.offsets[k + 1] > a and words.chars[a] < 128:
                counts[words.chars[a]] += 1
        for c in range(128):
            self.starts[c] = total
            total += counts[c]
            counts[c] = self.starts[c]  # (now the next free slot of the group)
        self.starts[128] = total
        for k in range(words.n):  # (in order: each group keeps the words' order)
            a = words.offsets[k]
            if words.offsets[k + 1] > a and words.chars[a] < 128:
                self.order[counts[words.chars[a]]] = k
                counts[words.chars[a]] += 1

    def __dealloc__(self):
        PyMem_Free(self.order)


cdef list _FIRST_LETTERS = []  # [(tuple, FirstLetters)]: the callers pass the same few tuples every time


cdef FirstLetters _first_letters(tuple words):
    """The FirstLetters of a tuple's `Words`, built once per tuple (`_kept`)."""
    table = _kept(_FIRST_LETTERS, words)
    if table is None:
        table = _keep(_FIRST_LETTERS, words, FirstLetters(_words(words)))
    return <FirstLetters> table


# ---- vocabulary ----
#   vocab_hashes <- scorer.text.vocab._hash_grouped_python (the terms' polynomial hashes, before the final mix)

from libc.stdint cimport uint8_t, uint64_t


def vocab_hashes(const uint8_t[::1] blob, const int64_t[::1] starts, const int64_t[::1] lengths, uint64_t base,
                 uint64_t[::1] out):
    """out[i] = the bytes of blob[starts[i]:starts[i] + lengths[i]] read as digits (byte + 1) of a number in `base`,
    modulo 2^64 (Horner's rule; 0 for an empty range), as `_hash_grouped_python` computes them before `_mix`."""
    cdef Py_ssize_t n = starts.shape[0], m = blob.shape[0], i, k, s, e
    cdef uint64_t acc
    if lengths.shape[0] != n or out.shape[0] != n:
        raise ValueError("vocab_hashes: starts, lengths and out differ in length")
    for i in range(n):
        s = starts[i]
        e = s + lengths[i]
        if s < 0 or lengths[i] < 0 or e > m:
            raise ValueError("vocab_hashes: a range outside the blob")
    with nogil:
        for i in range(n):
            acc = 0
            for k in range(starts[i], starts[i] + lengths[i]):
                acc = acc * base + (<uint64_t>blob[k] + 1)
            out[i] = acc


# ---- inputs (session 11) ----
#   tagger_marginals <- scorer.attribution.tagger.SpanTagger.marginals (forward-backward of the Source confidence)

from libc.math cimport exp as _c_exp


def tagger_marginals(const double[:, ::1] emissions, const int64_t[::1] lengths, const double[:, ::1] trans,
                     Py_ssize_t every):
    """`SpanTagger.marginals`: the posterior probability of each tag at each token, sentence by sentence (`lengths`
    tokens each, in order), with the twin's steps: each token's scores less their largest, exponentiated; alpha and
    beta through `trans` (the exponentiated transitions), rescaled to sum 1 at the positions that are multiples of
    `every`; alpha * beta normalised. The twin's products go through BLAS, whose order of additions is its own, so
    the two agree to rounding (tests/kernels/test_marginals_kernel.py: the same Source decisions on PolNeAR)."""
    import numpy as np

    cdef Py_ssize_t n_tok = emissions.shape[0], n_tags = emissions.shape[1], n_sent = lengths.shape[0]
    cdef Py_ssize_t s, pos = 0, length, t, a, b, i
    cdef double m, acc, total
    if trans.shape[0] != n_tags or trans.shape[1] != n_tags:
        raise ValueError("tagger_marginals: transitions do not fit the emissions")
    if every < 1:
        raise ValueError("tagger_marginals: every must be >= 1")
    for s in range(n_sent):
        if lengths[s] < 0:
            raise ValueError("tagger_marginals: a negative sentence length")
        pos += lengths[s]
    if pos > n_tok:
        raise ValueError("tagger_marginals: sentence lengths sum to more than the tokens")
    pos = 0
    out_a = np.zeros((n_tok, n_tags))
    if n_tok == 0 or n_tags == 0:
        return out_a
    e_a = np.empty((n_tok, n_tags))
    alpha_a = np.empty((n_tok, n_tags))
    beta_a = np.empty((n_tok, n_tags))
    cdef double[:, ::1] out = out_a, e = e_a, alpha = alpha_a, beta = beta_a
    with nogil:
        for i in range(n_tok):
            m = emissions[i, 0]
            for b in range(1, n_tags):
                if emissions[i, b] > m:
                    m = emissions[i, b]
            for b in range(n_tags):
                e[i, b] = _c_exp(emissions[i, b] - m)
        for s in range(n_sent):
            length = lengths[s]
            if length <= 0:
                continue
            for b in range(n_tags):
                alpha[pos, b] = e[pos, b]
            for t in range(1, length):
                total = 0.0
                for b in range(n_tags):
                    acc = 0.0
                    for a in range(n_tags):
                        acc = acc + alpha[pos + t - 1, a] * trans[a, b]
                    acc = acc * e[pos + t, b]
                    alpha[pos + t, b] = acc
                    total = total + acc
                if t % every == 0:
                    for b in range(n_tags):
                        alpha[pos + t, b] = alpha[pos + t, b] / total
            for b in range(n_tags):
                beta[pos + length - 1, b] = 1.0
            t = length - 2
            while t >= 0:
                total = 0.0
                for a in range(n_tags):
                    acc = 0.0
                    for b in range(n_tags):
                        acc = acc + (e[pos + t + 1, b] * beta[pos + t + 1, b]) * trans[a, b]
                    beta[pos + t, a] = acc
                    total = total + acc
                if t % every == 0:
                    for a in range(n_tags):
                        beta[pos + t, a] = beta[pos + t, a] / total
                t -= 1
            for t in range(length):
                total = 0.0
                for b in range(n_tags):
                    total = total + alpha[pos + t, b] * beta[pos + t, b]
                if total < 1e-300:
                    total = 1e-300
                for b in range(n_tags):
                    out[pos + t, b] = alpha[pos + t, b] * beta[pos + t, b] / total
            pos += length
    return out_a


# ---- fink (session 13) ----
#   corroboration_overlap <- scorer.model.support._corroboration_by_sentence (an article's corroboration and each
#                            sentence's overlap with the headline, from its sentences' texts: content words found and
#                            told apart in C, none made as a str)
#   specific_words        <- scorer.model.support.specific_words (numbers and dates of a reason; ASCII word characters)
#   alternation_spans     <- HEDGE_RE.finditer spans in scorer.model.support._hedge_words_python (ASCII word characters)
#   (english_counts' loop: `_english_counts_of`, typed by the text's kind; the corroboration kernel above shares its
#   count, `_corroborate_core`)

from cpython.mem cimport PyMem_Realloc
from libc.stdint cimport uint64_t as _u64


cdef struct _Entry:
    _u64 hash
    Py_ssize_t text      # which text holds the word's first occurrence (the stop words come first)
    Py_ssize_t start
    Py_ssize_t length
    Py_ssize_t code      # the word's code (0, 1, ...), -1 for a stop word
    Py_ssize_t last      # the last sentence that listed it (a sentence lists a word once)


cdef inline Py_UCS4 _low(Py_UCS4 ch) noexcept nogil:
    return <Py_UCS4> (<unsigned int> ch + 32) if 0x41 <= ch <= 0x5A else ch


cdef inline Py_ssize_t _content_end(Text t, Py_ssize_t p) noexcept nogil:
    """The end of the match of `support._CONTENT` at p (as `content_words` finds it), p when none starts there."""
    cdef Py_UCS4 ch = _at(t, p), c
    cdef Py_ssize_t q = p, n = t.n
    if _ascii_lower(ch) or _ascii_upper(ch):
        q = p + 1
        while q < n and _ascii_lower(_at(t, q)):
            q += 1
        if q - p < 4:  # not [A-Za-z][a-z]{3,}: then [A-Z][A-Za-z]+, or nothing here
            q = p
            if _ascii_upper(ch):
                q = p + 1
                while q < n:
                    c = _at(t, q)
                    if not (_ascii_lower(c) or _ascii_upper(c)):
                        break
                    q += 1
                if q - p < 2:
                    q = p
    elif _decimal(ch):
        q = p + 1
        while q < n:
            c = _at(t, q)
            if not (_decimal(c) or c == 0x2C or c == 0x2E):
                break
            q += 1
    return q


cdef inline bint _decimal(Py_UCS4 ch) noexcept nogil:
    """The regex engine's \\d (a Unicode decimal digit), ASCII without a call."""
    if ch < 128:
        return 0x30 <= ch <= 0x39
    return Py_UNICODE_ISDECIMAL(ch)


# The table's hash: FNV-1a from an offset basis drawn for each process, its slot from all 64 bits (`_fold`). With a
# fixed basis and the low bits as the slot, the low bits of a word's hash depend only on the low bits of its letters:
# a text of words made to share them (cheap to find offline, a meet in the middle over four letters) fell in one
# chain of slots, and each new word probed all of them (quadratic: 20,000 such words took 23 times as long as 20,000
# others). The codes are given in the order words are found: the results do not depend on the hash.
cdef _u64 _LEXICON_BASIS = 1469598103934665603ULL ^ <_u64> int.from_bytes(__import__("os").urandom(8), "little")


cdef inline _u64 _fold(_u64 h) noexcept nogil:
    return (h ^ (h >> 29) ^ (h >> 47)) * 0x9E3779B97F4A7C15ULL >> 16


cdef class _Lexicon:
    """The distinct words of an article as codes: an open-addressing table of (hash, where the word first occurs).
    A text's word is compared lower-cased (ASCII letters: the only characters of a content word that `str.lower`
    changes), a stop word as it is (`w not in stop` of the lower-cased word)."""
    cdef Text *texts
    cdef Py_ssize_t n_texts
    cdef Py_ssize_t n_stop
    cdef _Entry *entries
    cdef Py_ssize_t n_entries, cap_entries
    cdef Py_ssize_t *slots
    cdef Py_ssize_t mask
    cdef Py_ssize_t n_codes
    cdef _Lexicon stop  # the stop words' table (None in that table itself)
    cdef object keep

    def __dealloc__(self):
        PyMem_Free(self.texts)
        PyMem_Free(self.entries)
        PyMem_Free(self.slots)

    cdef int setup(self, list texts, frozenset stop) except -1:
        """A table for the words of `texts` (str), none yet; `stop`'s words are looked up in a table of their own,
        built once per set (`_stop_table`)."""
        cdef Py_ssize_t i, k = 0, total = 0
        self.stop = _stop_table(stop)
        self._allocate(len(texts))
        for text in texts:  # (the caller keeps `texts` alive while this table is used)
            if type(text) is not str:
                raise TypeError(f"corroboration_overlap: a sentence text must be str, not {type(text).__name__}")
            self.texts[k] = _text(text)
            total += self.texts[k].n
            k += 1
        self.n_texts = k
        self._reserve(total // 6)
        return 0

    cdef int _allocate(self, Py_ssize_t n_texts) except -1:
        self.texts = <Text *> PyMem_Malloc((n_texts + 1) * sizeof(Text))
        self.cap_entries = 64
        self.entries = <_Entry *> PyMem_Malloc(self.cap_entries * sizeof(_Entry))
        self.mask = 127
        self.slots = <Py_ssize_t *> PyMem_Malloc((self.mask + 1) * sizeof(Py_ssize_t))
        if self.texts == NULL or self.entries == NULL or self.slots == NULL:
            raise MemoryError()
        for i in range(self.mask + 1):
            self.slots[i] = -1
        return 0

    cdef int setup_stop(self, frozenset stop) except -1:
        """The table of the stop words themselves (each as it is: a stop word with a capital letter stops no word)."""
        cdef Py_ssize_t i, k = 0
        self.keep = stop  # (the words the table points into)
        self._allocate(len(stop))
        for word in stop:
            if type(word) is not str:
                continue  # never equal to a str
            self.texts[k] = _text(word)
            k += 1
        self.n_texts = self.n_stop = k
        self._reserve(2 * k)
        for i in range(k):
            self.find(i, 0, self.texts[i].n, True)
        return 0

    cdef bint _holds(self, _u64 h, Text b, Py_ssize_t start, Py_ssize_t length) noexcept nogil:
        """The stop table holds the word b[start:start + length] lower-cased (hash h)."""
        cdef Py_ssize_t s = <Py_ssize_t> (_fold(h) & <_u64> self.mask), i, k
        cdef _Entry *e
        cdef Text a
        while True:
            i = self.slots[s]
            if i < 0:
                return False
            e = &self.entries[i]
            if e.hash == h and e.length == length:
                a = self.texts[e.text]
                k = 0
                while k < length and _at(a, e.start + k) == _low(_at(b, start + k)):
                    k += 1
                if k == length:
                    return True
            s = (s + 1) & self.mask

    cdef bint _same(self, _Entry *e, Py_ssize_t text, Py_ssize_t start, Py_ssize_t length) noexcept nogil:
        cdef Text a = self.texts[e.text], b = self.texts[text]
        cdef Py_ssize_t k
        if e.length != length:
            return False
        for k in range(length):
            if _low(_at(a, e.start + k)) != _low(_at(b, start + k)):
                return False
        return True

    cdef int _reserve(self, Py_ssize_t words) except -1:
        """Room for about `words` entries without growing (an estimate from the texts' length: grown when short)."""
        cdef void *grown
        while 2 * words > self.mask:
            self._grow()
        if words > self.cap_entries:
            grown = PyMem_Realloc(self.entries, words * sizeof(_Entry))
            if grown == NULL:
                raise MemoryError()
            self.entries = <_Entry *> grown
            self.cap_entries = words
        return 0

    cdef int _grow(self) except -1:
        cdef Py_ssize_t i, s, cap = 2 * (self.mask + 1)
        cdef Py_ssize_t *slots = <Py_ssize_t *> PyMem_Malloc(cap * sizeof(Py_ssize_t))
        if slots == NULL:
            raise MemoryError()
        for s in range(cap):
            slots[s] = -1
        for i in range(self.n_entries):
            s = <Py_ssize_t> (_fold(self.entries[i].hash) & <_u64> (cap - 1))
            while slots[s] >= 0:
                s = (s + 1) & (cap - 1)
            slots[s] = i
        PyMem_Free(self.slots)
        self.slots, self.mask = slots, cap - 1
        return 0

    cdef _Entry *find(self, Py_ssize_t text, Py_ssize_t start, Py_ssize_t length, bint stop) except NULL:
        """The entry of the word text[start:start + length] (lower-cased, or as it is for a stop word), added when
        new."""
        cdef Text t = self.texts[text]
        cdef _u64 h = _LEXICON_BASIS
        cdef Py_ssize_t k, s, i
        cdef _Entry *e
        cdef void *grown
        for k in range(length):
            h = (h ^ <_u64> (_at(t, start + k) if stop else _low(_at(t, start + k)))) * 1099511628211ULL
        s = <Py_ssize_t> (_fold(h) & <_u64> self.mask)
        while True:
            i = self.slots[s]
            if i < 0:
                break
            e = &self.entries[i]
            if e.hash == h and (self._same_stop(e, text, start, length) if stop
                                else self._same(e, text, start, length)):
                return e
            s = (s + 1) & self.mask
        if self.n_entries == self.cap_entries:
            grown = PyMem_Realloc(self.entries, 2 * self.cap_entries * sizeof(_Entry))
            if grown == NULL:
                raise MemoryError()
            self.entries = <_Entry *> grown
            self.cap_entries *= 2
        i = self.n_entries
        self.n_entries += 1
        e = &self.entries[i]
        e.hash, e.text, e.start, e.length, e.last = h, text, start, length, -1
        if stop or (self.stop is not None and self.stop._holds(h, t, start, length)):
            e.code = -1
        else:
            e.code = self.n_codes
            self.n_codes += 1
        self.slots[s] = i
        if 2 * self.n_entries > self.mask:
            self._grow()
            e = &self.entries[i]
        return e

    cdef bint _same_stop(self, _Entry *e, Py_ssize_t text, Py_ssize_t start, Py_ssize_t length) noexcept nogil:
        """A stop word against an entry (only stop words are in the table yet): both as they are."""
        cdef Text a = self.texts[e.text], b = self.texts[text]
        cdef Py_ssize_t k
        if e.length != length:
            return False
        for k in range(length):
            if _at(a, e.start + k) != _at(b, start + k):
                return False
        return True


cdef object _STOP_KEY = None  # the stop set of _STOP_TABLE
cdef _Lexicon _STOP_TABLE = None


cdef _Lexicon _stop_table(frozenset stop):
    """The table of a stop set, built once per set (the callers pass the same set every time)."""
    global _STOP_KEY, _STOP_TABLE
    if stop is not _STOP_KEY:
        table = _Lexicon()
        table.setup_stop(stop)
        _STOP_KEY, _STOP_TABLE = stop, table
    return _STOP_TABLE


def corroboration_overlap(list texts not None, list labels not None, Py_ssize_t headline, Py_ssize_t min_shared,
                          str opinion not None, frozenset stop not None):
    """`support._corroboration_by_sentence(texts, labels, headline, min_shared)` with `support._STOP` as `stop`:
    (for each sentence the sentence it is corroborated by or None, as `corroboration`; for each sentence the number
    of content words it shares with sentence `headline`, or None when `headline` is -1). A sentence's content words
    are those of `content_words` (the matches of `support._CONTENT`, lower-cased, not in `stop`), each listed once."""
    cdef Py_ssize_t n = len(texts), i, p, q, n_items = 0, cap_items = 64
    cdef _Lexicon lex = _Lexicon()
    cdef _Entry *e
    cdef Text t
    cdef Py_ssize_t *starts = NULL
    cdef Py_ssize_t *item = NULL
    cdef char *mark = NULL
    cdef void *grown
    cdef list out = [None] * n
    cdef list overlap = None
    if headline < -1 or headline >= n:
        raise IndexError("corroboration_overlap: headline out of range")
    if len(labels) < n:  # as the twin's labels[i]
        raise IndexError("list index out of range")
    lex.setup(texts, stop)
    for i in range(n):
        cap_items += lex.texts[i].n // 6
    try:
        starts = <Py_ssize_t *> PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        item = <Py_ssize_t *> PyMem_Malloc(cap_items * sizeof(Py_ssize_t))
        if starts == NULL or item == NULL:
            raise MemoryError()
        # each sentence's words as codes, each once, in the order found
        starts[0] = 0
        for i in range(n):
            t = lex.texts[i]
            p = 0
            while p < t.n:
                q = _content_end(t, p)
                if q == p:
                    p += 1
                    continue
                e = lex.find(i, p, q - p, False)
                if e.code >= 0 and e.last != i:
                    e.last = i
                    if n_items == cap_items:
                        grown = PyMem_Realloc(item, 2 * cap_items * sizeof(Py_ssize_t))
                        if grown == NULL:
                            raise MemoryError()
                        item = <Py_ssize_t *> grown
                        cap_items *= 2
                    item[n_items] = e.code
                    n_items += 1
                p = q
            starts[i + 1] = n_items
        if n:
            _corroborate_core(n, starts, item, lex.n_codes, labels, opinion, min_shared, out)
        if headline >= 0:
            mark = <char *> PyMem_Malloc(lex.n_codes + 1)
            if mark == NULL:
                raise MemoryError()
            for p in range(lex.n_codes):
                mark[p] = 0
            for p in range(starts[headline], starts[headline + 1]):
                mark[item[p]] = 1
            overlap = [0] * n
            for i in range(n):
                q = 0
                for p in range(starts[i], starts[i + 1]):
                    q += mark[item[p]]
                overlap[i] = q
    finally:
        PyMem_Free(starts)
        PyMem_Free(item)
        PyMem_Free(mark)
    return out, overlap


cdef int _corroborate_core(Py_ssize_t n, const Py_ssize_t *starts, const Py_ssize_t *item, Py_ssize_t n_ids,
                           list labels, str opinion, Py_ssize_t min_shared, list out) except -1:
    """`corroboration`'s count: sentence i's words are the codes item[starts[i]:starts[i + 1]] (codes < n_ids); the
    result goes in `out` (n Nones). labels has at least n items."""
    cdef Py_ssize_t i, j, k, m, w, total, top, best, dist, best_dist, n_touched, n_items = starts[n]
    cdef dict codes = {}
    cdef Py_ssize_t *df = <Py_ssize_t *> PyMem_Malloc((n_ids + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *post_start = <Py_ssize_t *> PyMem_Malloc((n_ids + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *post = <Py_ssize_t *> PyMem_Malloc((n_items + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *fill = <Py_ssize_t *> PyMem_Malloc((n_ids + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *label = <Py_ssize_t *> PyMem_Malloc(n * sizeof(Py_ssize_t))
    cdef Py_ssize_t *count = <Py_ssize_t *> PyMem_Malloc(n * sizeof(Py_ssize_t))
    cdef Py_ssize_t *touched = <Py_ssize_t *> PyMem_Malloc(n * sizeof(Py_ssize_t))
    try:
        if (df == NULL or post_start == NULL or post == NULL or fill == NULL or label == NULL or count == NULL
                or touched == NULL):
            raise MemoryError()
        # labels as small codes; the opinion label is code -1 (its sentences never corroborate)
        for i in range(n):
            lab = labels[i]
            if lab == opinion:
                label[i] = -1
                continue
            code = codes.get(lab)
            if code is None:
                code = codes[lab] = len(codes)
            label[i] = code
        # postings of each word: the sentences holding it, in order (a sentence once per listing of the word)
        for w in range(n_ids):
            df[w] = 0
        for k in range(n_items):
            df[item[k]] += 1
        post_start[0] = 0
        for w in range(n_ids):
            post_start[w + 1] = post_start[w] + df[w]
            fill[w] = post_start[w]
        for i in range(n):
            for k in range(starts[i], starts[i + 1]):
                w = item[k]
                post[fill[w]] = i
                fill[w] += 1
        for i in range(n):
            count[i] = 0
        for i in range(n):
            total = 0
            n_touched = 0
            for k in range(starts[i], starts[i + 1]):
                w = item[k]
                if df[w] < 2 or df[w] > 50:
                    continue
                for m in range(post_start[w], post_start[w + 1]):
                    j = post[m]
                    if label[j] < 0 or label[j] == label[i]:  # the opinion, or the same type
                        continue
                    if count[j] == 0:
                        touched[n_touched] = j
                        n_touched += 1
                    count[j] += 1
                    total += 1
            if total and total >= min_shared:
                top = 0
                for k in range(n_touched):
                    if count[touched[k]] > top:
                        top = count[touched[k]]
                if top >= min_shared:
                    best = -1
                    best_dist = 0
                    for k in range(n_touched):
                        j = touched[k]
                        if count[j] != top:
                            continue
                        dist = j - i if j > i else i - j
                        if best < 0 or dist < best_dist or (dist == best_dist and j < best):
                            best, best_dist = j, dist
                    out[i] = best
            for k in range(n_touched):
                count[touched[k]] = 0
    finally:
        PyMem_Free(df)
        PyMem_Free(post_start)
        PyMem_Free(post)
        PyMem_Free(fill)
        PyMem_Free(label)
        PyMem_Free(count)
        PyMem_Free(touched)
    return 0


cdef inline bint _word_at(Text t, Py_ssize_t i) noexcept nogil:
    """text[i] is a word character (the regex engine's \\w); False outside the text."""
    return 0 <= i < t.n and _word(_at(t, i))


cdef inline bint _boundary_at(Text t, Py_ssize_t i) noexcept nogil:
    """The regex engine's \\b at i."""
    return _word_at(t, i - 1) != _word_at(t, i)


cdef inline Py_ssize_t _word_end(Text t, Py_ssize_t p) noexcept nogil:
    """The end of the run of word characters (\\w) from p."""
    while p < t.n and _word(_at(t, p)):
        p += 1
    return p


cdef inline bint _ascii_digit(Py_UCS4 ch) noexcept nogil:
    return 0x30 <= ch <= 0x39


cdef Py_ssize_t _alternative_end(Text t, Py_ssize_t p, FirstLetters index) noexcept nogil:
    """Where `(w1|w2|...)\\b` matches at p, case-insensitively, for lower-case ASCII words (phrases): the end of the
    first word (in order) found there with a word boundary after it; -1 when none. Only for text whose word
    characters are all ASCII (no other character then matches an ASCII letter case-insensitively). Session 15: only
    the words that start with the letter at p are tried (`FirstLetters`, in their order: the same first match)."""
    cdef Py_ssize_t g, k, a, m, j
    cdef Py_UCS4 first = _low(_at(t, p))
    cdef Py_ssize_t c = <Py_ssize_t> first
    if first >= 128:
        return -1
    for g in range(index.starts[c], index.starts[c + 1]):
        k = index.order[g]
        a = index.offsets[k]
        m = index.offsets[k + 1] - a
        if p + m > t.n:
            continue
        j = 1
        while j < m and _low(_at(t, p + j)) == index.chars[a + j]:
            j += 1
        if j == m and _boundary_at(t, p + m):
            return p + m
    return -1


cdef bint _ascii_words_only(Text t) noexcept nogil:
    """Every word character of the text (\\w) is ASCII."""
    cdef Py_ssize_t p
    cdef Py_UCS4 ch
    if t.kind == 1:
        for p in range(t.n):
            ch = _at(t, p)
            if ch >= 128 and _word(ch):
                return False
        return True
    for p in range(t.n):
        ch = _at(t, p)
        if ch >= 128 and _word(ch):
            return False
    return True


cdef bint _one_as_pronoun(Text t, Py_ssize_t q) noexcept nogil:
    """The token after q (`support._WORD_SPAN`'s first match from q) is "of", "another" (any case) or none: "one"
    ending at q is a pronoun or quantifier, not a number."""
    cdef Py_ssize_t r = q, s
    cdef Py_UCS4 ch
    while r < t.n and Py_UNICODE_ISSPACE(_at(t, r)):
        r += 1
    if r == t.n:
        return True
    if not (_ascii_lower(_at(t, r)) or _ascii_upper(_at(t, r))):
        return False  # a number or one other character
    s = r + 1
    while s < t.n:
        ch = _at(t, s)
        if not (_ascii_lower(ch) or _ascii_upper(ch) or ch == 0x27 or ch == RIGHT_SQ or ch == 0x2D):
            break
        s += 1
    if s - r == 2:
        return _low(_at(t, r)) == 0x6F and _low(_at(t, r + 1)) == 0x66  # of
    if s - r == 7:
        return (_low(_at(t, r)) == 0x61 and _low(_at(t, r + 1)) == 0x6E and _low(_at(t, r + 2)) == 0x6F
                and _low(_at(t, r + 3)) == 0x74 and _low(_at(t, r + 4)) == 0x68 and _low(_at(t, r + 5)) == 0x65
                and _low(_at(t, r + 6)) == 0x72)  # another
    return False


def specific_words(str text not None, tuple number_words not None, tuple date_words not None,
                   frozenset relative not None):
    """`support.specific_words(text)` for text whose word characters are all ASCII (None for other text: the twin
    reads it), given the words of `cues.NUMBER_RE` and `cues.DATE_RE` (lower-case ASCII, in the patterns' order) and
    `support.RELATIVE_DATES`: the first two matches of `\\b\\d[\\d,.]*\\b|\\b(number words)\\b` that are not "one"
    before "of", "another" or nothing, then the first two of `\\b(date words|(19|20)\\d\\d)\\b` that are not relative
    dates, as written."""
    cdef Text t = _text(text)
    cdef FirstLetters numbers = _first_letters(number_words), dates = _first_letters(date_words)
    cdef Py_ssize_t p = 0, q, top, n = t.n, found = 0
    cdef Py_UCS4 ch
    cdef list out = []
    if not _ascii_words_only(t):
        return None
    while p < n and found < 2:
        q = -1
        if _word_at(t, p) and not _word_at(t, p - 1):  # \b before a word character
            ch = _at(t, p)
            if _ascii_digit(ch):  # \d[\d,.]*\b: the longest run that ends at a word boundary
                top = p + 1
                while top < n and (_ascii_digit(_at(t, top)) or _at(t, top) == 0x2C or _at(t, top) == 0x2E):
                    top += 1
                q = top
                while q > p and not _boundary_at(t, q):
                    q -= 1
                if q == p:
                    q = -1
            if q < 0:
                q = _alternative_end(t, p, numbers)
            if q < 0:  # no match starts in this word: the next one can start after it
                p = _word_end(t, p)
                continue
        if q < 0:
            p += 1
            continue
        if not (q - p == 3 and _low(_at(t, p)) == 0x6F and _low(_at(t, p + 1)) == 0x6E
                and _low(_at(t, p + 2)) == 0x65 and _one_as_pronoun(t, q)):
            out.append(text[p:q])
            found += 1
        p = q
    p = 0
    found = 0
    while p < n and found < 2:
        q = -1
        if _word_at(t, p) and not _word_at(t, p - 1):
            q = _alternative_end(t, p, dates)
            if q < 0 and p + 4 <= n and ((_at(t, p) == 0x31 and _at(t, p + 1) == 0x39)
                                         or (_at(t, p) == 0x32 and _at(t, p + 1) == 0x30)) \
                    and _ascii_digit(_at(t, p + 2)) and _ascii_digit(_at(t, p + 3)) and _boundary_at(t, p + 4):
                q = p + 4
            if q < 0:
                p = _word_end(t, p)
                continue
        if q < 0:
            p += 1
            continue
        word = text[p:q]
        if word.lower() not in relative:
            out.append(word)
            found += 1
        p = q
    return out



# english_counts' loop, typed by the text's kind, and its function words as a hash set (`_function_codes` fills both)

from libc.stdint cimport uint8_t as _u8, uint16_t as _u16, uint32_t as _u32

ctypedef fused _chars:  # a str's code units by its kind (1, 2 or 4 bytes)
    _u8
    _u16
    _u32

cdef int64_t _FUNCTION_TABLE[2048]  # the codes of _FUNCTION_CODES by hash, 0 for an empty slot (no code is 0)
cdef Py_ssize_t _FUNCTION_LONGEST = 0  # letters of the longest function word


cdef inline Py_ssize_t _function_slot(int64_t code) noexcept nogil:
    return <Py_ssize_t> ((<_u64> code * 0x9E3779B97F4A7C15ULL) >> 53)


cdef void _function_table() noexcept:
    global _FUNCTION_LONGEST
    cdef Py_ssize_t k, s, letters
    cdef int64_t code
    for s in range(2048):
        _FUNCTION_TABLE[s] = 0
    _FUNCTION_LONGEST = 0
    for k in range(_N_FUNCTION):
        code = _FUNCTION_CODES[k]
        s = _function_slot(code)
        while _FUNCTION_TABLE[s] != 0:
            s = (s + 1) & 2047
        _FUNCTION_TABLE[s] = code
        letters = 0
        while code >> (5 * letters):
            letters += 1
        if letters > _FUNCTION_LONGEST:
            _FUNCTION_LONGEST = letters


cdef inline bint _is_function(int64_t code) noexcept nogil:
    cdef Py_ssize_t s = _function_slot(code)
    while _FUNCTION_TABLE[s] != 0:
        if _FUNCTION_TABLE[s] == code:
            return True
        s = (s + 1) & 2047
    return False


cdef bint _english_counts_of(const _chars *d, Py_ssize_t n, Py_ssize_t *counts) noexcept nogil:
    """`english_counts` of the text d[:n] into counts (letters, words, function words); False when the text has a
    word character outside ASCII. A word's code is `_letters_code` of its letters lower-cased, made as it is read."""
    cdef Py_ssize_t p = 0, q, letters = 0, words = 0, function = 0
    cdef _u32 ch
    cdef int64_t code
    while p < n:
        ch = d[p]
        if not (0x61 <= (ch | 0x20) <= 0x7A):  # not an ASCII letter
            if ch >= 128 and _word(<Py_UCS4> ch):
                return False
            p += 1
            continue
        q = p
        code = 0
        while q < n:
            ch = d[q]
            if not (0x61 <= (ch | 0x20) <= 0x7A):
                break
            if q - p < 12:
                code |= (<int64_t> ((ch | 0x20) - 0x60)) << (5 * (q - p))
            q += 1
        letters += q - p
        words += 1
        if q - p <= _FUNCTION_LONGEST and _is_function(code):
            function += 1
        p = q
    counts[0], counts[1], counts[2] = letters, words, function
    return True


def alternation_spans(str text not None, tuple words not None):
    """The (start, end) of each match of `\\b(w1|w2|...)\\b` (case-insensitive; `words`: lower-case ASCII words or
    phrases of words joined by one space, in the pattern's order) in `text`, as `finditer` finds them, for text whose
    word characters are all ASCII; None for other text (the regex reads it)."""
    cdef Text t = _text(text)
    cdef FirstLetters table = _first_letters(words)
    cdef Py_ssize_t p = 0, q, n = t.n
    cdef list out = []
    if not _ascii_words_only(t):
        return None
    while p < n:
        if _word_at(t, p) and not _word_at(t, p - 1):  # \b before a word character (each word starts with a letter)
            q = _alternative_end(t, p, table)
            if q >= 0:
                out.append((p, q))
                p = q
                continue
            p = _word_end(t, p)  # (no match starts in this word)
            continue
        p += 1
    return out


# ---- rowk (session 14) ----
#
#   report_rows <- scorer.pipeline.sentence_rows (the report's sentence rows of one article, from source columns whose
#                  cells are None, str or int: the pipeline's "plain" case; None for any other, which the twin reads)
#   reason_lists <- the loop of scorer.model.support.reasons_many (each sentence's reasons from its usable cells)
#
# The rows are the twin's dicts, key for key in the same order, built with PyDict_SetItem instead of one dict display
# and a dozen look-ups per row of interpreted code: the work is object creation, the win is the interpreter's.

from cpython.dict cimport PyDict_Copy, PyDict_SetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.tuple cimport PyTuple_GET_ITEM


# the keys of a row, in their order (`pipeline.sentence_rows`)
_ROW_KEYS = ("index", "start", "end", "text", "attribution_type", "probabilities", "source", "cue", "source_phrase",
             "via", "source_span", "cue_span", "content_span", "support", "support_grade", "reasons",
             "corroborated_by", "is_headline")


cdef inline object _cell(list values, Py_ssize_t k):
    """values[k], k checked against the list's size as it is now: the cyclic collector, which can run at any allocation,
    runs finalizers (code of the caller's) that can shrink a list or replace its items after the checks of
    `report_rows` (RuntimeError then)."""
    if <size_t> k >= <size_t> PyList_GET_SIZE(values):
        raise RuntimeError("report_rows: a list changed while the rows were made")
    return <object> PyList_GET_ITEM(values, k)


cdef inline object _changed():
    raise RuntimeError("report_rows: a list changed while the rows were made")


cdef inline object _row_span(object start, object end):
    """`pipeline._plain_span`: [start, end], or None when either is."""
    if start is None or end is None:
        return None
    return [start, end]


def report_rows(list sentences not None, list kept not None, list labels not None, list probabilities not None,
                tuple label_names not None, list columns not None, list support not None, list grades not None,
                list reasons not None, list corroborated not None, object headline, type sentence not None):
    """`pipeline.sentence_rows` of the plain case: `columns` the model inputs' source columns in the order of
    `pipeline._SOURCE_COLUMNS`, each sentence's values at its row kept[i]. None (the twin reads them) unless every
    cell of the columns is None, str or int, every sentence of the type `sentence` (a NamedTuple (start, end, text)),
    every label and label name a str, every row kept[i] an int inside the columns, every sentence's probabilities a
    list and the headline None or an int: then no code of the caller's runs while the rows are made (no __eq__,
    __hash__ or __getitem__ of theirs) but finalizers the cyclic collector runs: every read of a list is checked
    against the list as it is then (`_cell`; RuntimeError when a finalizer changed one). ValueError when the lists'
    lengths do not fit."""
    cdef Py_ssize_t n = len(sentences), i, k, j, n_rows, n_labels = len(label_names), head = -1
    cdef list source_col, cue_col, inherited_col, type_col, refers_col, via_col
    cdef list source_start, source_end, cue_start, cue_end, content_start, content_end
    cdef list rows = [], row_probs
    cdef dict row, probs, row_template, probs_template
    cdef object label, phrase, cue, refers, inherited, sent, index, cell, column
    cdef bint attributed
    if not issubclass(sentence, tuple):  # (the sentences are read as tuples: `sentence` another type would be unsafe)
        raise TypeError(f"report_rows: the sentence type must be a tuple type, not {sentence.__name__}")
    if len(columns) != 12 or not all(type(c) is list for c in columns):
        raise ValueError("report_rows: columns must be the 12 source columns, as lists")
    (source_col, cue_col, inherited_col, type_col, refers_col, via_col, source_start, source_end, cue_start, cue_end,
     content_start, content_end) = columns
    n_rows = len(source_col)
    if any(len(c) != n_rows for c in columns):
        raise ValueError("report_rows: the source columns differ in length")
    if not (len(kept) == len(labels) == len(probabilities) == len(support) == len(grades) == len(reasons)
            == len(corroborated) == n):
        raise ValueError("report_rows: one value of each list per sentence")
    for column in columns:  # the plain case only: every cell None, str or int (exactly: `pipeline._PLAIN_CELLS`)
        for j in range(n_rows):
            cell = _cell(<list> column, j)
            if not (cell is None or type(cell) is str or type(cell) is int):
                return None
    if headline is not None:
        if type(headline) is not int:
            return None
        head = headline if 0 <= headline < n else -1  # (no row is the headline: `i == headline` is false for all)
    for j in range(n_labels):
        if type(<object> PyTuple_GET_ITEM(label_names, j)) is not str:
            return None
    for i in range(n):
        cell = _cell(kept, i)
        if type(cell) is not int or not 0 <= cell < n_rows:
            return None
        sent = _cell(sentences, i)
        if (type(sent) is not sentence or len(<tuple> sent) < 3 or type(_cell(labels, i)) is not str
                or type(_cell(probabilities, i)) is not list):
            return None
    # each dict a copy of a template with its keys in order (a copy of a dict without deletions copies its table at
    # once; setting a key it holds never resizes it)
    row_template, probs_template = dict.fromkeys(_ROW_KEYS), dict.fromkeys(label_names)
    for i in range(n):
        # (read again, checked again: a finalizer may have changed them since the checks above)
        cell = _cell(kept, i)
        k = <Py_ssize_t> cell if type(cell) is int else -1  # (-1: _cell raises)
        label = _cell(labels, i)
        if label == "editorial_opinion":
            phrase = cue = refers = None
            attributed = False
        else:
            inherited = _cell(inherited_col, k)
            if label == "outlet_claim" and _cell(type_col, k) != "outlet_claim":
                phrase = cue = refers = None
            else:
                phrase = _cell(source_col, k)
                cue = _cell(cue_col, k)
                if phrase is None and inherited:
                    phrase, cue, refers = inherited, None, None
                else:
                    refers = _cell(refers_col, k)
            attributed = phrase is not None or cue is not None or (label != "outlet_claim" and bool(inherited))
        sent = _cell(sentences, i)
        cell = _cell(probabilities, i)
        if type(sent) is not sentence or len(<tuple> sent) < 3 or type(cell) is not list:
            _changed()
        row_probs = <list> cell
        if len(row_probs) == n_labels:
            probs = PyDict_Copy(probs_template)
        else:  # (zip's length: the shorter)
            probs = {}
        for j in range(min(n_labels, len(row_probs))):  # (dict(zip(LABELS, probabilities[i])))
            PyDict_SetItem(probs, <object> PyTuple_GET_ITEM(label_names, j), _cell(row_probs, j))
        index = i
        row = PyDict_Copy(row_template)
        PyDict_SetItem(row, "index", index)
        PyDict_SetItem(row, "start", <object> PyTuple_GET_ITEM(sent, 0))
        PyDict_SetItem(row, "end", <object> PyTuple_GET_ITEM(sent, 1))
        PyDict_SetItem(row, "text", <object> PyTuple_GET_ITEM(sent, 2))
        PyDict_SetItem(row, "attribution_type", label)
        PyDict_SetItem(row, "probabilities", probs)
        PyDict_SetItem(row, "source", refers or phrase)
        PyDict_SetItem(row, "cue", cue)
        PyDict_SetItem(row, "source_phrase", phrase)
        PyDict_SetItem(row, "via", _cell(via_col, k))
        PyDict_SetItem(row, "source_span",
                       _row_span(_cell(source_start, k), _cell(source_end, k)) if phrase is not None else None)
        PyDict_SetItem(row, "cue_span", _row_span(_cell(cue_start, k), _cell(cue_end, k)) if cue is not None else None)
        PyDict_SetItem(row, "content_span",
                       _row_span(_cell(content_start, k), _cell(content_end, k)) if attributed else None)
        PyDict_SetItem(row, "support", _cell(support, i))
        PyDict_SetItem(row, "support_grade", _cell(grades, i))
        PyDict_SetItem(row, "reasons", _cell(reasons, i))
        PyDict_SetItem(row, "corroborated_by", _cell(corroborated, i))
        PyDict_SetItem(row, "is_headline", i == head)
        rows.append(row)
    return rows


def reason_lists(list cells not None, list bounds not None, list table not None, list texts not None,
                 list corroborated not None, list labels not None, Py_ssize_t limit):
    """The loop of `support.reasons_many`: sentence i's reasons from its cells cells[bounds[i]:bounds[i + 1]] (codes
    into `table`, strongest first), each the table's entry: None (none), a str, or a function (text, corroborated_by,
    label, found_in) giving one or None (`found_in`: one dict per sentence, made when a function is first called);
    a reason is kept when true and not kept already, up to `limit`. The codes and bounds are checked first."""
    cdef Py_ssize_t n = len(texts), n_cells = len(cells), n_table = len(table), i, k, code, start, end
    cdef list out = [], reasons
    cdef object reason, found_in, text
    # (copies: the table's functions are the caller's code, which runs in the loop and could change the lists)
    cdef tuple cell_codes = tuple(cells), ends = tuple(bounds), entries = tuple(table), sentence_texts = tuple(texts)
    cdef tuple corroborations = tuple(corroborated), sentence_labels = tuple(labels)
    if len(ends) != n + 1 or len(corroborations) < n or len(sentence_labels) < n:
        raise ValueError("reason_lists: one bound more than the sentences, a corroboration and a label each")
    for k in range(n + 1):
        if type(ends[k]) is not int:
            raise TypeError("reason_lists: the bounds must be ints")
        code = ends[k]
        if not 0 <= code <= n_cells or (k and code < <Py_ssize_t> <object> PyTuple_GET_ITEM(ends, k - 1)):
            raise ValueError(f"reason_lists: the bounds must rise from 0 to at most {n_cells}")
    for k in range(n_cells):
        if type(cell_codes[k]) is not int:
            raise TypeError("reason_lists: the cells must be ints")
        code = cell_codes[k]
        if not 0 <= code < n_table:
            raise ValueError(f"reason_lists: a cell's code {code} outside the table of {n_table}")
    for i in range(n):
        start = <Py_ssize_t> <object> PyTuple_GET_ITEM(ends, i)
        end = <Py_ssize_t> <object> PyTuple_GET_ITEM(ends, i + 1)
        reasons = []
        found_in = None
        text = <object> PyTuple_GET_ITEM(sentence_texts, i)
        for k in range(start, end):
            reason = <object> PyTuple_GET_ITEM(entries, <Py_ssize_t> <object> PyTuple_GET_ITEM(cell_codes, k))
            if reason is not None and type(reason) is not str:
                if found_in is None:
                    found_in = {}
                reason = reason(text, <object> PyTuple_GET_ITEM(corroborations, i),
                                <object> PyTuple_GET_ITEM(sentence_labels, i), found_in)
            if reason and reason not in reasons:
                reasons.append(reason)
            if len(reasons) == limit:
                break
        out.append(reasons)
    return out


# ---- kglue (session 16) ----
#
#   quotes_left_open <- scorer.attribution.spans.quotes_left_open_python (per sentence of an article: a quotation still
#                       open at its end, which does not close it: the state `ArticleSources.add` carries to the next)

def quotes_left_open(list texts not None):
    """Per text: it does not end with ” or " and a quotation is open at its end (`quotes.ends_quoted`: “ opens one, a
    straight quote opens one when none is open and closes the one it opened, ” closes one that is open), as a list of
    bools; None (the twin runs) when an item is not an exact str."""
    cdef Py_ssize_t k, i, n = PyList_GET_SIZE(texts)
    cdef Text t
    cdef Py_UCS4 ch
    cdef int state
    cdef object item
    cdef list out = [False] * n
    for k in range(n):
        if k >= PyList_GET_SIZE(texts):  # (no code of the caller's runs in this loop; checked all the same)
            raise RuntimeError("quotes_left_open: the list changed")
        item = <object> PyList_GET_ITEM(texts, k)
        if type(item) is not str:
            return None
        t = _text(<str> item)
        if t.n == 0:
            continue
        ch = _at(t, t.n - 1)
        if ch == RIGHT_DQ or ch == 0x22:
            continue
        state = 0
        for i in range(t.n):
            state = _quote_step(_at(t, i), state)
        if state:
            out[k] = True
    return out
