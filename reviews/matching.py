"""Already checked: claims like this one that already have a published verdict, and other
publishers' fact-checks of them.

A small BM25 index kept in the database (MatchDocument, MatchTerm): no model weights, no network,
the same answer every time. The publish and withdraw services refresh the claims they touch
(`matches_refresh`), the ClaimReview import indexes what it stores, and `matches_rebuild` (the
`matches_rebuild` command) builds the index afresh. A search runs a constant number of
queries whatever the size of the index: statistics, document frequencies, one scoring query per
kind (ours, theirs), the documents found.

Terms (`terms`) work for English and Spanish alike:
1. fold case and accents (NFKD, combining marks dropped);
2. split into words and numbers; numbers lose thousands separators, a number word ("thirty",
   "treinta") becomes its digits, "2 million" / "dos millones" becomes 2000000;
3. "%", "percent", "por ciento" become one term;
4. drop a short list of English and Spanish stop words;
5. stem lightly: strip a few plural and verb endings, then keep the first 6 letters.

A search scores with BM25 in the database, leaving out terms found in over half of a large
index (they weigh little and cost a long scan); the similarity shown is the score as a share of
the claim's score against itself.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Avg, Case, Count, F, FloatField, Sum, Value, When
from django.db.models.functions import Cast

from claims.models import Claim
from reviews.models import ExternalFactCheck, MatchDocument, MatchTerm, Verdict

# BM25 parameters (the usual defaults).
K1 = 1.2
B = 0.75
# How many matches of each kind a claim shows.
LIMIT = 5
# Matches below this share of the claim's own score are noise (see bench/matching.py).
MIN_SIMILARITY = 0.2
# A query longer than this many distinct terms is cut (a pasted paragraph is not a claim).
MAX_QUERY_TERMS = 64
# A term in more than this share of the index (and in over COMMON_MIN_DF texts) says little
# (its idf is under log 2) and costs a scan of its postings: the search leaves it out.
COMMON_SHARE = 0.5
COMMON_MIN_DF = 100
STEM_LENGTH = 6
TERM_MAX_LENGTH = 40
BATCH = 500

STOP_WORDS = frozenset(
    """
    a an and are as at be been being but by for from had has have he her his i if in into is
    it its itself me more most my no nor not of on or our she so than that the their them then
    there these they this those to too was we were what when where which while who whom why
    will with would you your yours also just about over under very can could should may might
    must do does did said says say according per
    el la los las un una unos unas y e o u de del al a en con por para sin sobre que se su sus
    es son fue ser ha han hay lo le les como mas pero ya este esta estos estas ese esa eso
    ni muy tambien desde hasta entre cuando donde quien segun dijo dice afirmo
    """.split()
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "doce": 12, "quince": 15, "veinte": 20,
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90, "cien": 100,
}  # fmt: skip
MULTIPLIERS = {
    "thousand": 1_000, "mil": 1_000, "million": 1_000_000, "millon": 1_000_000,
    "millones": 1_000_000, "billion": 1_000_000_000,
}  # fmt: skip
PERCENT = {"%", "percent", "pct", "cent", "ciento", "porcentaje"}
# Longest endings first; each needs a stem of at least 3 letters left.
SUFFIXES = ("aciones", "iciones", "ciones", "mente", "ing", "ed", "es", "s")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|%|[^\W\d_]+")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


def normalise(text: str) -> str:
    """Case and accents folded: 'Educación' and 'educacion' are one word."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _number(token: str) -> str:
    """'5,000' and '5.000' as 5000; '4.2' and '4,2' as 4.2."""
    if _THOUSANDS.fullmatch(token):
        return token.replace(",", "").replace(".", "")
    return token.replace(",", ".")


def _stem(word: str) -> str:
    """A light stem: one ending off, then a fixed-length prefix."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM_LENGTH]


def _raw_tokens(text: str) -> Iterator[str]:
    """Numbers as digits (number words and multipliers folded in), words as they are."""
    pending: float | None = None
    for token in _TOKEN.findall(normalise(text)):
        if token[0].isdigit() or token in NUMBER_WORDS:
            value = token if token[0].isdigit() else str(NUMBER_WORDS[token])
            if pending is not None:
                yield _format(pending)
            number = _number(value)
            try:
                pending = float(number)
            except ValueError:
                pending = None
                yield number
            continue
        if token in MULTIPLIERS and pending is not None:
            pending *= MULTIPLIERS[token]
            continue
        if pending is not None:
            yield _format(pending)
            pending = None
        yield token
    if pending is not None:
        yield _format(pending)


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (see the module docstring)."""
    out = []
    for token in _raw_tokens(text):
        if token in PERCENT:
            out.append("%")
        elif token[0].isdigit():
            out.append(token[:TERM_MAX_LENGTH])
        elif token not in STOP_WORDS and len(token) > 1:
            out.append(_stem(token))
    return out


