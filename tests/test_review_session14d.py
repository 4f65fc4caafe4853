"""Faults found by the independent review of session 14's rowk kernels (`report_rows`, `reason_lists`): each test
failed before its fix. Skipped when the compiled kernels are not built."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from scorer import pipeline
from scorer.model import support
from scorer.text import kernels
from scorer.text.segment import Sentence

K = pytest.importorskip("_scorer_kernels")
if getattr(K, "VERSION", None) != kernels.VERSION:
    pytest.skip("stale compiled kernels", allow_module_level=True)


def _both(monkeypatch, fn):
    """('ok', fn()) or ('error', its exception type) with the kernels active, then with the twins."""
    monkeypatch.setattr(kernels, "compiled", K)
    out = []
    for active in (True, False):
        monkeypatch.setattr(kernels, "ACTIVE", active)
        try:
            out.append(("ok", fn()))
        except Exception as exc:  # noqa: BLE001 (the outcome compared, whatever it is)
            out.append(("error", type(exc)))
    return out


def _rows_args(n_rows: int = 2):
    """sentence_rows' arguments for one sentence of plain cells (the pipeline's case)."""
    inputs = {name: [None] * n_rows for name in pipeline._SOURCE_COLUMNS}
    inputs["source"] = ["Trump"] * n_rows
    inputs["source_start"], inputs["source_end"] = [0] * n_rows, [5] * n_rows
    return [[Sentence(0, 5, "Trump said.")], [0], ["named_source"], [[0.7, 0.1, 0.1, 0.1]], inputs, [0.5], [2],
            [["a reason"]], [None], 0]


@pytest.mark.parametrize("variant", ["support longer", "kept longer", "a column shorter", "kept a tuple",
                                     "probabilities an array", "sentences a tuple"])
def test_sentence_rows_same_with_the_kernels_on_sequences_the_twin_reads(monkeypatch, variant):
    """`sentence_rows` gave the twin's rows for lists of other lengths or other sequence types before the kernel
    (dc1f77a; the twin reads what it indexes); the kernel raised ValueError ("one value of each list per sentence",
    "the source columns differ in length") or TypeError (its arguments typed `list`) instead of leaving them to the
    twin."""
    args = _rows_args()
    if variant == "support longer":
        args[5] = [0.5, 0.25]
    elif variant == "kept longer":
        args[1] = [0, 1]
    elif variant == "a column shorter":
        args[4]["via"] = [None]
    elif variant == "kept a tuple":
        args[1] = (0,)
    elif variant == "probabilities an array":
        args[3] = np.array(args[3])
    else:
        args[0] = tuple(args[0])
    fast, slow = _both(monkeypatch, lambda: pipeline.sentence_rows(*args))
    assert slow[0] == "ok"
    assert fast == slow


@pytest.mark.parametrize("variant", ["corroborated shorter", "labels shorter", "limit a float", "limit inf"])
def test_reasons_many_same_with_the_kernels_on_what_the_loop_reads(monkeypatch, variant):
    """`reasons_many` reads corroborated[i] and labels[i] only for a sentence whose reasons call a function, and
    compares the number of reasons with `limit` by ==; the kernel raised ValueError for shorter lists and TypeError
    for a float limit (its `Py_ssize_t limit`) where the loop gives reasons."""
    n_features = len(support._FEATURE_CODES)
    contrib, X = np.zeros((2, n_features)), np.zeros((2, n_features))
    texts, corroborated, labels, limit = ["a", "b"], [None, None], ["named_source", "named_source"], 3
    if variant == "corroborated shorter":
        corroborated = [None]
    elif variant == "labels shorter":
        labels = labels[:1]
    elif variant == "limit a float":
        limit = 3.0
    else:
        limit = float("inf")
    fast, slow = _both(monkeypatch, lambda: support.reasons_many(contrib, X, texts, corroborated, labels, limit))
    assert slow == ("ok", [[], []])
    assert fast == slow


def test_report_rows_kernel_refuses_a_sentence_type_that_is_not_a_tuple():
    """`report_rows` read each sentence of the type `sentence` as a tuple (`<tuple> sent`, PyTuple_GET_ITEM) whatever
    that type: called with `list` (sentences as lists), it read a list's item pointer as an item and crashed the
    process (segmentation fault, rc -11). It raises TypeError now."""
    code = ("import _scorer_kernels as K\n"
            "try:\n"
            "    K.report_rows([[0, 1, 'a']], [0], ['named_source'], [[0.1]], ('named_source',),\n"
            "                  [[None] for _ in range(12)], [0.5], [1], [[]], [None], None, list)\n"
            "except TypeError as exc:\n"
            "    print('TypeError', exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("TypeError")


def test_report_rows_kernel_checks_its_reads_against_lists_a_finalizer_changed():
    """`report_rows` checked the lists' lengths and cells once and then read them unchecked, on the ground that no
    code of the caller's runs while the rows are made; but the cyclic collector runs at allocations (a dict copy per
    row) and runs finalizers, which can clear a list: reading `support` after a finalizer cleared it crashed the
    process (segmentation fault). Every read is checked now: RuntimeError."""
    code = ("import gc\n"
            "import _scorer_kernels as K\n"
            "from scorer.text.segment import Sentence\n"
            "n = 3000\n"
            "support = [0.5] * n\n"
            "args = ([Sentence(0, 1, 'a')] * n, [0] * n, ['named_source'] * n, [[0.1] * 4 for _ in range(n)],\n"
            "        ('a', 'b', 'c', 'd'), [[None] for _ in range(12)], support, [1] * n, [[]] * n, [None] * n, None,\n"
            "        Sentence)\n"
            "class Bomb:\n"
            "    def __del__(self):\n"
            "        support.clear()\n"
            "def arm():\n"
            "    bomb = Bomb()\n"
            "    bomb.cycle = bomb\n"
            "gc.collect()\n"
            "gc.set_threshold(50)\n"
            "arm()\n"
            "try:\n"
            "    K.report_rows(*args)\n"
            "except RuntimeError as exc:\n"
            "    print('RuntimeError', exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("RuntimeError")


def test_first_rule_keeps_each_rules_flags_and_refuses_numbered_references():
    """`furniture._first_rule` (the rules without literals in one pattern) carried only IGNORECASE of a rule's flags
    into its alternative: a rule compiled with VERBOSE, DOTALL, MULTILINE or ASCII matched other lines combined than
    alone (not with today's rules, which use IGNORECASE only; with the next rule that does), and a rule's numbered
    backreference pointed at another group once the rules were combined."""
    from scorer.text.furniture import _first_rule

    rules = [("verbose", re.compile(r"^ab  # a comment", re.VERBOSE)), ("dotall", re.compile(r"^x.y$", re.DOTALL)),
             ("ascii", re.compile(r"^\w+!$", re.ASCII)), ("multiline", re.compile(r"^q$\n^r$", re.MULTILINE)),
             ("plain", re.compile(r"^.*$", re.DOTALL))]
    combined = _first_rule(rules)
    for line in ("ab", "x\ny", "é!", "a!", "q\nr", "zz"):
        alone = next((reason for reason, pattern in rules if pattern.match(line)), None)
        match = combined.match(line)
        assert (rules[int(match.lastgroup[1:])][0] if match else None) == alone, line
    for source in (r"^(a)\1$", r"^(a)?(?(1)b|c)$"):
        with pytest.raises(ValueError):
            _first_rule([("backreference", re.compile(source))])
