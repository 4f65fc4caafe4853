"""Compact vocabularies: term -> id held in a few numpy arrays instead of a dict of Python strings.

A dict of 83,000 terms costs about 100 bytes a term (the str object and the dict entry), and in forked workers
every page of it is copied as soon as a reference count or the garbage collector touches it. A `Vocabulary`
keeps the terms as one UTF-8 byte array (the model file's own newline-joined array, not copied), their starts
and lengths, and a sorted array of a 64-bit hash of each term's bytes: about 16 bytes a term plus the bytes.

Lookups are exact: a string's hash is searched among the terms' hashes (`numpy.searchsorted`) and a hit counts
only when the term's bytes equal the string's bytes, so a hash collision with a string outside the vocabulary
cannot change a result; the terms' own hashes are distinct (if two distinct terms collided, another hash base is
taken). Many strings are looked up at once (`Vocabulary.ids`): their bytes are hashed together with array
operations. The class is a read-only Mapping (str -> int), so code written for a dict keeps working.
"""
from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise, repeat

import numpy as np

from . import kernels

_vocab_hashes = getattr(kernels.compiled, "vocab_hashes", None)  # None: the twin (no kernels, or a build without it)
_vocab_find = getattr(kernels.compiled, "vocab_find", None)

# odd 64-bit bases of the polynomial hash, tried in turn until the vocabulary's terms have distinct hashes
_BASES = (0x100000001B3, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_LENGTH = np.uint64(0x2545F4914F6CDD1D)


class DuplicateTerms(ValueError):
    """The terms given to a Vocabulary are not distinct."""

    def __init__(self, n_terms: int, n_distinct: int):
        super().__init__(f"{n_terms} terms, {n_distinct} distinct")
        self.n_terms, self.n_distinct = n_terms, n_distinct


def range_starts(lengths: np.ndarray) -> np.ndarray:
    """Start of each range when ranges of these lengths are laid end to end."""
    return np.cumsum(lengths) - lengths


def gather(blob: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The bytes of the ranges (start, length) of `blob`, laid end to end."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.uint8)
    small = np.int32 if max(total, len(blob)) < 2 ** 31 else np.int64  # half the index array's memory
    shift = (starts - range_starts(lengths)).astype(small)
    return blob[np.repeat(shift, lengths) + np.arange(total, dtype=small)]


def _hash(data: np.ndarray, lengths: np.ndarray, base: int) -> np.ndarray:
    """64-bit hash of each of the byte strings laid end to end in `data` (uint8) with these lengths: the polynomial
    sum((byte + 1) * base^(length - 1 - i)) mod 2^64, plus the length, through a 64-bit finaliser."""
    lengths = lengths.astype(np.int64, copy=False)
    n, total = len(lengths), len(data)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    ends = np.cumsum(lengths)
    if total:
        top = int(lengths.max())
        powers = np.empty(top, dtype=np.uint64)
        powers[0] = 1
        if top > 1:
            powers[1:] = np.uint64(base)
            powers = np.cumprod(powers, dtype=np.uint64)  # wraps modulo 2^64, as meant
        # exponent of each byte: bytes left after it in its string
        exponent = np.repeat(ends - 1, lengths) - np.arange(total)
        terms = (data.astype(np.uint64) + np.uint64(1)) * powers[exponent]
        sums = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(terms, dtype=np.uint64)])
        h = sums[ends] - sums[ends - lengths]
    else:
        h = np.zeros(n, dtype=np.uint64)
    return _mix(h, lengths)


_HASH = _hash  # the hash `vocab_find` reproduces


