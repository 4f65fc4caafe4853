"""The optional compiled kernels: which implementation of a hot loop runs.

`_scorer_kernels` is a separate top-level extension module (built from `_scorer_kernels.pyx` by `pip install .`
where a C compiler works). Each of its functions has a pure-Python twin in the package, which is the reference and
gives identical results (tests/kernels). The twin runs when the module is not installed, when it was built from
another version of the kernels (a stale build), or when the environment variable SCORER_KERNELS is 0 when the
package is imported. `STATUS` says which path is active; `scorer.kernels` gives it too.
"""
from __future__ import annotations

import os

# The kernels' interface version: equal to `_scorer_kernels.VERSION` of a build this code can use.
VERSION = 11


def _load():
    if os.environ.get("SCORER_KERNELS", "").strip() == "0":
        return None, "python (compiled kernels disabled: SCORER_KERNELS=0)"
    try:
        import _scorer_kernels
    except ImportError:
        return None, "python (compiled kernels not installed)"
    found = getattr(_scorer_kernels, "VERSION", None)
    if found != VERSION:
        return None, f"python (installed kernels are version {found}, this code needs {VERSION}: reinstall)"
    return _scorer_kernels, "compiled"


compiled, STATUS = _load()
ACTIVE = compiled is not None


def pick(name: str, twin):
    """The compiled kernel `name` when the kernels are active, else `twin` (the pure-Python implementation)."""
    return getattr(compiled, name) if compiled is not None else twin


