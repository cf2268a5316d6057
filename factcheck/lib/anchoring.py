"""Re-anchor claims on a new revision of an article body (no Django here).

A claim is anchored to exact characters of the body (`quote == body[start:end]`). When a new
revision arrives, `reanchor` says for each anchor where its text is now, the way web annotation
tools anchor a quote with its prefix and suffix: position first, then the exact quote, then a
fuzzy quote. Offsets are Python string indexes (code points), so `new_body[start:end] == text`
for every result that is not orphaned.
"""

import bisect
import difflib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

__all__ = ["Anchor", "Outcome", "Reanchored", "reanchor"]

_DELETE, _EQUAL, _INSERT = -1, 0, 1

# Candidate ranking weights, as in the Hypothesis client's quote matcher: the quote counts most,
# then the text on either side, and the distance from the expected place only breaks ties.
_QUOTE_WEIGHT, _PREFIX_WEIGHT, _SUFFIX_WEIGHT, _POSITION_WEIGHT = 50, 20, 20, 2
# When a short quote occurs many times, only the occurrences nearest the expected place are
# scored, which keeps the pairing linear in the number of occurrences.
_NEAREST = 8

# Between two sentences: whitespace after terminal punctuation (and closing quotes or brackets),
# or any line break. Abbreviations ("Mr. Lee") split too; snapping tolerates that.
_SENTENCE_GAP = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’»)\]]))\s+|\s*\n\s*")
_SPACES = re.compile(r"\s+")
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

    `similarity` compares the old quote with `text` after folding typographic quotes, dashes and
    runs of whitespace: 1.0 when unchanged or moved (and for a change of punctuation style only),
    for an orphan the best similarity seen (0.0 when nothing came within half the threshold).
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
    1. Diff old → new once (diff_match_patch, characters, semantic cleanup), bounded by
       `diff_timeout` seconds. A diff that runs out of time is thrown away, because its shape
       would depend on the machine's speed; a paragraph-level diff is used instead (deterministic,
       coarser: edited paragraphs become delete + insert and steps 3 and 5 do the work).
    2. Position: when the diff keeps the whole quote inside one unchanged stretch, the stretch's
       new place is the answer (UNCHANGED, or MOVED when the offsets differ).
    3. Exact quote: otherwise look for the quote elsewhere. A new occurrence that is the unchanged
       image of another old occurrence belongs to that one; the remaining old and new occurrences
       are paired one to one, best first, by how well the `context` characters before and after
       agree (weights 20 + 20) and by closeness to the old start mapped through the diff (2).
    4. Edited in place: map the span through the diff (text inserted inside it or replacing part
       of it counts, insertions just outside do not), snap each end to the kind of boundary it
       had in the old body (a sentence boundary to the nearest one outward, else a word
       boundary), trim whitespace; CHANGED if the similarity reaches `threshold`.
    5. Moved and edited: the new text must then lie in inserted text. Windows of as many
       sentences as the old quote touched, overlapping inserted text, are ranked by similarity
       to the old sentences (50), context (20 + 20) and closeness (2); the best is aligned with a
       small diff of its own, the quote mapped and snapped as in step 4; CHANGED if it reaches
       `threshold`.
    6. Otherwise ORPHANED.

    Raises ValueError for an anchor that does not slice `old_body` to its quote.
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
        self._new_ends = [s.new_end for s in self.segments]
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

    def foreign(self, low: int, high: int, old_start: int, old_end: int) -> int:
        """How many characters of new `low:high` are unchanged copies of old text outside
        `old_start:old_end` (that text is some other sentence's, not an edit of this one)."""
        count = 0
        for seg in self.segments[bisect.bisect_right(self._new_ends, low) :]:
            if seg.new_start >= high:
                break
            if seg.op == _EQUAL:
                a, b = max(low, seg.new_start), min(high, seg.new_end)
                if a < b:
                    old_a, old_b = (
                        seg.old_start + a - seg.new_start,
                        seg.old_start + b - seg.new_start,
                    )
                    count += (b - a) - max(0, min(old_b, old_end) - max(old_a, old_start))
        return count