def _mix(h: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The polynomial hashes `h` of strings of `lengths` bytes, with the length folded in and the bits mixed (a
    64-bit finaliser: neighbouring inputs land far apart in the sorted table)."""
    h = h + lengths.astype(np.uint64) * _LENGTH
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


def _hash_grouped(blob: np.ndarray, starts: np.ndarray, lengths: np.ndarray, base: int) -> np.ndarray:
    """`_hash` of the ranges (start, length) of `blob`: by the compiled kernel `vocab_hashes` when the kernels are
    active (a model's terms are hashed as it loads: ~45 ms of a cold start in numpy), else by the twin below."""
    if _vocab_hashes is None:
        return _hash_grouped_python(blob, starts, lengths, base)
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    h = np.empty(len(lengths), dtype=np.uint64)
    _vocab_hashes(np.ascontiguousarray(blob, dtype=np.uint8), np.ascontiguousarray(starts, dtype=np.int64), lengths,
                  base, h)
    return _mix(h, lengths)


def _hash_grouped_python(blob: np.ndarray, starts: np.ndarray, lengths: np.ndarray, base: int) -> np.ndarray:
    """`_hash` of the ranges (start, length) of `blob`, computed by Horner's rule over the ranges of each length
    together (one gather of their bytes as a (length, count) array): the same values, fewer passes over the bytes."""
    lengths = lengths.astype(np.int64, copy=False)
    h = np.zeros(len(lengths), dtype=np.uint64)
    b = np.uint64(base)
    for size in np.flatnonzero(np.bincount(lengths)).tolist():  # the distinct lengths (np.unique imports numpy.ma)
        rows = np.flatnonzero(lengths == size)
        if size:
            cells = blob[starts[rows][None, :] + np.arange(size)[:, None]].astype(np.uint64) + np.uint64(1)
            acc = cells[0]
            for k in range(1, size):
                acc = acc * b + cells[k]
            h[rows] = acc
    return _mix(h, lengths)


_MASK = (1 << 64) - 1


def _hash_one(data: bytes, base: int) -> int:
    """`_hash` of one byte string, in Python integers (a single lookup without array set-up)."""
    h = 0
    for byte in data:
        h = (h * base + byte + 1) & _MASK
    h = (h + len(data) * int(_LENGTH)) & _MASK
    h ^= h >> 30
    h = (h * int(_MIX1)) & _MASK
    h ^= h >> 27
    h = (h * int(_MIX2)) & _MASK
    return h ^ (h >> 31)


def _same_bytes(a: np.ndarray, a_starts: np.ndarray, b: np.ndarray, b_starts: np.ndarray,
                lengths: np.ndarray) -> np.ndarray:
    """Whether range k of `a` equals range k of `b`, for ranges of equal `lengths`."""
    if len(lengths) == 0:
        return np.zeros(0, dtype=bool)
    left, right = gather(a, a_starts, lengths), gather(b, b_starts, lengths)
    if np.array_equal(left, right):  # (ranges of equal lengths laid end to end: all equal, the common case of the hits
        return np.ones(len(lengths), dtype=bool)  # of a look-up, whose hashes matched)
    differ = (left != right).astype(np.int64)
    sums = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(differ)])
    ends = np.cumsum(lengths)
    return sums[ends] == sums[ends - lengths]


def encode(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes of the strings laid end to end, byte length of each). Lone surrogates are encoded as such
    (surrogatepass): their bytes are not UTF-8 and equal no term's."""
    text = "".join(strings)
    data = text.encode("utf-8", "surrogatepass")
    if len(strings) == 1:
        return np.frombuffer(data, dtype=np.uint8), np.array([len(data)], dtype=np.int64)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    if len(data) != len(text):  # not ASCII: a string's bytes are its characters' UTF-8 sizes summed
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        size = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
        sums = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(size)])
        ends = np.cumsum(lengths)
        lengths = sums[ends] - sums[ends - lengths]
    return np.frombuffer(data, dtype=np.uint8), lengths