def viterbi(emissions, lengths, transitions):
    """The compiled `SpanTagger.viterbi`: best tag index of each token of the sentences (`lengths` tokens each)."""
    import numpy as np  # the text layer does not need numpy otherwise

    emissions = np.ascontiguousarray(emissions, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    transitions = np.ascontiguousarray(transitions, dtype=np.float64)
    # the kernel runs without bounds checks: its shapes are checked here, as the numpy twin's indexing would
    if emissions.ndim != 2 or transitions.shape != (emissions.shape[1], emissions.shape[1]):
        raise ValueError(f"viterbi: emissions {emissions.shape} and transitions {transitions.shape} do not fit")
    if lengths.ndim != 1 or (len(lengths) and (lengths.min() < 0 or lengths.sum() > len(emissions))):
        raise ValueError(f"viterbi: sentence lengths must be >= 0 and sum to at most {len(emissions)} tokens")
    return compiled.viterbi(emissions, lengths, transitions)


def tagger_emissions(rows, lengths, table, bias, joint, codes):
    """The compiled `SpanTagger.emissions`: state scores of the tokens from their words' rows of the word table
    (n_words, offsets, tags), the sentences' token counts, the bias, and the rows `codes` (n_tokens, groups) of
    `joint`."""
    import numpy as np

    rows = np.ascontiguousarray(rows, dtype=np.int64)
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    table = np.ascontiguousarray(table, dtype=np.float64)
    bias = np.ascontiguousarray(bias, dtype=np.float64)
    joint = np.ascontiguousarray(joint, dtype=np.float64)
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    # the kernel runs without bounds checks: its shapes and indices are checked here, as the numpy twin's indexing
    # would
    n_tags = bias.shape[0] if bias.ndim == 1 else -1
    if table.ndim != 3 or table.shape[1] % 2 == 0 or table.shape[2] != n_tags or joint.ndim != 2 \
            or joint.shape[1] != n_tags or rows.ndim != 1 or codes.ndim != 2 or codes.shape[0] != len(rows):
        raise ValueError(f"tagger_emissions: table {table.shape}, bias {bias.shape}, joint {joint.shape}, rows "
                         f"{rows.shape} and codes {codes.shape} do not fit")
    if lengths.ndim != 1 or (len(lengths) and lengths.min() < 0) or int(lengths.sum()) != len(rows):
        raise ValueError(f"tagger_emissions: sentence lengths must be >= 0 and sum to the {len(rows)} tokens")
    if len(rows) and (rows.min() < 0 or rows.max() >= len(table)):
        raise ValueError(f"tagger_emissions: word rows must be in [0, {len(table)})")
    if codes.size and (codes.min() < 0 or codes.max() >= len(joint)):
        raise ValueError(f"tagger_emissions: token feature rows must be in [0, {len(joint)})")
    return compiled.tagger_emissions(rows, lengths, table, bias, joint, codes)


def tagger_tokens(texts, bases):
    """The compiled `scorer.attribution.tagger._tokenise`: (words, article starts, tokens per text) of the texts (each
    a sentence's text, its offset in its article in `bases`)."""
    texts, bases = list(texts), list(bases)
    if len(texts) != len(bases):  # (the kernel reads the lists without bounds checks; it refuses a text not a str)
        raise ValueError(f"tagger_tokens: {len(texts)} texts but {len(bases)} offsets")
    return compiled.tagger_tokens(texts, bases)


def tagger_codes(props, lengths, state, pos_bucket, rpos_bucket, dist_bucket):
    """The compiled token codes of `scorer.attribution.tagger.batch_tokens`: a (10, n_tokens) array, a row per
    group of `GROUPS` in order."""
    import numpy as np

    props, lengths, state, pos_bucket, rpos_bucket, dist_bucket = (
        np.ascontiguousarray(a, dtype=np.int64) for a in (props, lengths, state, pos_bucket, rpos_bucket, dist_bucket))
    if props.ndim != 1 or state.shape != props.shape or lengths.ndim != 1 \
            or (len(lengths) and lengths.min() < 0) or int(lengths.sum()) != len(props):
        raise ValueError(f"tagger_codes: {props.shape} properties, {state.shape} quote states and sentence lengths "
                         f"summing to {int(lengths.sum())} do not fit")
    if min(len(pos_bucket), len(rpos_bucket), len(dist_bucket)) < 1:
        raise ValueError("tagger_codes: empty bucket table")
    return compiled.tagger_codes(props, lengths, state, pos_bucket, rpos_bucket, dist_bucket)


def tagger_marginals(emissions, lengths, trans, every):
    """The compiled `SpanTagger.marginals`: posterior tag probabilities (n_tokens, n_tags) of the sentences' tokens
    (`lengths` tokens each), from the exponentiated transitions `trans`, rescaling every `every` positions."""
    import numpy as np

    emissions = np.ascontiguousarray(emissions, dtype=np.float64)
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    trans = np.ascontiguousarray(trans, dtype=np.float64)
    # the kernel runs without bounds checks: its shapes are checked here, as the numpy twin's indexing would
    if emissions.ndim != 2 or trans.shape != (emissions.shape[1], emissions.shape[1]) or lengths.ndim != 1:
        raise ValueError(f"tagger_marginals: emissions {emissions.shape}, transitions {trans.shape} and lengths "
                         f"{lengths.shape} do not fit")
    if len(lengths) and (lengths.min() < 0 or int(lengths.sum()) > len(emissions)):
        raise ValueError(f"tagger_marginals: sentence lengths must be >= 0 and sum to at most {len(emissions)} tokens")
    return compiled.tagger_marginals(emissions, lengths, trans, int(every))


def corroboration_overlap(texts, labels, headline, min_shared, opinion, stop):
    """The compiled `scorer.model.support._corroboration_by_sentence`: (corroboration, overlap with the headline or
    None) of an article's sentences from their texts (`stop`: the words that are not content words)."""
    texts, labels = list(texts), list(labels)
    n = len(texts)
    if headline is None:
        headline = -1
    elif not -n <= headline < n:  # (the kernel reads the sentences without bounds checks) as the twin's words[h]
        raise IndexError("list index out of range")
    elif headline < 0:
        headline += n
    return compiled.corroboration_overlap(texts, labels, headline, int(min_shared), opinion, frozenset(stop))


def tagger_lookup(texts, bases, rows_of):
    """The compiled tokens of `scorer.attribution.tagger._tokenise` with their words' rows in `rows_of` (a
    `WordRows`, the span tagger's word cache by code points): (starts, ends, tokens per text, rows, missed words,
    their token indices), rows -1 for the missed words."""
    texts, bases = _exact_strs(texts), list(bases)
    return compiled.tagger_lookup(texts, bases, rows_of)  # (it checks the texts, the offsets and the table's type)


def tagger_scores(rows, lengths, state, props_of_row, buckets, group_sizes, joint_groups, joint_base, table, bias,
                  joint):
    """The compiled token codes and `SpanTagger.emissions` of tokens from their words' rows of the word table: the
    state scores (n_tokens, n_tags). `buckets` (pos, rpos, dist) as `tagger_codes` takes them; `joint_groups` (groups
    of the joint table, -1 padded, indices into `group_sizes`)."""
    import numpy as np

    rows, lengths, state, props_of_row, group_sizes, joint_base = (
        np.ascontiguousarray(a, dtype=np.int64) for a in (rows, lengths, state, props_of_row, group_sizes, joint_base))
    pos_bucket, rpos_bucket, dist_bucket = (np.ascontiguousarray(b, dtype=np.int64) for b in buckets)
    joint_groups = np.ascontiguousarray(joint_groups, dtype=np.int64)
    table = np.ascontiguousarray(table, dtype=np.float64)
    bias = np.ascontiguousarray(bias, dtype=np.float64)
    joint = np.ascontiguousarray(joint, dtype=np.float64)
    # (the kernel checks every index it makes before its unchecked loops)
    return compiled.tagger_scores(rows, lengths, state, props_of_row, pos_bucket, rpos_bucket, dist_bucket,
                                  group_sizes, joint_groups, joint_base, table, bias, joint)


def tagger_spans(tags, lengths, starts, ends, role_of_tag, begin_tag, roles):
    """The compiled `scorer.attribution.tagger.tag_spans` from the tags, the sentences' token counts and the tokens'
    article offsets: per sentence a dict role -> [(start, end)]."""
    import numpy as np

    tags, lengths, starts, ends, role_of_tag = (
        np.ascontiguousarray(a, dtype=np.int64) for a in (tags, lengths, starts, ends, role_of_tag))
    begin_tag = np.ascontiguousarray(begin_tag, dtype=np.uint8)
    roles = tuple(roles)
    if tags.ndim != 1 or starts.shape != tags.shape or ends.shape != tags.shape or lengths.ndim != 1 \
            or (len(lengths) and lengths.min() < 0) or int(lengths.sum()) != len(tags):
        raise ValueError(f"tagger_spans: {tags.shape} tags, {starts.shape} starts, {ends.shape} ends and sentence "
                         f"lengths summing to {int(lengths.sum())} do not fit")
    if role_of_tag.ndim != 1 or begin_tag.shape != role_of_tag.shape \
            or (len(tags) and (tags.min() < 0 or tags.max() >= len(role_of_tag))) \
            or (len(role_of_tag) and (role_of_tag.min() < 0 or role_of_tag.max() > len(roles))):
        raise ValueError(f"tagger_spans: tags must be in [0, {len(role_of_tag)}) and roles in [0, {len(roles)}]")
    return compiled.tagger_spans(tags, lengths, starts, ends, role_of_tag, begin_tag, roles)


def tagger_decode(emissions, lengths, transitions, trans, every, source_tags, threshold):
    """The compiled `SpanTagger.tag` from the emissions: the best tag of each token of the sentences (`lengths` tokens
    each), with the Source spans (tags `source_tags`, B- and I-) whose confidence is below `threshold` dropped
    (`drop_unsure_sources`; None: none dropped), the confidences from the exponentiated transitions `trans`, rescaled
    every `every` positions (`SpanTagger.marginals`)."""
    import numpy as np

    emissions = np.ascontiguousarray(emissions, dtype=np.float64)
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    transitions = np.ascontiguousarray(transitions, dtype=np.float64)
    trans = np.ascontiguousarray(trans, dtype=np.float64)
    b_source, i_source = (int(t) for t in source_tags)
    # the kernel runs without bounds checks: its shapes are checked here
    n_tags = emissions.shape[1] if emissions.ndim == 2 else -1
    if transitions.shape != (n_tags, n_tags) or trans.shape != (n_tags, n_tags) or lengths.ndim != 1:
        raise ValueError(f"tagger_decode: emissions {emissions.shape}, transitions {transitions.shape} and "
                         f"{trans.shape}, lengths {lengths.shape} do not fit")
    if len(lengths) and (lengths.min() < 0 or int(lengths.sum()) > len(emissions)):
        raise ValueError(f"tagger_decode: sentence lengths must be >= 0 and sum to at most {len(emissions)} tokens")
    if not (0 <= b_source < n_tags and 0 <= i_source < n_tags) or int(every) < 1:
        raise ValueError(f"tagger_decode: source tags {b_source}, {i_source} not in [0, {n_tags}) or every < 1")
    return compiled.tagger_decode(emissions, lengths, transitions, trans, int(every), b_source, i_source,
                                  0.0 if threshold is None else float(threshold), threshold is not None)


def tagger_quote_states(article_texts, sentences, lengths, starts):
    """The compiled `scorer.attribution.tagger._token_quote_states`: each token's quote state (0/1), of the articles
    (`sentences[a]` sentences each, of `lengths` tokens, at article offsets `starts`); None when an offset lies
    outside its article (take the twin)."""
    import numpy as np

    sentences, lengths, starts = (np.ascontiguousarray(a, dtype=np.int64) for a in (sentences, lengths, starts))
    return compiled.tagger_quote_states(_exact_strs(article_texts), sentences, lengths, starts)  # (it checks the rest)


def exact_str(text):
    """`text` as an exact str when it is a str subclass (numpy.str_, as pandas and pyarrow give them), which the
    kernels' str arguments refuse while the twins take it; anything else as it is (the kernels refuse what is not
    text, as the twins do)."""
    return text if type(text) is str or not isinstance(text, str) else str.__str__(text)


def _exact_strs(texts) -> list:
    """The texts as a list, each as `exact_str` gives it."""
    return [exact_str(t) for t in texts]


def ngram_rows(codes, lengths, unigram_ids: int, base: int, tables):
    """The compiled `NgramCoder._ids_of_codes`: (rows, ids) of the known n-grams of texts whose words' codes are laid
    end to end in `codes` (`lengths` words each), `tables` the coder's (sorted keys, ids) of 2-, 3-, ...-grams."""
    import numpy as np

    codes = np.ascontiguousarray(codes, dtype=np.int64)
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    tables = [(np.ascontiguousarray(k, dtype=np.int64), np.ascontiguousarray(v, dtype=np.int64),
               np.ascontiguousarray(b, dtype=np.int64), int(step)) for k, v, b, step in tables]
    # (the kernel checks the lengths against the codes and each table's arrays before its unchecked loops)
    if codes.ndim != 1 or lengths.ndim != 1 or any(k.ndim != 1 or v.ndim != 1 or b.ndim != 1 for k, v, b, _ in tables):
        raise ValueError("ngram_rows: codes, lengths and the tables must be one-dimensional")
    return compiled.ngram_rows(codes, lengths, int(unigram_ids), int(base), tables)


def tfidf_scores(rows, ids, heads, n: int, tf_table) -> list:
    """The compiled word part of `CompiledHead.word_scores` or of `TfidfBlock.scores`, for several heads over the
    same n-gram occurrences (rows[i], ids[i]): heads as (columns, idf, coef), `columns` union id -> the head's column
    (-1 if not in it) or None (the ids are the columns); [(n, len(coef))] scores; `tf_table(k)` gives float32
    log(j) + 1 for j = 0..k at least."""
    import numpy as np

    rows = np.ascontiguousarray(rows, dtype=np.int64)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    heads = [(None if columns is None else _int32_columns(columns), np.ascontiguousarray(idf, dtype=np.float64),
              np.ascontiguousarray(coef, dtype=np.float64)) for columns, idf, coef in heads]
    # (the kernel checks every row, id and column against the arrays' sizes before or as its unchecked loops read them)
    if rows.ndim != 1 or ids.ndim != 1 or any((c is not None and c.ndim != 1) or i.ndim != 1 or w.ndim != 2
                                              for c, i, w in heads):
        raise ValueError(f"tfidf_scores: rows {rows.shape}, ids {ids.shape} or a head's arrays do not fit")
    return compiled.tfidf_scores(rows, ids, heads, int(n), tf_table)


def vocab_find(vocabulary, data, lengths):
    """The compiled `Vocabulary._find`: the id of each byte string laid end to end in `data` (`lengths` bytes each)
    in the vocabulary, -1 where it is not a term. The vocabulary's arrays are checked by the kernel on the first
    call (every term's range, every row), then remembered as checked while they are the same array objects."""
    import numpy as np

    v = vocabulary
    arrays = (np.ascontiguousarray(v.blob, dtype=np.uint8), np.ascontiguousarray(v.starts, dtype=np.int64),
              np.ascontiguousarray(v.lengths, dtype=np.int32), np.ascontiguousarray(v.hashes, dtype=np.uint64),
              np.ascontiguousarray(v.rows if v.rows.dtype in (np.int32, np.int64) else v.rows.astype(np.int64)),
              None if v.values is None else np.ascontiguousarray(v.values, dtype=np.int64))
    checked = getattr(v, "_kernel_checked", None)
    same = checked is not None and all(a is b for a, b in zip(arrays, checked))
    # (the kernel checks the lengths against the data, and the terms and rows unless checked before)
    out = compiled.vocab_find(*arrays, int(v.base), np.ascontiguousarray(data, dtype=np.uint8),
                              np.ascontiguousarray(lengths, dtype=np.int64), same)
    if not same:
        v._kernel_checked = arrays  # (the same objects as the vocabulary's when no conversion was needed)
    return out


def _int32_columns(columns):
    """A head's columns as the int32 array `tfidf_scores` reads (the heads keep them so: not copied), checked to fit."""
    import numpy as np

    columns = np.asarray(columns)
    if columns.dtype != np.int32:
        if len(columns) and (columns.min() < -2 ** 31 or columns.max() >= 2 ** 31):
            raise ValueError("tfidf_scores: a column beyond int32")
        columns = columns.astype(np.int32)
    return np.ascontiguousarray(columns)


# ---- cuek (session 14) ----

def term_word_codes(vocabulary):
    """The compiled start of `scorer.model.heads.NgramCoder`: (longer terms, words per term, the words' ids) of the
    vocabulary's terms that hold a space, or None where the coder's numpy path must run (a word that is not a term,
    terms not laid out in order)."""
    import numpy as np

    v = vocabulary
    return compiled.term_word_codes(
        np.ascontiguousarray(v.blob, dtype=np.uint8), np.ascontiguousarray(v.starts, dtype=np.int64),
        np.ascontiguousarray(v.lengths, dtype=np.int32), np.ascontiguousarray(v.hashes, dtype=np.uint64),
        np.ascontiguousarray(v.rows if v.rows.dtype in (np.int32, np.int64) else v.rows.astype(np.int64)),
        None if v.values is None else np.ascontiguousarray(v.values, dtype=np.int64), int(v.base))


# ---- rowk (session 14) ----


def report_rows(sentences: list, kept: list, labels: list, probabilities: list, label_names: tuple, columns: list,
                support: list, grades: list, reasons: list, corroborated: list, headline,
                sentence_type: type) -> list[dict] | None:
    """The compiled `pipeline.sentence_rows` (`columns` in the order of `pipeline._SOURCE_COLUMNS`, the sentences of
    `sentence_type`) of the plain case, None otherwise (a cell of the columns not None, str or int, ...: see the
    kernel); the kernel checks the lengths before it reads them. None too (the twin reads them as it indexes them)
    when the per-sentence values are not lists of one value each per sentence or the columns differ in length."""
    per_sentence = (sentences, kept, labels, probabilities, support, grades, reasons, corroborated)
    if any(type(values) is not list or len(values) != len(sentences) for values in per_sentence):
        return None
    columns = [c if type(c) is list else list(c) for c in columns]
    if len({len(c) for c in columns}) > 1:
        return None
    return compiled.report_rows(sentences, kept, labels, probabilities, tuple(label_names), columns, support, grades,
                                reasons, corroborated, headline, sentence_type)


def reason_lists(cells: list, bounds: list, table: list, texts, corroborated, labels,
                 limit: int) -> list[list[str]] | None:
    """The compiled loop of `support.reasons_many` (each sentence's reasons from its usable cells: see there); the
    kernel checks the codes and bounds before it reads them. None (the loop runs: it reads a sentence's corroboration
    and label only when a reason needs them, and compares the count of reasons with `limit` by ==) when `limit` is
    not an int or there are fewer corroborations or labels than texts."""
    texts = texts if type(texts) is list else list(texts)
    corroborated = corroborated if type(corroborated) is list else list(corroborated)
    labels = labels if type(labels) is list else list(labels)
    if type(limit) is not int or len(corroborated) < len(texts) or len(labels) < len(texts):
        return None
    return compiled.reason_lists(cells, bounds, table, texts, corroborated, labels, limit)


# ---- warm (session 15) ----

def tagger_word_rows(vocabulary, words: list, block, weights, lists_of: dict, list_ids, prefixes: tuple) -> None:
    """The compiled `_WordCache._sum_features(block, _WordCache._feature_ids(words))`: each new word's rows of the span
    tagger's word table, written in `block` (see the kernel). The vocabulary's arrays are checked as `vocab_find`
    checks them: once, then remembered while they are the same array objects."""
    import numpy as np

    vocab_find(vocabulary, np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64))  # (checks the arrays if new)
    arrays = vocabulary._kernel_checked
    compiled.tagger_word_rows(words, block, np.ascontiguousarray(weights, dtype=np.float64), lists_of,
                              np.ascontiguousarray(list_ids, dtype=np.int64), prefixes, *arrays, int(vocabulary.base),
                              True, _hash_buckets(vocabulary, arrays[3]))


