"""One dev article repeated 1, 4, 16, 64 times as a single long article: time per sentence should stay flat
(linear total time); prints the growth ratio per doubling, (t_next / t_prev) ** (1/2) for each 4x step.

    python bench/scaling.py
"""
from common import dev_texts, table, timed


def main() -> None:
    from scorer import Scorer

    scorer = Scorer()
    article = max(dev_texts(), key=len)
    rows, prev = [], None
    for k in (1, 4, 16, 64):
        text = "\n\n".join([article] * k)
        t, report = timed(lambda: scorer.score(text), 3)
        n = report.article["n_sentences"]
        ratio = f"{(t / prev) ** 0.5:.2f}" if prev else "-"
        rows.append([k, n, f"{t:.3f}", f"{1e6 * t / n:,.0f}", ratio])
        prev = t
    print(table(["copies", "sentences", "seconds (median of 3)", "µs per sentence", "time ratio per doubling"], rows))


if __name__ == "__main__":
    main()
