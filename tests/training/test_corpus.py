"""Corpus converters: a small PolNeAR-shaped fixture written here, then the real corpora in ../shared/data."""
import textwrap

import pytest

from scorer.training.corpus import build_corpus, class_counts, load_polnear, load_subjectivity
from scorer.errors import InputError
from scorer.attribution.lexicon import speech_cue

TEXT = ("Senate passes budget.\n\n"
        "The Senate passed the budget on Tuesday, Senator Jane Ruiz said. "
        "She added that the vote was close. "
        "Officials said the White House would sign it. "
        "The bill runs to 900 pages.\n")


def _span(text, phrase, after=0):
    start = text.index(phrase, after)
    return start, start + len(phrase)


def brat_events(text, events):
    """A PolNeAR-style .ann: one Attribution event per (source, cue, content) triple of (start, end) spans."""
    lines = []
    for n, (s, c, k) in enumerate(events):
        t = 4 * n
        lines += [f"T{t+1}\tSource {s[0]} {s[1]}\t{text[s[0]:s[1]]}", f"T{t+2}\tCue {c[0]} {c[1]}\t{text[c[0]:c[1]]}",
                  f"T{t+3}\tContent {k[0]} {k[1]}\t{text[k[0]:k[1]]}", f"T{t+4}\tAttribution {c[0]} {c[1]}\t{text[c[0]:c[1]]}",
                  f"E{n+1}\tAttribution:T{t+4} Content:T{t+3} Cue:T{t+2} Source:T{t+1}"]
    return "\n".join(lines) + "\n"


def write_polnear(root, text=TEXT, ann=None):
    base = root / "polnear" / "data"
    (base / "train" / "text").mkdir(parents=True)
    (base / "train" / "attributions").mkdir(parents=True)
    (base / "metadata.tsv").write_text(
        "compartment\tfilename\tlevel\tannotators\tpublisher\n"
        "train\tdoc1\t1\taaaa|bbbb\tnyt\n", encoding="utf-8")
    (base / "train" / "text" / "doc1.txt").write_text(text, encoding="utf-8")
    if ann is None:
        s1, c1, k1 = _span(text, "Senator Jane Ruiz"), _span(text, "said"), _span(text, "The Senate passed the budget on Tuesday")
        s2, c2, k2 = _span(text, "She"), _span(text, "added"), _span(text, "that the vote was close")
        s3, c3, k3 = _span(text, "Officials"), _span(text, "said", c1[1]), _span(text, "the White House would sign it")
        ann = brat_events(text, [(s1, c1, k1), (s2, c2, k2), (s3, c3, k3)])
    (base / "train" / "attributions" / "doc1_aaaa.ann").write_text(ann, encoding="utf-8")
    return root


def test_polnear_fixture_labels(tmp_path):
    frame = load_polnear(write_polnear(tmp_path))
    assert list(frame["text"]) == ["Senate passes budget.", "The Senate passed the budget on Tuesday, Senator Jane Ruiz said.",
                                   "She added that the vote was close.", "Officials said the White House would sign it.",
                                   "The bill runs to 900 pages."]
    assert list(frame["label"]) == ["outlet_claim", "named_source", "named_source", "anonymous_intelligence", "outlet_claim"]
    assert list(frame["attributed"]) == [False, True, True, True, False]
    she = frame.iloc[2]
    assert (she["source_text"], she["cue_text"], she["label_method"]) == ("She", "added", "polnear: pronoun->earlier source")
    for _, row in frame.iterrows():
        assert TEXT[row["start"]:row["end"]] == row["text"]


ACTS = ("Party leaders want no repeat of the 1980 convention. "
        "Senator Jane Ruiz has sought to distinguish herself from her rivals. "
        "\"Isn't that a bribe?\" Senator Jane Ruiz asked. "
        "Officials said the deal was off. "
        "Senator Jane Ruiz asked the mayor about the depot.\n")


def test_acts_wishes_and_questions_are_the_outlets_narration(tmp_path):
    """PolNeAR marks wants, plans and questions as attributions; the guide reads them as the outlet's narration
    (rule 5), except a quoted question (rule 1). A reporting cue keeps the source's type."""
    events = [(_span(ACTS, "Party leaders"), _span(ACTS, "want"), _span(ACTS, "no repeat of the 1980 convention")),
              (_span(ACTS, "Senator Jane Ruiz"), _span(ACTS, "has sought"), _span(ACTS, "to distinguish herself")),
              (_span(ACTS, "Senator Jane Ruiz", 60), _span(ACTS, "asked"), _span(ACTS, "Isn't that a bribe?")),
              (_span(ACTS, "Officials"), _span(ACTS, "said"), _span(ACTS, "the deal was off")),
              (_span(ACTS, "Senator Jane Ruiz", 200), _span(ACTS, "asked", 200), _span(ACTS, "the mayor about the depot"))]
    frame = load_polnear(write_polnear(tmp_path, text=ACTS, ann=brat_events(ACTS, events)))
    # the segmenter splits the quoted question from "Senator Jane Ruiz asked."; both keep the named type
    assert list(frame["label"]) == ["outlet_claim", "outlet_claim", "named_source", "named_source",
                                    "anonymous_intelligence", "outlet_claim"]
    assert frame["attributed"].all()  # PolNeAR's attribution detection is kept as annotated
    assert frame.iloc[0]["label_method"] == "polnear: an act, wish or question, not a claim (rule 5)"
    assert frame.iloc[0]["source_text"] == "Party leaders"


NARRATED = ("The Justice Department had issued a threat to the state in May. "
            "Senator Jane Ruiz dismissed the report as rumour. "
            "Officials criticized the plan. "
            "Senator Jane Ruiz leads in the latest Gallup poll.\n")


