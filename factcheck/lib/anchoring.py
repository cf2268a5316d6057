"""Re-anchor claims on a new revision of an article body (no Django here).

A claim is anchored to exact characters of the body (`quote == body[start:end]`). When a new
revision arrives, `reanchor` says for each anchor where its text is now, the way web annotation
tools anchor a quote with its prefix and suffix: position first, then the exact quote, then a
fuzzy quote. Offsets are Python string indexes (code points), so `new_body[start:end] == text`
for every result that is not orphaned.
"""

import bisect
import difflib
import itertools
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

__all__ = ["Anchor", "Outcome", "Reanchored", "reanchor"]

_DELETE, _EQUAL, _INSERT = -1, 0, 1

# Context weights from the Hypothesis client's quote matcher: the text on either side counts,
# the distance from the expected place only breaks ties.
_PREFIX_WEIGHT, _SUFFIX_WEIGHT, _POSITION_WEIGHT = 20, 20, 2
# When a short quote occurs many times, only the occurrences nearest the expected place are
# scored, which keeps the pairing linear in the number of occurrences.
_NEAREST = 8
# How many candidate sentences get a full similarity comparison (see `_closest`).
_SHORTLIST = 8

# Between two sentences: whitespace after terminal punctuation (and closing quotes or brackets),
# or any line break. Abbreviations ("Mr. Lee") split too; snapping tolerates that.
_SENTENCE_GAP = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’»)\]]))\s+|\s*\n\s*")
_SPACES = re.compile(r"\s+")
# The units of the diff: words, runs of whitespace, single other characters.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
_DASHES = re.compile(r"-{2,}")
# Typographic variants that do not change what a sentence says.
_FOLD = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'}
    | {"–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "…": "...", "\u00a0": " "}
)


@dataclass(frozen=True)
class Anchor:
    """Where a claim sat in the old body: `quote == old_body[start:end]`, non-empty."""

    start: int
    end: int
    quote: str


class Outcome(StrEnum):
    """What happened to an anchor's text in the new body."""

    UNCHANGED = "unchanged"  # the same text at the same offsets
    MOVED = "moved"  # the same text at other offsets
    CHANGED = "changed"  # edited text, similar enough to the old quote
    ORPHANED = "orphaned"  # deleted, or rewritten beyond the threshold


@dataclass(frozen=True)
class Reanchored:
    """Where an anchor's text is in the new body; offsets and text are None when orphaned.

    `similarity` is difflib's ratio of the old quote and `text` after folding typographic quotes,
    dashes and runs of whitespace: 1.0 when unchanged or moved, and for a CHANGED text whose only
    change is punctuation style or spacing. For an orphan it is the best similarity of a candidate
    below the threshold (0.0 when none came within half of it), which tells "deleted" from
    "rewritten".
    """

    outcome: Outcome
    start: int | None
    end: int | None
    text: str | None
    similarity: float


