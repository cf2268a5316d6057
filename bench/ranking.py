"""Benchmark stage 1 of claim ranking: speed, quality on ClaimBuster dev, candidate share.

Usage: ``python -m bench.ranking --data ../shared/data``.

Prints:
1. stage-1 scoring speed in a warmed process (model loaded, other text scored) on sentences it
   has never seen, every cache cleared: the ClaimBuster development sentences
   (``groundtruth.csv``) and the sentences of fresh articles; then the dev sentences again;
2. ``extract()`` on 5,000-word articles it has never seen, in a warmed process: each article
   is made fresh (GUM news paragraphs in a new order, with invented names and figures woven
   in, so no cache has seen its words) and every cache in the extraction package is cleared
   before the run; the median of several articles;
3. precision/recall/F1 at the default threshold, average precision and Brier score of the
   check-worthy class on ``groundtruth.csv`` (the development split: it chose C and the
   threshold, so these are not held-out figures);
4. the share of sentences that become candidates on GUM news and on the demo articles.

Stage 1 runs compiled where the mypyc build is current (``claims/extraction/native.py``); the
report says which, and then measures 1 and 2 again in a child process as pure Python
(``FACTCHECK_EXTRACTION_COMPILED=0``), what a machine without a C compiler gets.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from functools import _lru_cache_wrapper
from pathlib import Path

from bench.extraction import DEFAULT_DATA, _read_checkworthiness, gum_documents
from claims.extraction import extract, load_scorer, native
from claims.extraction.scoring import Scorer
from claims.extraction.segmentation import segment
from claims.extraction.training import classification_figures

DEMO_DIR = Path(__file__).resolve().parent.parent / "claims" / "demo"
ARTICLE_WORDS = 5_000
FRESH_ARTICLES = 7
_SYLLABLES = "ka lo mi ren tu sha vel dor pin qua zet bru nok ese fal gri".split()


def _clear_caches(scorer: Scorer) -> None:
    """Empty every cache the scorer or the extraction package fills while working.

    The scorer keeps none today; older scorers kept n-gram caches in attributes named
    ``*_cache``, and any that come back are emptied here, so that the figures stay those of
    text never seen before (the model's own tables, such as the prefix sums, stay).
    """
    for name, value in vars(scorer).items():
        if isinstance(value, _lru_cache_wrapper):
            value.cache_clear()
        elif name.endswith("_cache") and isinstance(value, dict):
            value.clear()
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("claims.extraction") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, _lru_cache_wrapper) and value.__name__ not in (
                "_load_cached",  # the loaded model: a warmed process has it
            ):
                value.cache_clear()


def _invented_word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def fresh_article(data_dir: Path, seed: int, words: int = ARTICLE_WORDS) -> str:
    """A news article of about ``words`` words that no cache has seen.

    GUM paragraphs in an order of their own, and in every paragraph an invented name and an
    invented figure: real prose, unseen tokens.
    """
    rng = random.Random(seed)
    paragraphs = [p for text, _ in gum_documents(data_dir) for p in text.split("\n") if p]
    rng.shuffle(paragraphs)
    chosen: list[str] = []
    count = 0
    for paragraph in paragraphs * 3:
        name = _invented_word(rng).capitalize() + " " + _invented_word(rng).capitalize()
        figure = f"{rng.randint(11, 99_999):,}"
        chosen.append(
            f"{paragraph} {name} said {figure} {_invented_word(rng)}s were counted in "
            f"{_invented_word(rng).capitalize()}."
        )
        count += len(chosen[-1].split())
        if count >= words:
            break
    return "\n\n".join(chosen)


def stage1_speed(data_dir: Path, articles: int = FRESH_ARTICLES) -> dict[str, float]:
    """Sentences per second for ``score_many`` (with reasons) in a warmed process.

    The issue's definition: the process has loaded the model and scored other text (a fresh
    article), every cache is cleared, and the sentences timed are ones it has never seen:
    1. ``unseen_dev``: the ClaimBuster dev sentences, scored once;
    2. ``unseen_news``: the sentences of fresh articles (median of ``articles``);
    3. ``repeated``: the dev sentences again, caches as the first pass left them (best of 3).
    """
    texts, _ = _read_checkworthiness(data_dir / "checkworthiness" / "groundtruth.csv")
    scorer = load_scorer()
    scorer.score_many([s.text for s in segment(fresh_article(data_dir, seed=0), "en")])
    _clear_caches(scorer)
    started = time.perf_counter()
    scorer.score_many(texts)
    unseen_dev = len(texts) / (time.perf_counter() - started)
    news = []
    for seed in range(1, articles + 1):
        sentences = [s.text for s in segment(fresh_article(data_dir, seed=seed), "en")]
        _clear_caches(scorer)
        started = time.perf_counter()
        scorer.score_many(sentences)
        news.append(len(sentences) / (time.perf_counter() - started))
    repeated = 0.0
    for _ in range(3):
        started = time.perf_counter()
        scorer.score_many(texts)
        repeated = max(repeated, len(texts) / (time.perf_counter() - started))
    return {
        "unseen_dev": unseen_dev,
        "unseen_news": statistics.median(news),
        "repeated": repeated,
        "sentences": float(len(texts)),
    }


def cold_extract_ms(data_dir: Path, articles: int = FRESH_ARTICLES) -> dict[str, float]:
    """Median ms of ``extract()`` on fresh 5,000-word articles with every cache cleared."""
    scorer = load_scorer()
    extract(fresh_article(data_dir, seed=0))  # warm the process: modules, model, regexes
    timings, sentences = [], []
    for seed in range(1, articles + 1):
        article = fresh_article(data_dir, seed=seed)
        _clear_caches(scorer)
        started = time.perf_counter()
        result = extract(article)
        timings.append((time.perf_counter() - started) * 1000)
        sentences.append(len(result.sentences))
    return {
        "median_ms": statistics.median(timings),
        "max_ms": max(timings),
        "words": float(len(fresh_article(data_dir, seed=1).split())),
        "sentences": statistics.median(sentences),
    }


def dev_quality(data_dir: Path) -> dict[str, object]:
    """Figures of the check-worthy class on groundtruth.csv at the default threshold."""
    scorer = load_scorer()
    texts, labels = _read_checkworthiness(data_dir / "checkworthiness" / "groundtruth.csv")
    values = [scorer.value(text) for text in texts]
    return classification_figures(labels, values, scorer.threshold)


def candidate_shares(data_dir: Path) -> dict[str, tuple[int, int]]:
    """(candidates, sentences) on GUM news (all articles) and on each demo article."""
    shares: dict[str, tuple[int, int]] = {}
    candidates = total = 0
    for text, _ in gum_documents(data_dir):
        result = extract(text)
        candidates += len(result.candidates)
        total += len(result.sentences)
    shares["GUM news"] = (candidates, total)
    for path in sorted(DEMO_DIR.glob("*.txt")):
        result = extract(path.read_text("utf-8"))
        shares[f"demo {path.stem}"] = (len(result.candidates), len(result.sentences))
    return shares


def print_speed(data: Path) -> None:
    """The build in use, then the two speed lines: stage-1 scoring and cold ``extract()``."""
    speed = stage1_speed(data)
    pipeline = cold_extract_ms(data)
    print(f"  build            {native.status().describe()}")
    print(
        f"  scoring          {speed['unseen_dev']:,.0f} sentences/s on {speed['sentences']:,.0f} "
        f"unseen ClaimBuster dev sentences, {speed['unseen_news']:,.0f} on unseen news "
        f"sentences (fresh articles); {speed['repeated']:,.0f} repeated; warmed process, "
        "caches cleared, with reasons"
    )
    print(
        f"  extract() cold   {pipeline['median_ms']:.1f} ms median, {pipeline['max_ms']:.1f} ms "
        f"worst, over {FRESH_ARTICLES} fresh {pipeline['words']:,.0f}-word articles "
        f"(~{pipeline['sentences']:,.0f} sentences), caches cleared"
    )


def run(data_dir: Path) -> None:
    """Print stage-1 speed, cold extract() time, dev quality and candidate shares."""
    data = Path(data_dir)
    scorer = load_scorer()
    print("Ranking, stage 1 (targets: >= 20,000 sentences/s; extract() < 50 ms on 5,000 words)")
    print_speed(data)
    if native.status().active:
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, "-m", "bench.ranking", "--data", str(data), "--speed-only"],
            env={**os.environ, native.SWITCH: "0"},
            check=True,
        )
    quality = dev_quality(data)
    print(
        f"  ClaimBuster dev  at threshold {scorer.threshold:.2f}: P {quality['precision']:.3f} "
        f"R {quality['recall']:.3f} F1 {quality['f1']:.3f}; AP {quality['average_precision']:.3f}, "
        f"Brier {quality['brier']:.4f} (dev split: it chose C and the threshold)"
    )
    print("  reliability on dev (score bin: sentences, mean score, share check-worthy)")
    for row in quality["reliability"]:  # type: ignore[attr-defined]
        print(
            f"    {row['bin']}: {row['count']:>4}  {row['mean_score']:.2f}  "
            f"{row['share_check_worthy']:.2f}"
        )
    print("  candidate share at the default threshold")
    for name, (candidates, total) in candidate_shares(data).items():
        print(f"    {name:<32} {candidates:>4}/{total:<4} {candidates / max(1, total):.0%}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data directory")
    parser.add_argument("--speed-only", action="store_true", help="only the two speed lines")
    arguments = parser.parse_args(argv)
    if arguments.speed_only:
        print_speed(arguments.data)
    else:
        run(arguments.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