# --- Keeping the index ------------------------------------------------------------------------


def _documents_add(rows: list[tuple[MatchDocument, str]]) -> None:
    """Insert documents and their postings (ids come back from the insert on both databases)."""
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        counted = [Counter(terms(text)) for _, text in batch]
        for (document, _), counts in zip(batch, counted, strict=True):
            document.length = sum(counts.values())
        MatchDocument.objects.bulk_create([document for document, _ in batch])
        MatchTerm.objects.bulk_create(
            [
                MatchTerm(document=document, kind=document.kind, term=term, count=min(n, 32767))
                for (document, _), counts in zip(batch, counted, strict=True)
                for term, n in counts.items()
            ],
            batch_size=BATCH,
        )


@transaction.atomic
def matches_refresh(*, claim_ids: Iterable[int]) -> int:
    """Re-index these claims: in the index if their current verdict is published, out if not.

    The publish and withdraw services call it inside their transaction, so the index commits
    (or rolls back) with the verdict. Returns how many claims are in the index now.
    """
    ids = sorted(set(claim_ids))
    indexed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        MatchDocument.objects.filter(claim_id__in=chunk).delete()
        published = list(
            Verdict.objects.filter(claim_id__in=chunk)
            .published()
            .values_list("pk", "claim_id", "claim__text")
        )
        _documents_add(
            [
                (MatchDocument(kind=MatchDocument.Kind.OURS, claim_id=claim, verdict_id=pk), text)
                for pk, claim, text in published
            ]
        )
        indexed += len(published)
    return indexed


@transaction.atomic
def externals_refresh(*, external_ids: Iterable[int]) -> int:
    """Re-index these external fact-checks (after an import or an edit)."""
    ids = sorted(set(external_ids))
    indexed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        MatchDocument.objects.filter(external_id__in=chunk).delete()
        rows = list(ExternalFactCheck.objects.filter(pk__in=chunk).values_list("pk", "claim_text"))
        _documents_add(
            [
                (MatchDocument(kind=MatchDocument.Kind.EXTERNAL, external_id=pk), text)
                for pk, text in rows
            ]
        )
        indexed += len(rows)
    return indexed


@transaction.atomic
def matches_rebuild() -> int:
    """Build the whole index afresh: every published verdict's claim, every external
    fact-check. Returns the number of documents."""
    MatchTerm.objects.all().delete()
    MatchDocument.objects.all().delete()
    claim_ids = list(Verdict.objects.published().values_list("claim_id", flat=True))
    external_ids = list(ExternalFactCheck.objects.values_list("pk", flat=True))
    return matches_refresh(claim_ids=claim_ids) + externals_refresh(external_ids=external_ids)


# --- Searching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One similar text: a claim with our published verdict, or another publisher's check."""

    document: MatchDocument
    similarity: float  # the BM25 score as a share of the claim's score against itself, 0..1

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def claim(self) -> Claim | None:
        return self.document.claim

    @property
    def verdict(self) -> Verdict | None:
        return self.document.verdict

    @property
    def external(self) -> ExternalFactCheck | None:
        return self.document.external


@dataclass(frozen=True)
class Matches:
    """What the desk already knows about a claim: our verdicts, then other publishers'."""

    ours: list[Match]
    theirs: list[Match]


@dataclass(frozen=True)
class _Query:
    weights: dict[str, float]  # idf x frequency in the claim, by term
    self_score: float


def _statistics() -> tuple[int, float]:
    stats = MatchDocument.objects.aggregate(n=Count("pk"), avg=Avg("length"))
    return stats["n"] or 0, float(stats["avg"] or 1.0) or 1.0


