"""Similar-claim matching benchmark (``manage.py bench matching``).

Our own fixture (bench/data/paraphrases.json, written before the matcher): pairs of a claim the
desk published and a differently worded claim about the same fact, in English and Spanish, plus
published distractors on the same topics. Every published text and distractor becomes a claim
with a published verdict; the index is built with `matches_rebuild`; each paraphrase is then
searched. Figures: recall@1, recall@5 and MRR (over the top 5), with no similarity floor and
with the floor the desk shows matches above, per language, plus how the light stemming changes
them, and index and search times.

Needs a database: the bench command runs it in a throw-away test database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "paraphrases.json"
TOP = 5


def load(path: Path = DATA) -> tuple[list[dict[str, str]], list[str]]:
    """The pairs and the distractors of the fixture."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["pairs"], data["distractors"]


def _publish(texts: list[str]) -> list[int]:
    """One published verdict per text (rows written directly: this is a fixture, not a
    workflow); returns the claim ids in order."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from claims.models import Article, Claim
    from reviews.models import Rating, Verdict

    users = get_user_model().objects
    author = users.create(username="bench-author")
    approver = users.create(username="bench-approver")
    rating = Rating.objects.filter(scale__is_default=True).first()
    if rating is None:  # no default scale: make one
        from reviews.models import RatingScale

        scale = RatingScale.objects.create(name="bench", is_default=True)
        rating = Rating.objects.create(scale=scale, label="False", claimreview_value=1)
    now = timezone.now()
    ids = []
    for number, text in enumerate(texts):
        article = Article.objects.create(
            title=f"Bench article {number}", body=text, body_sha256=f"{number:064d}"
        )
        claim = Claim.objects.create(
            article=article,
            text=text,
            start=0,
            end=len(text),
            position=0,
            status=Claim.Status.PUBLISHED,
        )
        Verdict.objects.create(
            claim=claim,
            rating=rating,
            summary="bench",
            author=author,
            approved_by=approver,
            approved_at=now,
            published_at=now,
        )
        ids.append(claim.pk)
    return ids


@contextmanager
def _variant(name: str) -> Iterator[None]:
    """Swap one step of the term pipeline off for an ablation figure."""
    from reviews import matching

    saved = (matching._stem, matching.NUMBER_WORDS)
    if name == "no stemming":
        matching._stem = lambda word: word
    elif name == "no number words":
        matching.NUMBER_WORDS = {}
    try:
        yield
    finally:
        matching._stem, matching.NUMBER_WORDS = saved


def _scores(
    pairs: list[dict[str, str]], expected: list[int], floor: float
) -> dict[str, dict[str, float]]:
    from reviews import matching
    from reviews.models import MatchDocument

    claim_of = dict(MatchDocument.objects.values_list("pk", "claim_id"))
    by_lang: dict[str, list[int | None]] = {}
    for pair, want in zip(pairs, expected, strict=True):
        ranked = [
            claim_of[pk] for pk, _ in matching.text_ranking(pair["query"], limit=TOP, floor=floor)
        ]
        rank = ranked.index(want) + 1 if want in ranked else None
        by_lang.setdefault(pair["lang"], []).append(rank)
        by_lang.setdefault("all", []).append(rank)
    return {
        lang: {
            "pairs": len(ranks),
            "recall@1": sum(rank == 1 for rank in ranks) / len(ranks),
            "recall@5": sum(rank is not None for rank in ranks) / len(ranks),
            "mrr": sum(1 / rank for rank in ranks if rank) / len(ranks),
        }
        for lang, ranks in sorted(by_lang.items())
    }


VARIANTS = ("full", "no stemming", "no number words")


def measure(path: Path = DATA, variants: tuple[str, ...] = VARIANTS) -> dict[str, Any]:
    """Index the fixture, search every paraphrase, return the figures (for each variant of
    the term pipeline: the full one, and with one step switched off)."""
    from reviews import matching
    from reviews.models import MatchDocument

    pairs, distractors = load(path)
    claim_ids = _publish([pair["published"] for pair in pairs] + distractors)
    expected = claim_ids[: len(pairs)]
    results: dict[str, Any] = {"settings": matching.matching_settings(), "variants": {}}
    for variant in variants:
        with _variant(variant):
            started = time.perf_counter()
            documents = matching.matches_rebuild()
            indexed = time.perf_counter() - started
            started = time.perf_counter()
            unfloored = _scores(pairs, expected, 0.0)
            searched = time.perf_counter() - started
            floored = _scores(pairs, expected, matching.MIN_SIMILARITY)
        results["variants"][variant] = {
            "no floor": unfloored,
            "with floor": floored,
            "index_seconds": round(indexed, 3),
            "search_ms_each": round(1000 * searched / len(pairs), 2),
        }
    matching.matches_rebuild()
    # Where the floor sits: the similarity of the right match and of the best wrong one.
    claim_of = dict(MatchDocument.objects.values_list("pk", "claim_id"))
    right, wrong = [], []
    for pair, want in zip(pairs, expected, strict=True):
        ranked = matching.text_ranking(pair["query"], limit=TOP, floor=0.0)
        right += [sim for pk, sim in ranked if claim_of[pk] == want]
        wrong += [sim for pk, sim in ranked if claim_of[pk] != want][:1]
    results["documents"] = documents
    results["similarity"] = {
        "right_min": round(min(right), 3) if right else None,
        "right_median": round(sorted(right)[len(right) // 2], 3) if right else None,
        "best_wrong_median": round(sorted(wrong)[len(wrong) // 2], 3) if wrong else None,
        "best_wrong_max": round(max(wrong), 3) if wrong else None,
        "wrong_above_floor": sum(sim >= matching.MIN_SIMILARITY for sim in wrong),
        "queries": len(pairs),
    }
    return results


def format_report(results: dict[str, Any]) -> str:
    """The figures as a table."""
    lines = [
        f"Similar-claim matching: {results['documents']} published claims, settings "
        f"{results['settings']}",
        f"{'variant':<16} {'floor':<10} {'lang':<4} {'pairs':>5} {'R@1':>6} {'R@5':>6} {'MRR':>6}",
    ]
    for variant, figures in results["variants"].items():
        for floor in ("no floor", "with floor"):
            for lang, row in figures[floor].items():
                lines.append(
                    f"{variant:<16} {floor:<10} {lang:<4} {row['pairs']:>5} "
                    f"{row['recall@1']:>6.3f} {row['recall@5']:>6.3f} {row['mrr']:>6.3f}"
                )
        lines.append(
            f"{variant:<16} index {figures['index_seconds']} s, "
            f"search {figures['search_ms_each']} ms per claim"
        )
    lines.append(f"similarity: {results['similarity']}")
    return "\n".join(lines)


def run() -> None:
    """Print the figures (in the current database: use `manage.py bench matching`)."""
    print(format_report(measure()))