class Vocabulary(Mapping):
    """Distinct terms -> ids, held as arrays (see the module's docstring). Term k is bytes
    `blob[starts[k]:starts[k] + lengths[k]]`; its id is `values[k]` (k itself when `values` is None)."""

    def __init__(self, blob: np.ndarray, starts: np.ndarray, lengths: np.ndarray, values: np.ndarray | None = None):
        self.blob = np.asarray(blob, dtype=np.uint8)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.lengths = np.asarray(lengths, dtype=np.int32)
        self.values = None if values is None else np.asarray(values, dtype=np.int64)
        n = len(self.starts)
        for base in _BASES:
            hashes = self._hash_terms(base)
            # the hashes are distinct (else another base is taken), so any sort gives the same order: the default
            # (introsort) takes a quarter of a stable sort's time, ~12 ms of loading the model
            order = np.argsort(hashes)
            sorted_hashes = hashes[order]
            same = np.flatnonzero(sorted_hashes[1:] == sorted_hashes[:-1])
            if len(same) == 0:
                break
            a, b = order[same], order[same + 1]
            equal = (self.lengths[a] == self.lengths[b])
            equal[equal] = _same_bytes(self.blob, self.starts[a[equal]], self.blob, self.starts[b[equal]],
                                       self.lengths[a[equal]])
            if equal.any():  # the same term twice: count the distinct ones
                raise DuplicateTerms(n, _distinct(self, order, sorted_hashes))
        else:  # pragma: no cover - distinct terms colliding under all five bases: possible only for terms built
            # for it (e.g. a Thue-Morse string and its complement, 2,048 bytes, collide modulo 2^64 for every base);
            # the store reports it as a malformed model, and a lookup can never return a wrong id (bytes compared)
            raise ValueError("no collision-free hash for this vocabulary (terms built to collide)")
        self.base = base
        self.hashes = sorted_hashes
        self.rows = order.astype(np.int32 if n < 2 ** 31 else np.int64)

    def _hash_terms(self, base: int, step: int = 32768) -> np.ndarray:
        """The terms' hashes, a slice of terms at a time (few temporary arrays at once)."""
        out = np.empty(len(self.starts), dtype=np.uint64)
        for a in range(0, len(self.starts), step):
            out[a:a + step] = _hash_grouped(self.blob, self.starts[a:a + step], self.lengths[a:a + step], base)
        return out

    @classmethod
    def from_terms(cls, terms, values=None) -> Vocabulary:
        """The vocabulary of these distinct strings, with ids 0..n-1 in their order (or `values`)."""
        data, lengths = encode(list(terms))
        return cls(data, range_starts(lengths), lengths, values)

    @classmethod
    def from_mapping(cls, mapping: Mapping) -> Vocabulary:
        """The vocabulary of a dict term -> id (a Vocabulary is returned as it is)."""
        if isinstance(mapping, Vocabulary):
            return mapping
        terms = list(mapping)
        values = np.fromiter(map(mapping.__getitem__, terms), dtype=np.int64, count=len(terms))
        return cls.from_terms(terms, None if np.array_equal(values, np.arange(len(terms))) else values)

    @classmethod
    def from_joined(cls, blob: np.ndarray, sep: int = 10) -> Vocabulary:
        """The vocabulary of UTF-8 terms joined by the byte `sep` (newline) in a uint8 array, ids in their order; an
        empty array holds no term. The array is used as it is (not copied). UnicodeDecodeError if it is not UTF-8,
        DuplicateTerms if a term comes twice."""
        blob = np.asarray(blob, dtype=np.uint8)
        if len(blob) == 0:
            return cls(blob, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        # UTF-8 check without holding the decoded text: decode a slice at a time (a slice boundary inside a
        # character is avoided by cutting at separators)
        cuts = np.flatnonzero(blob == sep)
        edges = [0, *cuts[::4096][1:].tolist(), len(blob)]
        for a, b in pairwise(edges):
            blob[a:b].tobytes().decode("utf-8")
        starts = np.r_[0, cuts + 1]
        ends = np.r_[cuts, len(blob)]
        return cls(blob, starts, ends - starts)

    # -- lookups ---------------------------------------------------------------------------------------------------

    def find(self, data: np.ndarray, lengths: np.ndarray, step: int = 4096) -> np.ndarray:
        """The id of each byte string laid end to end in `data` with these lengths, -1 where it is not a term;
        `step` strings at a time (the temporary arrays take a few times 8 bytes per byte: slices keep the peak of
        memory low)."""
        lengths = np.asarray(lengths, dtype=np.int64)
        if len(lengths) > step:
            edges = np.r_[0, np.cumsum(lengths)]
            return np.concatenate([self._find(data[edges[a]:edges[min(a + step, len(lengths))]], lengths[a:a + step])
                                   for a in range(0, len(lengths), step)])
        return self._find(data, lengths)

    def _find(self, data: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The id of each byte string laid end to end in `data` (-1: not a term): by the compiled `vocab_find` when
        the kernels are active (hash, search and comparison in one pass, no temporary arrays), else
        `_find_python`."""
        if _vocab_find is not None and _hash is _HASH:  # (the kernel computes `_hash` itself: not a replaced one)
            return kernels.vocab_find(self, data, lengths)
        return self._find_python(data, lengths)

    def _find_python(self, data: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.full(len(lengths), -1, dtype=np.int64)
        if len(self.hashes) == 0 or len(lengths) == 0:
            return out
        h = _hash(data, lengths, self.base)
        by_hash = np.argsort(h)  # sorted needles: searchsorted is about 3x faster on them
        at = np.empty_like(by_hash)
        at[by_hash] = np.searchsorted(self.hashes, h[by_hash])
        np.minimum(at, len(self.hashes) - 1, out=at)
        hit = self.hashes[at] == h
        k = np.flatnonzero(hit)
        rows = self.rows[at[k]].astype(np.int64)
        ok = self.lengths[rows] == lengths[k]
        k, rows = k[ok], rows[ok]
        ok = _same_bytes(self.blob, self.starts[rows], data, range_starts(lengths)[k], lengths[k])
        k, rows = k[ok], rows[ok]
        out[k] = rows if self.values is None else self.values[rows]
        return out

    def ids(self, strings: list[str], step: int = 4096) -> np.ndarray:
        """The id of each string (int64), -1 where it is not a term; `step` strings at a time (see `find`)."""
        if len(strings) <= step:
            return self._find(*encode(strings)) if strings else np.zeros(0, dtype=np.int64)
        return np.concatenate([self._find(*encode(strings[a:a + step])) for a in range(0, len(strings), step)])

    def _one(self, term) -> int:
        """The id of one string (-1: not a term), without array set-up."""
        if not isinstance(term, str) or not len(self.hashes):
            return -1
        data = term.encode("utf-8", "surrogatepass")
        h = _hash_one(data, self.base)
        at = int(np.searchsorted(self.hashes, np.uint64(h)))
        if at == len(self.hashes) or int(self.hashes[at]) != h:
            return -1
        row = int(self.rows[at])
        start, size = int(self.starts[row]), int(self.lengths[row])
        if size != len(data) or self.blob[start:start + size].tobytes() != data:
            return -1
        return row if self.values is None else int(self.values[row])

    def __getitem__(self, term: str) -> int:
        i = self._one(term)
        if i < 0:
            raise KeyError(term)
        return i

    def get(self, term, default=None):
        i = self._one(term)
        return default if i < 0 else i

    def __contains__(self, term) -> bool:
        return self._one(term) >= 0

    def __len__(self) -> int:
        return len(self.starts)

    def terms(self) -> list[str]:
        """The terms in the order they were given (row order)."""
        raw = self.blob.tobytes()
        ends = (self.starts + self.lengths).tolist()
        return [raw[a:b].decode("utf-8", "surrogatepass") for a, b in zip(self.starts.tolist(), ends)]

    def __iter__(self):
        return iter(self.terms())

    def id_array(self) -> np.ndarray:
        """The ids in row order."""
        return np.arange(len(self), dtype=np.int64) if self.values is None else self.values

    def __eq__(self, other):
        if isinstance(other, Vocabulary):
            return (len(self) == len(other) and np.array_equal(self.lengths, other.lengths)
                    and np.array_equal(self.id_array(), other.id_array())
                    and np.array_equal(gather(self.blob, self.starts, self.lengths),
                                       gather(other.blob, other.starts, other.lengths)))
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} terms, {len(self.blob)} bytes)"

    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(a.nbytes for a in (self.blob, self.starts, self.lengths, self.hashes, self.rows)
                   if a is not None) + (0 if self.values is None else self.values.nbytes)


def _distinct(vocab: Vocabulary, order: np.ndarray, sorted_hashes: np.ndarray) -> int:
    """How many distinct terms there are: terms with equal hashes compared as bytes."""
    n = len(order)
    first = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]])
    runs = np.diff(np.r_[first, n])
    distinct = int((runs == 1).sum())
    raw = vocab.blob.tobytes()
    starts, lengths = vocab.starts.tolist(), vocab.lengths.tolist()
    for a, size in zip(first[runs > 1].tolist(), runs[runs > 1].tolist()):
        rows = order[a:a + size].tolist()
        distinct += len({raw[starts[r]:starts[r] + lengths[r]] for r in rows})
    return distinct


def lookup_many(vocabulary: Mapping, strings: list[str]) -> np.ndarray:
    """The id of each string in a Vocabulary or a dict (int64), -1 where it is missing."""
    if isinstance(vocabulary, Vocabulary):
        return vocabulary.ids(strings)
    return np.fromiter(map(vocabulary.get, strings, repeat(-1)), dtype=np.int64, count=len(strings))