def _diff(old: str, new: str, timeout: float) -> list[tuple[int, str]]:
    """Character diff within `timeout` seconds, else a deterministic paragraph-level diff."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    began = time.monotonic()
    diffs: list[tuple[int, str]] = dmp.diff_main(old, new)
    if time.monotonic() - began < timeout:
        dmp.diff_cleanupSemantic(diffs)
        return diffs
    # Lines are few (paragraphs), so this diff is cheap without a deadline.
    dmp.Diff_Timeout = 0
    old_lines, new_lines, lines = dmp.diff_linesToChars(old, new)
    diffs = dmp.diff_main(old_lines, new_lines, False)
    dmp.diff_charsToLines(diffs, lines)
    return diffs


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
        self.new_touched = _touched(self.new_sentences, self.alignment.inserted)
        self.old_touched = _touched(self.old_sentences, self.alignment.edited)
        self.pairings: dict[str, dict[int, int]] = {}

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
        # The sentences the quote lies in: snapping and step 5 work on these.
        around = [(s, e) for s, e in self.old_sentences if s < end and e > start]
        window = _Window(
            min([start, *(s for s, _ in around)]), max([end, *(e for _, e in around)]), len(around)
        )
        # Both steps run: a big replaced block can make the in-place span clumsy while step 5
        # finds the sentence itself. The more similar wins; the in-place one on a tie.
        found = [f for f in (self._in_place(anchor, window), self._relocated(anchor, window)) if f]
        found.sort(key=lambda f: -f.similarity)
        for candidate in found:
            if candidate.similarity >= self.threshold and not self._claimed_elsewhere(
                window, candidate
            ):
                return self._result(anchor, candidate)
        best = max((f.similarity for f in found if f.similarity < self.threshold), default=0.0)
        return Reanchored(Outcome.ORPHANED, None, None, None, best)

    def _claimed_elsewhere(self, window: _Window, found: _Found) -> bool:
        """Whether the found text is more like other old sentences the diff did not keep intact
        than like the anchor's own: then it is those sentences, moved or edited, not this claim."""
        i = bisect.bisect_right(self.new_ends, found.start)
        j = max(i + 1, bisect.bisect_left(self.new_starts, found.end))
        if i >= len(self.new_sentences):
            return False
        found_text = self.new[self.new_starts[i] : self.new_ends[j - 1]]
        own = _similarity(self.old[window.start : window.end], found_text)
        size = max(1, window.sentences)
        for k in range(len(self.old_sentences) - size + 1):
            start, end = self.old_sentences[k][0], self.old_sentences[k + size - 1][1]
            if self.old_touched[k + size] == self.old_touched[k]:
                continue
            if start < window.end and end > window.start:
                continue
            if _similarity(self.old[start:end], found_text, own) > own:
                return True
        return False

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
        size = len(quote)
        news = _occurrences(self.new, quote)
        candidates = []
        for old_start in _occurrences(self.old, quote):
            hint = self.alignment.point(old_start)
            i = bisect.bisect_left(news, hint)
            near = sorted(news[max(0, i - _NEAREST) : i + _NEAREST], key=lambda p: abs(p - hint))
            for new_start in near[:_NEAREST]:
                score = self._context_score(
                    old_start, old_start + size, new_start, new_start + size
                )
                candidates.append((-score, old_start, new_start))
        candidates.sort()
        paired: dict[int, int] = {}
        taken = set()
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
        return self._snapped(anchor, window, *span)

    def _relocated(self, anchor: Anchor, window: _Window) -> _Found | None:
        """Step 5: find the sentences in inserted text that the old ones became."""
        window_start, window_end = window.start, window.end
        size = max(1, window.sentences)
        old_window = self.old[window_start:window_end]
        floor = self.threshold / 2
        hint = self.alignment.point(window_start)
        ranked = []
        for i in range(len(self.new_sentences) - size + 1):
            if self.new_touched[i + size] == self.new_touched[i]:
                continue
            start, end = self.new_starts[i], self.new_ends[i + size - 1]
            quote_score = _similarity(old_window, self.new[start:end], floor)
            if quote_score >= floor:
                score = _QUOTE_WEIGHT * quote_score
                score += self._context_score(window_start, window_end, start, end)
                ranked.append((-score, abs(start - hint), start, end))
        if not ranked:
            return None
        _, _, start, end = min(ranked)
        dmp = diff_match_patch()
        dmp.Diff_Timeout = self.timeout
        diffs = dmp.diff_main(old_window, self.new[start:end], False)
        dmp.diff_cleanupSemantic(diffs)
        span = _Alignment(diffs).span(anchor.start - window_start, anchor.end - window_start)
        if span is None:
            return None
        return self._snapped(anchor, window, start + span[0], start + span[1])

    def _snapped(self, anchor: Anchor, window: _Window, low: int, high: int) -> _Found | None:
        """Widen `low:high` to the kind of boundary each end had in the old body, then trim.

        None when the result is empty, or mostly an unchanged copy of other old sentences: a
        deleted claim must not take over a similar neighbour ("rose 2% in May" after "... in
        April" was deleted).
        """
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
        if (
            low >= high
            or 2 * self.alignment.foreign(low, high, window.start, window.end) > high - low
        ):
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