def reanchor(
    old_body: str,
    new_body: str,
    anchors: Sequence[Anchor],
    *,
    context: int = 32,
    threshold: float = 0.6,
    diff_timeout: float = 1.0,
) -> list[Reanchored]:
    """Return, for each anchor in order, where its text is in `new_body`.

    Steps:
    1. Diff old → new once with diff_match_patch, by words (each word or run of spaces stands
       for one character, as in the library's line mode), with semantic cleanup, bounded by
       `diff_timeout` seconds. A diff that runs out of time is thrown away, because its shape
       would depend on the machine's speed; a paragraph-level diff is used instead (deterministic,
       coarser: edited paragraphs become delete + insert and steps 3 and 5 do the work).
    2. Position: when the quote occurs once in the new body and the diff keeps it inside one
       unchanged stretch, that is the answer (UNCHANGED, or MOVED when the offsets differ).
    3. Exact quote: otherwise pair all old occurrences of the quote with the new ones, one to
       one, best first. An occurrence the diff kept with the same `context` characters around it
       keeps its image; the others are scored by how well the text before and after agrees
       (weights 20 + 20, as in the Hypothesis client) and by closeness to the old start mapped
       through the diff (2). An anchor whose occurrence gets a partner is MOVED (or UNCHANGED).
    4. Edited in place: map the span through the diff (see `_Alignment.span`), then snap each end
       to the kind of boundary it had in the old body: a sentence boundary to the nearest one
       outward, else the edge of the word it falls in; trim whitespace.
    5. Moved and edited: windows of as many new sentences as the quote's old sentences, among
       those overlapping inserted text, are shortlisted by the words they share with the old
       sentences, then ranked by similarity (context and closeness break ties); each in turn is
       aligned with a small diff of its own, and the quote mapped and snapped as in step 4.
    6. A candidate from 4 or 5 is acceptable if its similarity to the quote reaches `threshold`
       and it is not more like some other old sentence the diff did not keep intact (then it is
       that sentence moved or edited: a deleted "fell to 4.1% in April" must not take over "fell
       to 3.8% in May"). The more similar of step 4's and step 5's first acceptable candidate
       wins: CHANGED, or MOVED/UNCHANGED if its text is the quote after all. Otherwise ORPHANED.

    Sentence boundaries are found by a small rule (terminal punctuation plus whitespace, or a
    line break); abbreviations such as "Mr." split too, which only matters when snapping.

    Raises ValueError for an anchor that does not slice `old_body` to its quote, a negative
    `context`, a `threshold` outside (0, 1] or a `diff_timeout` that is not positive.
    """
    _check_arguments(old_body, anchors, context, threshold, diff_timeout)
    if old_body == new_body:
        return [Reanchored(Outcome.UNCHANGED, a.start, a.end, a.quote, 1.0) for a in anchors]
    revision = _Revision(old_body, new_body, context, threshold, diff_timeout)
    return [revision.reanchor(anchor) for anchor in anchors]


def _check_arguments(
    old_body: str, anchors: Sequence[Anchor], context: int, threshold: float, diff_timeout: float
) -> None:
    if context < 0:
        raise ValueError("context must be >= 0")
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    if diff_timeout <= 0:
        raise ValueError("diff_timeout must be > 0 (diff_match_patch reads 0 as no limit)")
    for anchor in anchors:
        if not 0 <= anchor.start < anchor.end <= len(old_body):
            raise ValueError(f"anchor {anchor.start}:{anchor.end} is not a span of the old body")
        if old_body[anchor.start : anchor.end] != anchor.quote:
            raise ValueError(f"anchor {anchor.start}:{anchor.end} does not slice to its quote")


@dataclass(frozen=True)
class _Segment:
    op: int
    old_start: int
    old_end: int
    new_start: int
    new_end: int