def _hash_buckets(vocabulary, hashes):
    """Where the vocabulary's sorted hashes of each value of their top b bits begin (2^b + 1 int32 places, about 8
    hashes a bucket; 64 KB for the span tagger's 112,000 features), made once and kept beside the arrays it was made
    from (`tagger_word_rows` starts its searches there)."""
    import numpy as np

    kept = getattr(vocabulary, "_kernel_buckets", None)
    if kept is not None and kept[0] is hashes:
        return kept[1]
    if len(hashes) >= 2 ** 31:
        return None
    bits = min(24, max(1, (len(hashes) // 8).bit_length()))
    tops = np.arange(1 << bits, dtype=np.uint64) << np.uint64(64 - bits)
    buckets = np.r_[np.searchsorted(hashes, tops, side="left"), len(hashes)].astype(np.int32)
    vocabulary._kernel_buckets = (hashes, buckets)
    return buckets


# ---- headk (session 15) ----

def tfidf_packed(rows, ids, heads, n: int, tf_table, order=None) -> list:
    """`tfidf_scores` with each head given as (columns, table, n_coef): `table` (n_words, width) float64 holds the
    head's idf of column c in table[c, 0] and its coefficients of column c in table[c, 1:1 + n_coef]
    (`scorer.model.heads.packed_table`); `columns` as `tfidf_scores` takes them, an int32 vector that may be a strided
    view (the heads' columns side by side), or None (the ids are the columns). `order`: None, or each id's rank (an
    int32 vector) in which the heads' columns ascend (`scorer.model.heads.column_order`: one sort of a row's ids for
    all the heads; the kernel sorts a head's columns itself on a row where they do not ascend in it)."""
    import numpy as np

    rows = np.ascontiguousarray(rows, dtype=np.int64)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    heads = [(None if columns is None else _int32_vector(columns), np.ascontiguousarray(table, dtype=np.float64),
              int(n_coef)) for columns, table, n_coef in heads]
    # (the kernel checks every row, id and column against the arrays' sizes before or as its unchecked loops read them)
    if rows.ndim != 1 or ids.ndim != 1 or any((c is not None and c.ndim != 1) or t.ndim != 2 for c, t, _ in heads):
        raise ValueError(f"tfidf_packed: rows {rows.shape}, ids {ids.shape} or a head's arrays do not fit")
    return compiled.tfidf_packed(rows, ids, heads, int(n), tf_table, None if order is None else _int32_vector(order))


def _int32_vector(columns):
    """`_int32_columns`, but an int32 vector is kept as it is, strided or not (the kernel reads it by its stride)."""
    import numpy as np

    columns = np.asarray(columns)
    return columns if columns.dtype == np.int32 and columns.ndim == 1 else _int32_columns(columns)


# ---- kglue (session 16) ----

def quotes_left_open(texts: list) -> list[bool] | None:
    """The compiled `scorer.attribution.spans.quotes_left_open_python` (per sentence: a quotation left open at its end),
    or None (the twin runs) when `texts` is not a list of exact strs."""
    return compiled.quotes_left_open(texts) if type(texts) is list else None
