"""The compiled model (numpy only) must give what the fitted scikit-learn pipelines give."""
import subprocess
import sys

import numpy as np
import pytest

from scorer.model.inputs import article_inputs
from scorer.labels import SOURCE_LABELS
from scorer.text.segment import split_article
from scorer.training.compile import compile_attribution
from scorer.training.frames import article_frame

EDGE = "Officials said “it may happen” — said Smith. Ünïcödé, 42% and U.S. ... ?!\n\nzzzz qqqq\n\n“"


@pytest.fixture(scope="module")
def compiled(small_heads):
    return compile_attribution(small_heads)


@pytest.fixture(scope="module")
def article(example_text, small_heads):
    text = example_text + "\n\n" + EDGE
    sentences, _ = split_article(text)
    return article_frame(text, sentences, small_heads.cues), article_inputs(text, sentences, small_heads.cues)


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_each_head_equals_its_pipeline_on_dev_rows(small_heads, compiled, small_training):
    _, pol, subj = small_training
    dev = pol[pol["split"] == "dev"].head(400)
    sdev = subj[subj["split"] == "dev"].head(200)
    for pipeline, head in zip(small_heads.heads(), compiled.heads()):
        _close(head.predict_proba(dev), pipeline.predict_proba(dev))
        _close(head.predict_proba(sdev), pipeline.predict_proba(sdev))


def test_plain_inputs_equal_the_dataframe(small_heads, compiled, article):
    frame, inputs = article
    for pipeline, head in zip(small_heads.heads(), compiled.heads()):
        _close(head.predict_proba(inputs), pipeline.predict_proba(frame))
    _close(compiled.predict_proba(inputs), compiled.predict_proba(frame))


def test_four_labels_combine_the_heads(small_heads, compiled, article):
    frame, inputs = article
    probs = compiled.predict_proba(inputs)
    _close(probs.sum(axis=1), np.ones(len(probs)))
    p_attr = small_heads.attributed.predict_proba(frame)[:, 1]
    raw = small_heads.source_type.predict_proba(frame)
    p_type = raw[:, [list(small_heads.source_type.classes_).index(c) for c in SOURCE_LABELS]]
    p_op = small_heads.opinion.predict_proba(frame)[:, 1]
    _close(probs[:, 0], p_attr * p_type[:, 0])
    no_source = p_attr * p_type[:, 2] + (1 - p_attr)  # the opinion head splits all the mass with no source
    _close(probs[:, 2], no_source * (1 - p_op))
    _close(probs[:, 3], no_source * p_op)


def test_no_rows(compiled, small_heads):
    inputs = article_inputs("", [], small_heads.cues)
    assert compiled.predict_proba(inputs).shape == (0, 4)


def test_scoring_imports_neither_scikit_learn_nor_pandas(example_path):
    """The shipped model unpickles and scores with numpy alone: a fast cold start and small workers."""
    code = ("import sys; from scorer import score; r = score(open(sys.argv[1], encoding='utf-8').read()); "
            "r.to_json(); r.to_text(); "
            "print(sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(example_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_vocabulary_survives_pickling(compiled, article):
    import pickle

    again = pickle.loads(pickle.dumps(compiled))
    assert again.tokens.union == compiled.tokens.union
    assert again.attributed.tokens is again.tokens  # the heads still share one token pass
    _close(again.predict_proba(article[1]), compiled.predict_proba(article[1]))