def test_narrated_acts_without_a_reporting_word(tmp_path):
    """A cue with no word of saying, thinking or showing narrates an act (rule 5); speech verbs in any form keep the
    source's type, and so does a poll or document the claim rests on."""
    n = NARRATED
    events = [(_span(n, "The Justice Department"), _span(n, "had issued"), _span(n, "a threat to the state")),
              (_span(n, "Senator Jane Ruiz"), _span(n, "dismissed"), _span(n, "the report as rumour")),
              (_span(n, "Officials"), _span(n, "criticized"), _span(n, "the plan")),
              (_span(n, "the latest Gallup poll"), _span(n, "in the"), _span(n, "Senator Jane Ruiz leads", 60))]
    frame = load_polnear(write_polnear(tmp_path, text=n, ann=brat_events(n, events)))
    assert list(frame["label"]) == ["outlet_claim", "named_source", "anonymous_intelligence", "named_source"]
    assert frame.iloc[0]["label_method"] == "polnear: a narrated act, no reporting word in the cue (rule 5)"


@pytest.mark.parametrize("cue, speech", [("said", True), ("criticized", True), ("dismisses", True), ("clarified", True),
                                         ("made it clear", True), (":", True), ("according to", True),
                                         ("had issued", False), ("cast their votes for", False), ("not", False),
                                         ("did not learn of", False), ("attacked", False)])
def test_speech_cue(cue, speech):
    assert speech_cue(cue) is speech


def test_polnear_malformed_ann_names_file_and_line(tmp_path):
    write_polnear(tmp_path, ann="T1\tSource 0 5\tSenat\nT2\tCue five 9\tx\n")
    with pytest.raises(InputError, match=r"doc1_aaaa\.ann:2: malformed span"):
        load_polnear(tmp_path)


def test_missing_data_directory(tmp_path):
    with pytest.raises(InputError, match="directory not found"):
        build_corpus(tmp_path / "nowhere")
    with pytest.raises(InputError, match="polnear/data: directory not found"):
        load_polnear(tmp_path)
    (tmp_path / "polnear" / "data").mkdir(parents=True)
    with pytest.raises(InputError, match="metadata.tsv"):
        load_polnear(tmp_path)


def write_subjectivity(root, checkthat_dev_extra=""):
    ct = root / "checkthat2025_en"
    ct.mkdir(parents=True)
    (ct / "train_en.tsv").write_text(textwrap.dedent("""\
        sentence_id\tsentence\tlabel\tsolved_conflict
        a1\tThis is a shameful decision.\tSUBJ\tFalse
        a2\tThe vote was held on Tuesday.\tOBJ\tFalse
        a3\tShared sentence in both splits.\tOBJ\tFalse
        """), encoding="utf-8")
    (ct / "dev_en.tsv").write_text(textwrap.dedent("""\
        sentence_id\tsentence\tlabel\tsolved_conflict
        b1\tShared sentence in both splits.\tOBJ\tFalse
        b2\tA dev-only opinion, surely wrong.\tSUBJ\tFalse
        """) + checkthat_dev_extra, encoding="utf-8")
    sd = root / "newssd_eng" / "data" / "english"
    sd.mkdir(parents=True)
    (sd / "train.csv").write_text('Sentence,Label,Solved conflict\n"This is a shameful decision.\n",SUBJ,False\n'
                                  '"Only in NewsSD.",OBJ,False\n', encoding="utf-8")
    (sd / "val.csv").write_text('Sentence,Label,Solved conflict\n"A val sentence.",SUBJ,False\n', encoding="utf-8")
    return root


def test_subjectivity_dedup_and_no_split_leak(tmp_path):
    frame = load_subjectivity(write_subjectivity(tmp_path))
    texts = list(frame["text"])
    assert texts.count("This is a shameful decision.") == 1  # NewsSD copy of a CheckThat row dropped
    assert texts.count("Shared sentence in both splits.") == 1
    assert frame.set_index("text").loc["Shared sentence in both splits.", "split"] == "dev"
    assert set(frame[frame["subjectivity"] == "OBJ"]["label"].isna()) == {True}  # OBJ gets no invented type
    assert frame.set_index("text").loc["A val sentence.", "split"] == "dev"
    assert set(frame[frame["subjectivity"] == "SUBJ"]["label"]) == {"editorial_opinion"}


def test_subjectivity_unknown_label(tmp_path):
    write_subjectivity(tmp_path, checkthat_dev_extra="b3\tOdd row.\tMAYBE\tFalse\n")
    with pytest.raises(InputError, match="unknown label 'MAYBE'"):
        load_subjectivity(tmp_path)


def test_real_corpus_shape(corpus_frame):
    counts = class_counts(corpus_frame)
    pol = corpus_frame[corpus_frame["corpus"] == "polnear"]
    assert set(pol["split"]) == {"train", "dev"}
    assert pol["doc_id"].nunique() == 924
    # every sentence's offsets point into its article (spot-check one document)
    assert (pol["end"] > pol["start"]).all()
    for label in ("named_source", "anonymous_intelligence", "outlet_claim"):
        assert counts.loc[("polnear", "train"), label] > 1000
    subj = corpus_frame[corpus_frame["corpus"] != "polnear"]
    keys = subj["text"].str.lower().str.split().str.join(" ")
    assert not keys.duplicated().any()
    assert counts.loc[("checkthat2025", "dev"), "editorial_opinion"] > 200
    # unresolved rows are rare: the mapping decides almost every attributed sentence
    assert pol["label"].isna().mean() < 0.05