class _Alignment:
    """A diff as segments with offsets on both sides, and offset mapping through it."""

    def __init__(self, diffs: list[tuple[int, str]]) -> None:
        self.segments: list[_Segment] = []
        old = new = 0
        for op, text in diffs:
            old_end = old if op == _INSERT else old + len(text)
            new_end = new if op == _DELETE else new + len(text)
            self.segments.append(_Segment(op, old, old_end, new, new_end))
            old, new = old_end, new_end
        self.new_length = new
        self._old_ends = [s.old_end for s in self.segments]
        self.inserted = [(s.new_start, s.new_end) for s in self.segments if s.op == _INSERT]
        # Old text deleted, or with text inserted into it (an insertion is empty on the old side).
        self.edited = [(s.old_start, s.old_end) for s in self.segments if s.op != _EQUAL]

    def intact(self, start: int, end: int) -> int | None:
        """The new start of old `start:end` if the diff keeps it unchanged in one piece."""
        i = bisect.bisect_right(self._old_ends, start)
        if i == len(self.segments):
            return None
        seg = self.segments[i]
        if seg.op == _EQUAL and end <= seg.old_end:
            return seg.new_start + start - seg.old_start
        return None

    def point(self, loc: int) -> int:
        """Map an old offset to a new one (a deleted offset maps to where the deletion was)."""
        i = bisect.bisect_right(self._old_ends, loc)
        if i == len(self.segments):
            return self.new_length
        seg = self.segments[i]
        return seg.new_start + (loc - seg.old_start if seg.op == _EQUAL else 0)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The new span of what old `start:end` became, or None if it was deleted outright.

        Text inserted inside the span counts, and so does text replacing a deletion that lies
        within it; an insertion at either edge, or replacing a deletion that runs past an edge,
        does not (it may belong to the neighbour; snapping widens to the sentence if needed).
        """
        low: int | None = None
        high = 0
        inner_deletion = False
        for seg in self.segments[bisect.bisect_right(self._old_ends, start) :]:
            replaces = seg.op == _INSERT and inner_deletion
            if seg.old_start > end or (seg.old_start == end and not replaces):
                break
            if seg.op == _EQUAL:
                a, b = max(seg.old_start, start), min(seg.old_end, end)
                piece = (seg.new_start + a - seg.old_start, seg.new_start + b - seg.old_start)
            elif seg.op == _INSERT and (replaces or start < seg.old_start < end):
                piece = (seg.new_start, seg.new_end)
            else:
                piece = (0, 0)
            if piece[0] < piece[1]:
                low = piece[0] if low is None else min(low, piece[0])
                high = max(high, piece[1])
            inner_deletion = seg.op == _DELETE and start <= seg.old_start and seg.old_end <= end
        return None if low is None else (low, high)


def _diff(old: str, new: str, timeout: float) -> list[tuple[int, str]]:
    """Word-level diff within `timeout` seconds, else a deterministic paragraph-level diff."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    began = time.monotonic()
    diffs = _diff_units(dmp, old, new, _TOKENS.findall)
    if time.monotonic() - began < timeout:
        dmp.diff_cleanupSemantic(diffs)
        return diffs
    # Paragraphs are few, so this diff is cheap without a deadline.
    dmp.Diff_Timeout = 0
    return _diff_units(dmp, old, new, lambda text: text.splitlines(keepends=True))


