"""End-to-end scoring with the shipped model: the example article's acceptance checks and the contract."""
import json

import pytest

from scorer import LABELS
from scorer.errors import InputError
from scorer.pipeline import Scorer, score


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


@pytest.fixture(scope="module")
def report(scorer, example_text):
    return scorer.score(example_text, article_id="iran")


def test_furniture_skipped_and_never_labelled(report):
    assert [s["text"] for s in report.skipped] == ["Site icon The Commune", "Exit mobile version"]
    assert not any("Site icon" in s["text"] or "Exit mobile" in s["text"] for s in report.sentences_list)


def test_pentagon_sentence_is_named_with_its_source(report):
    row = next(s for s in report.sentences_list if "the Pentagon says" in s["text"])
    assert row["attribution_type"] == "named_source"
    assert row["source"] == "the Pentagon" and row["cue"] == "says"


def test_they_added_quote_resolves_to_state_department(report):
    row = next(s for s in report.sentences_list if "they added" in s["text"])
    assert row["attribution_type"] == "named_source"
    assert row["source"] == "The State Department" and row["source_phrase"] == "they"


def test_quote_support_beats_opinion_sentences(report):
    quote = next(s for s in report.sentences_list if "they added" in s["text"])
    opinions = [s for s in report.sentences_list
                if any(w in s["text"] for w in ("likely suspect", "mercurial Trump", "dreaded", "great length"))]
    assert len(opinions) == 4
    assert all(quote["support"] > s["support"] for s in opinions)


def test_contract_invariants(report, example_text):
    d = report.to_dict()
    assert d["schema_version"] == 1 and d["model"]["id"] == "attribution-v1" and len(d["model"]["sha256"]) == 64
    assert d["article"]["n_sentences"] == len(d["sentences"]) == 12 and d["article"]["n_skipped"] == 2
    assert abs(sum(d["summary"]["type_shares"].values()) - 1) < 1e-3
    assert 0 <= d["summary"]["support_score"] <= 100
    for s in d["sentences"]:
        assert example_text[s["start"]:s["end"]] == s["text"]
        assert s["attribution_type"] in LABELS
        assert abs(sum(s["probabilities"].values()) - 1) < 1e-3
        assert 0 <= s["support"] <= 1 and s["support_grade"] in (0, 1, 2, 3)
        assert isinstance(s["reasons"], list)
    json.dumps(d)  # serialisable


def test_summary_sources_and_flags(report):
    names = {s["name"]: s["type"] for s in report.summary["sources"]}
    assert names.get("the Pentagon") == "named_source" and names.get("The State Department") == "named_source"
    assert len(report.summary["weakest"]) == 3
    weakest = {report.sentences_list[i]["attribution_type"] for i in report.summary["weakest"]}
    assert weakest <= {"editorial_opinion", "anonymous_intelligence", "outlet_claim"}


@pytest.mark.xfail(strict=True, reason="known disagreements with the two readers of the example (docs/accuracy.md): "
                                       "the claim head reads sentences 1-2 (US intelligence, via CNN) and 3, 8 as the "
                                       "outlet's narration; the readers read anonymous_intelligence and opinion")
def test_example_article_as_the_readers_read_it(report):
    """Every sentence of the example as both readers labelled it (data/claims/, example set)."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "claims" / "labels.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        gold = {int(r["start"]): r["type"] for r in csv.DictReader(fh, delimiter="\t")
                if r["article_id"] == "example/iran-bounties-commune"}
    got = {s["start"]: s["attribution_type"] for s in report.sentences_list}
    got.update({s["start"]: "furniture" for s in report.skipped})
    assert {k: got.get(k) for k in gold} == gold


def test_dataframe_and_renderers(report):
    frame = report.sentences
    assert len(frame) == 12 and {"attribution_type", "support", "source", "p_named_source"} <= set(frame.columns)
    assert "Support score" in report.to_text()
    assert report.to_markdown().startswith("# Iran may have paid")
    html = report.to_html()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "://" not in html.split("<svg")[0]  # no URLs
    assert "<html" not in report._repr_html_()


def test_module_level_score_matches_scorer(report, example_text):
    assert score(example_text).to_dict()["sentences"] == report.to_dict()["sentences"]


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_input_rejected(scorer, text):
    with pytest.raises(InputError, match="empty article"):
        scorer.score(text)


def test_only_furniture_rejected(scorer):
    with pytest.raises(InputError, match="only page furniture"):
        scorer.score("Share this\nAdvertisement\n")


def test_score_many_in_order(scorer, example_text):
    texts = ["The council voted 7-2 on Tuesday to close the depot.", example_text]
    reports = list(scorer.score_many(texts))
    assert [r.article["n_sentences"] for r in reports] == [1, 12]
    in_workers = list(scorer.score_many(texts, n_jobs=2))
    assert [r.to_dict() for r in in_workers] == [r.to_dict() for r in reports]


def test_html_file_report_carries_its_text(scorer, tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<html><body><article><h1>Depot to close</h1><p>The council voted 7-2 on Tuesday to close "
                    "the depot, the mayor said.</p></article></body></html>")
    report = scorer.score_file(page)
    text = report.article["text"]
    assert report.article["id"] == "a" and text.startswith("Depot to close")
    assert all(text[s["start"]:s["end"]] == s["text"] for s in report.sentences_list)
    assert "text" not in scorer.score("Plain text. Two sentences.").article