def _queries(texts: dict[int, str], n: int, avgdl: float) -> dict[int, _Query]:
    """Each claim's terms weighted by idf (one query for the document frequencies of all)."""
    counted = {
        key: Counter(dict(Counter(terms(text)).most_common(MAX_QUERY_TERMS)))
        for key, text in texts.items()
    }
    every = sorted({term for counts in counted.values() for term in counts})
    df = dict(
        MatchTerm.objects.filter(term__in=every)
        .values("term")
        .annotate(df=Count("pk"))
        .values_list("term", "df")
    )
    queries = {}
    for key, counts in counted.items():
        weights: dict[str, float] = {}
        self_score = 0.0
        length = sum(counts.values())
        common = max(COMMON_MIN_DF, COMMON_SHARE * n)
        for term, qtf in counts.items():
            if df.get(term, 0) > common:
                continue
            idf = math.log(1 + (n - df.get(term, 0) + 0.5) / (df.get(term, 0) + 0.5))
            weights[term] = idf * qtf
            norm = K1 * (1 - B + B * length / avgdl)
            self_score += idf * qtf * qtf * (K1 + 1) / (qtf + norm)
        queries[key] = _Query(weights, self_score)
    return queries


def _top(
    query: _Query,
    kind: str,
    avgdl: float,
    exclude_claim: int | None,
    *,
    limit: int = LIMIT,
    floor: float = MIN_SIMILARITY,
) -> list[tuple[int, float]]:
    """The best documents of one kind for one query, scored by BM25 in the database, with
    their similarity (the score as a share of the claim's score against itself)."""
    present = [term for term, weight in query.weights.items() if weight > 0]
    if not present or query.self_score <= 0:
        return []
    weight = Case(
        *[When(term=term, then=Value(query.weights[term])) for term in present],
        default=Value(0.0),
        output_field=FloatField(),
    )
    tf = Cast("count", FloatField())
    length = Cast(F("document__length"), FloatField())
    score = (
        weight
        * tf
        * Value(K1 + 1)
        / (tf + Value(K1) * (Value(1 - B) + Value(B) * length / Value(avgdl)))
    )
    postings = MatchTerm.objects.filter(term__in=present, kind=kind)
    if exclude_claim is not None:
        postings = postings.exclude(document__claim_id=exclude_claim)
    rows = (
        postings.values("document_id")
        .annotate(score=Sum(score, output_field=FloatField()))
        .order_by("-score", "document_id")
        .values_list("document_id", "score")[:limit]
    )
    shares = [(pk, min(1.0, score / query.self_score)) for pk, score in rows]
    return [(pk, share) for pk, share in shares if share >= floor]


def _documents(ids: Iterable[int]) -> dict[int, MatchDocument]:
    return MatchDocument.objects.select_related(
        "claim__article", "verdict__rating", "external"
    ).in_bulk(list(ids))


def matches_for_claims(claims: Iterable[Claim]) -> dict[int, Matches]:
    """Matches of several claims (an article's candidates), each excluding itself.

    Reads: statistics, document frequencies, two scoring queries per claim (ours, theirs), the
    documents: constant in the size of the index.
    """
    texts = {claim.pk: claim.text for claim in claims}
    n, avgdl = _statistics()
    if not texts or not n:
        return {pk: Matches([], []) for pk in texts}
    queries = _queries(texts, n, avgdl)
    found = {
        pk: (
            _top(query, MatchDocument.Kind.OURS, avgdl, pk),
            _top(query, MatchDocument.Kind.EXTERNAL, avgdl, None),
        )
        for pk, query in queries.items()
    }
    documents = _documents({pk for ours, theirs in found.values() for pk, _ in (*ours, *theirs)})
    return {
        pk: Matches(
            [Match(documents[doc], sim) for doc, sim in ours],
            [Match(documents[doc], sim) for doc, sim in theirs],
        )
        for pk, (ours, theirs) in found.items()
    }


def claim_matches(claim: Claim) -> Matches:
    """The matches of one claim (the workspace's panel)."""
    return matches_for_claims([claim])[claim.pk]


def text_ranking(
    text: str,
    *,
    kind: str = MatchDocument.Kind.OURS,
    limit: int = LIMIT,
    floor: float = MIN_SIMILARITY,
) -> list[tuple[int, float]]:
    """Document ids and similarities for a free text, best first (benchmarks, the shell)."""
    n, avgdl = _statistics()
    if not n:
        return []
    return _top(_queries({0: text}, n, avgdl)[0], kind, avgdl, None, limit=limit, floor=floor)


def matching_settings() -> dict[str, Any]:
    """The knobs, for a benchmark report."""
    return {"k1": K1, "b": B, "limit": LIMIT, "min_similarity": MIN_SIMILARITY}