def _diff_units(
    dmp: diff_match_patch, old: str, new: str, split: Callable[[str], list[str]]
) -> list[tuple[int, str]]:
    """diff_main over units (words or lines), each unit standing for one character, as the
    library's line mode does: far fewer steps than characters, and edits fall on word edges.
    The result is an ordinary diff of the texts, so offsets stay character offsets. (A text
    with over 1,114,111 distinct units would overflow `chr`; articles are nowhere near.)"""
    codes: dict[str, int] = {}

    def encode(text: str) -> str:
        return "".join(chr(codes.setdefault(unit, len(codes))) for unit in split(text))

    old_codes, new_codes = encode(old), encode(new)
    units = list(codes)
    return [
        (op, "".join(units[ord(code)] for code in text))
        for op, text in dmp.diff_main(old_codes, new_codes, False)
    ]


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, stripped of surrounding whitespace, in order."""
    spans = []
    position = len(text) - len(text.lstrip())
    for gap in _SENTENCE_GAP.finditer(text):
        if gap.start() > position:
            spans.append((position, gap.start()))
        position = max(position, gap.end())
    tail = len(text.rstrip())
    if tail > position:
        spans.append((position, tail))
    return spans


def _touched(sentences: list[tuple[int, int]], edits: list[tuple[int, int]]) -> list[int]:
    """Counts of sentences overlapping an edit: sentences i..j-1 are touched if [j] > [i]."""
    edit_ends = [e for _, e in edits]
    counts = [0]
    for start, end in sentences:
        i = bisect.bisect_right(edit_ends, start)
        counts.append(counts[-1] + (i < len(edits) and edits[i][0] < end))
    return counts


def _fold(text: str) -> str:
    return _SPACES.sub(" ", _DASHES.sub("-", text.translate(_FOLD))).strip()


def _similarity(a: str, b: str, floor: float = 0.0) -> float:
    """difflib ratio of the folded texts; 0.0 when it cannot reach `floor` (checked cheaply)."""
    a, b = _fold(a), _fold(b)
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def _closest(
    target: str, candidates: list[tuple[int, str, frozenset[str]]], floor: float, limit: int
) -> list[tuple[float, int]]:
    """(similarity, key) for the folded candidate texts most like the folded `target`, at least
    `floor`.

    Only a shortlist, the `limit` candidates sharing the largest part of their words with the
    target (ties to the smaller key, so the result is stable), gets difflib's ratio: that keeps
    a total rewrite, where every sentence is a candidate, from costing anchors × sentences full
    comparisons.
    """
    words = _words(target)
    shared = sorted(
        (-len(words & other) / max(1, len(words | other)), key, text)
        for key, text, other in candidates
    )
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(target)
    closest = []
    for _, key, text in shared[:limit]:
        matcher.set_seq1(text)
        similarity = 1.0 if text == target else matcher.ratio()
        if similarity >= floor:
            closest.append((similarity, key))
    return closest


def _occurrences(text: str, quote: str) -> list[int]:
    found = []
    i = text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


@dataclass(frozen=True)
class _Window:
    """The old sentences a quote lies in: `start:end` and how many."""

    start: int
    end: int
    sentences: int


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    similarity: float


class _Revision:
    """One old → new revision: the diff and sentence spans, computed once for all anchors."""

    def __init__(self, old: str, new: str, context: int, threshold: float, timeout: float) -> None:
        self.old, self.new = old, new
        self.context, self.threshold, self.timeout = context, threshold, timeout
        self.alignment = _Alignment(_diff(old, new, timeout))
        self.old_sentences = _sentences(old)
        self.new_sentences = _sentences(new)
        self.old_starts = {s for s, _ in self.old_sentences}
        self.old_ends = {e for _, e in self.old_sentences}
        self.new_starts = [s for s, _ in self.new_sentences]
        self.new_ends = [e for _, e in self.new_sentences]
        self.old_folded = [_fold(old[s:e]) for s, e in self.old_sentences]
        self.new_folded = [_fold(new[s:e]) for s, e in self.new_sentences]
        self.old_words = [_words(text) for text in self.old_folded]
        self.new_words = [_words(text) for text in self.new_folded]
        self.new_touched = _touched(self.new_sentences, self.alignment.inserted)
        self.old_touched = _touched(self.old_sentences, self.alignment.edited)
        self.pairings: dict[str, dict[int, int]] = {}
        # New sentence windows → the old windows the diff did not keep that are most like them.
        self.likenesses: dict[tuple[int, int, int], list[tuple[float, int]]] = {}

    def reanchor(self, anchor: Anchor) -> Reanchored:
        start, end, quote = anchor.start, anchor.end, anchor.quote
        if self.new.count(quote) == 1:
            new_start = self.alignment.intact(start, end)
        else:
            new_start = None
        if new_start is None:
            new_start = self._pairing(quote).get(start)
        if new_start is not None:
            return self._result(anchor, _Found(new_start, new_start + len(quote), 1.0))
        # The old sentences the quote lies in, which steps 5 and 6 compare.
        around = [(s, e) for s, e in self.old_sentences if s < end and e > start]
        window = _Window(
            min([start, *(s for s, _ in around)]), max([end, *(e for _, e in around)]), len(around)
        )
        # Both steps run because a large replaced block can make the in-place span clumsy while
        # step 5 finds the sentence itself; the more similar wins, the in-place one on a tie.
        chosen: _Found | None = None
        best = 0.0
        in_place = self._in_place(anchor, window)
        for found in itertools.chain(
            [in_place] if in_place else [], self._relocated(anchor, window)
        ):
            if found.similarity < self.threshold:
                best = max(best, found.similarity)
            elif not self._claimed_elsewhere(window, found):
                if chosen is None or found.similarity > chosen.similarity:
                    chosen = found
                if found is not in_place:
                    break
        if chosen is not None:
            return self._result(anchor, chosen)
        return Reanchored(Outcome.ORPHANED, None, None, None, best)

    def _claimed_elsewhere(self, window: _Window, found: _Found) -> bool:
        """Whether the found text is more like other old sentences the diff did not keep intact
        than like the anchor's own: then it is those sentences, moved or edited, not this claim."""
        i = bisect.bisect_right(self.new_ends, found.start)
        j = max(i + 1, bisect.bisect_left(self.new_starts, found.end))
        if i >= len(self.new_sentences):
            return False
        found_text = " ".join(self.new_folded[i:j])
        size = max(1, window.sentences)
        if (i, j, size) not in self.likenesses:
            # Cached: in a heavy rewrite many anchors try the same new sentences.
            edited = [
                (
                    k,
                    " ".join(self.old_folded[k : k + size]),
                    frozenset().union(*self.old_words[k : k + size]),
                )
                for k in range(len(self.old_sentences) - size + 1)
                if self.old_touched[k + size] > self.old_touched[k]
            ]
            limit = _SHORTLIST + 2 * size  # room for the anchor's own windows, skipped below
            self.likenesses[i, j, size] = _closest(found_text, edited, 0.0, limit)
        own = _similarity(self.old[window.start : window.end], found_text)
        return any(
            similarity > own
            and not (
                self.old_sentences[k][0] < window.end
                and self.old_sentences[k + size - 1][1] > window.start
            )
            for similarity, k in self.likenesses[i, j, size]
        )

    def _result(self, anchor: Anchor, found: _Found) -> Reanchored:
        text = self.new[found.start : found.end]
        if text != anchor.quote:
            outcome = Outcome.CHANGED
        elif found.start == anchor.start:
            outcome = Outcome.UNCHANGED
        else:
            outcome = Outcome.MOVED
        similarity = 1.0 if text == anchor.quote else found.similarity
        return Reanchored(outcome, found.start, found.end, text, similarity)

    def _context_score(self, old_start: int, old_end: int, new_start: int, new_end: int) -> float:
        """Weighted agreement of the text before and after, and closeness to the mapped start."""
        n = self.context
        prefix = _similarity(
            self.old[max(0, old_start - n) : old_start], self.new[max(0, new_start - n) : new_start]
        )
        suffix = _similarity(self.old[old_end : old_end + n], self.new[new_end : new_end + n])
        distance = abs(new_start - self.alignment.point(old_start))
        closeness = 1.0 - distance / max(1, len(self.new))
        return _PREFIX_WEIGHT * prefix + _SUFFIX_WEIGHT * suffix + _POSITION_WEIGHT * closeness

    def _pairing(self, quote: str) -> dict[int, int]:
        """Old occurrences of `quote` → new occurrences, one to one (step 3), cached per quote."""
        if quote in self.pairings:
            return self.pairings[quote]
        size, n = len(quote), self.context
        olds = _occurrences(self.old, quote)
        news = _occurrences(self.new, quote)
        paired: dict[int, int] = {}
        # Kept by the diff with the same text on both sides: nothing can score higher, and
        # settling these first saves scoring every repeat of a short quote.
        for old_start in olds:
            image = self.alignment.intact(old_start, old_start + size)
            if image is not None and (
                self.old[max(0, old_start - n) : old_start + size + n]
                == self.new[max(0, image - n) : image + size + n]
            ):
                paired[old_start] = image
        taken = set(paired.values())
        free = [p for p in news if p not in taken]
        candidates = []
        for old_start in olds:
            if old_start in paired:
                continue
            hint = self.alignment.point(old_start)
            i = bisect.bisect_left(free, hint)
            near = sorted(free[max(0, i - _NEAREST) : i + _NEAREST], key=lambda p: abs(p - hint))
            for new_start in near[:_NEAREST]:
                score = self._context_score(
                    old_start, old_start + size, new_start, new_start + size
                )
                candidates.append((-score, old_start, new_start))
        candidates.sort()
        for _, old_start, new_start in candidates:
            if old_start not in paired and new_start not in taken:
                paired[old_start] = new_start
                taken.add(new_start)
        self.pairings[quote] = paired
        return paired

    def _in_place(self, anchor: Anchor, window: _Window) -> _Found | None:
        """Step 4: map the span through the diff and snap it."""
        span = self.alignment.span(anchor.start, anchor.end)
        if span is None:
            return None
        return self._snapped(anchor, *span)

    def _relocated(self, anchor: Anchor, window: _Window) -> Iterator[_Found]:
        """Step 5: the sentences in inserted text the old ones may have become, best first."""
        window_start, window_end = window.start, window.end
        size = max(1, window.sentences)
        old_window = self.old[window_start:window_end]
        hint = self.alignment.point(window_start)
        candidates = [
            (
                i,
                " ".join(self.new_folded[i : i + size]),
                frozenset().union(*self.new_words[i : i + size]),
            )
            for i in range(len(self.new_sentences) - size + 1)
            if self.new_touched[i + size] > self.new_touched[i]
        ]
        ranked = []
        shortlist = _closest(_fold(old_window), candidates, self.threshold / 2, _SHORTLIST)
        for quote_score, i in shortlist:
            start, end = self.new_starts[i], self.new_ends[i + size - 1]
            context = self._context_score(window_start, window_end, start, end)
            ranked.append((-quote_score, -context, abs(start - hint), start, end))
        dmp = diff_match_patch()
        dmp.Diff_Timeout = self.timeout
        for *_, start, end in sorted(ranked):
            # A small diff of its own maps the quote from the old sentences into these.
            diffs = _diff_units(dmp, old_window, self.new[start:end], _TOKENS.findall)
            dmp.diff_cleanupSemantic(diffs)
            span = _Alignment(diffs).span(anchor.start - window_start, anchor.end - window_start)
            found = span and self._snapped(anchor, start + span[0], start + span[1])
            if found:
                yield found

    def _snapped(self, anchor: Anchor, low: int, high: int) -> _Found | None:
        """Widen `low:high` to the kind of boundary each end had in the old body, then trim."""
        new = self.new
        low, high = self._trimmed(anchor, low, high)
        if anchor.start in self.old_starts:
            i = bisect.bisect_right(self.new_starts, low) - 1
            low = self.new_starts[i] if i >= 0 else low
        else:
            while 0 < low < len(new) and new[low - 1].isalnum() and new[low].isalnum():
                low -= 1
        if anchor.end in self.old_ends:
            i = bisect.bisect_left(self.new_ends, high)
            high = self.new_ends[i] if i < len(self.new_ends) else high
        else:
            while 0 < high < len(new) and new[high - 1].isalnum() and new[high].isalnum():
                high += 1
        low, high = self._trimmed(anchor, low, high)
        if low >= high:
            return None
        similarity = _similarity(anchor.quote, new[low:high], self.threshold / 2)
        return _Found(low, high, similarity)

    def _trimmed(self, anchor: Anchor, low: int, high: int) -> tuple[int, int]:
        """Drop whitespace at the ends of `low:high` unless the quote has it there too."""
        if not anchor.quote[:1].isspace():
            while low < high and self.new[low].isspace():
                low += 1
        if not anchor.quote[-1:].isspace():
            while high > low and self.new[high - 1].isspace():
                high -= 1
        return low, high
