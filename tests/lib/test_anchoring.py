"""Re-anchoring claims on a new revision of an article body (factcheck.lib.anchoring)."""

import random
from dataclasses import dataclass, replace
from typing import Any

import pytest

from factcheck.lib.anchoring import Anchor, Outcome, Reanchored, _diff, reanchor

# Invented news prose, written for these tests.
ARTICLE = (
    "Harbour town approves budget after long night\n\n"
    "The council of Elmsworth voted on Tuesday to approve next year's budget. "
    "The city spent 3 million on road repairs last year. "
    "Officials said the new plan would shorten waiting times at the clinic.\n\n"
    "Residents were divided. "
    "Mayor Ana Ferreira told the chamber that the harbour would be busier than ever. "
    "Critics called the plan rushed and asked for an independent audit.\n\n"
    "The ferry operator said ticket prices would stay at 12 euros until the spring. "
    "A survey of 400 households found that most families cross to the mainland twice a week.\n\n"
    "The vote passed by seven to two. "
    "Council members will meet again in March to review the first quarter."
)


def anchor(body: str, quote: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(quote, start + 1)
    return Anchor(start, start + len(quote), quote)


def run(
    old: str, new: str, anchors: list[Anchor], *, diff_timeout: float = 1.0
) -> list[Reanchored]:
    """Re-anchor and check what must hold for every result, whatever the edit."""
    results = reanchor(old, new, anchors, diff_timeout=diff_timeout)
    threshold = 0.6
    assert len(results) == len(anchors)
    for before, after in zip(anchors, results, strict=True):
        if after.outcome is Outcome.ORPHANED:
            assert (after.start, after.end, after.text) == (None, None, None)
            assert after.similarity < threshold
            continue
        assert after.start is not None and after.end is not None
        assert 0 <= after.start < after.end <= len(new)
        assert new[after.start : after.end] == after.text
        if after.outcome is Outcome.CHANGED:
            assert after.text != before.quote
            assert threshold <= after.similarity <= 1.0
        else:
            assert after.text == before.quote
            assert after.similarity == 1.0
            assert (after.outcome is Outcome.UNCHANGED) == (after.start == before.start)
    return results


SPENT = "The city spent 3 million on road repairs last year."
CRITICS = "Critics called the plan rushed and asked for an independent audit."
FERRY = "The ferry operator said ticket prices would stay at 12 euros until the spring."
SURVEY = "A survey of 400 households found that most families cross to the mainland twice a week."
CLAUSE = "spent 3 million on road repairs"
ANCHORS = [anchor(ARTICLE, q) for q in (SPENT, CRITICS, FERRY, SURVEY, CLAUSE)]


def test_an_identical_body_leaves_every_anchor_unchanged() -> None:
    results = run(ARTICLE, ARTICLE, ANCHORS)

    assert [r.outcome for r in results] == [Outcome.UNCHANGED] * len(ANCHORS)
    assert [(r.start, r.end) for r in results] == [(a.start, a.end) for a in ANCHORS]


def test_an_edit_after_every_anchor_leaves_them_unchanged() -> None:
    new = ARTICLE.replace("in March", "in early March")

    results = run(ARTICLE, new, ANCHORS)

    assert [r.outcome for r in results] == [Outcome.UNCHANGED] * len(ANCHORS)


def test_text_inserted_before_moves_every_anchor_by_its_length() -> None:
    note = "Correction: an earlier version misspelled the mayor's name.\n\n"

    results = run(ARTICLE, note + ARTICLE, ANCHORS)

    assert [r.outcome for r in results] == [Outcome.MOVED] * len(ANCHORS)
    assert [r.start for r in results] == [a.start + len(note) for a in ANCHORS]


def test_reordered_paragraphs_move_the_anchors_with_them() -> None:
    title, first, second, third, last = ARTICLE.split("\n\n")
    new = "\n\n".join([title, third, last, first, second])

    results = run(ARTICLE, new, ANCHORS)

    assert [r.outcome for r in results] == [Outcome.MOVED] * len(ANCHORS)
    assert [r.start for r in results] == [new.index(a.quote) for a in ANCHORS]


def test_of_a_quote_that_occurs_twice_the_surviving_occurrence_keeps_its_own_anchor() -> None:
    repeated = "Prices at the market rose again."
    old = (
        f"Farmers gathered in the square on Saturday. {repeated} Stall holders blamed the drought."
        f"\n\nA second market opened in the suburbs. {repeated} Shoppers there were fewer."
    )
    first, second = anchor(old, repeated, 0), anchor(old, repeated, 1)
    new = old.split("\n\n")[1]

    results = run(old, new, [first, second])

    assert results[0].outcome is Outcome.ORPHANED
    assert results[1].outcome is Outcome.MOVED
    assert results[1].start == new.index(repeated)


def test_of_a_quote_that_occurs_twice_each_anchor_follows_its_own_context() -> None:
    repeated = "Prices at the market rose again."
    old = (
        f"Farmers gathered in the square on Saturday. {repeated} Stall holders blamed the drought."
        f"\n\nA second market opened in the suburbs. {repeated} Shoppers there were fewer."
    )
    first, second = anchor(old, repeated, 0), anchor(old, repeated, 1)
    one, two = old.split("\n\n")
    # Swapped and lightly edited: the character diff pairs the second old occurrence with the
    # first one's new place, so only the context tells them apart.
    new = f"{two.replace('suburbs', 'northern suburbs')}\n\n{one.replace('Saturday', 'Sunday')}"

    results = run(old, new, [first, second])

    assert [r.outcome for r in results] == [Outcome.MOVED, Outcome.MOVED]
    assert results[0].start == new.index(repeated, new.index("Farmers"))
    assert results[1].start == new.index(repeated)


def test_an_edited_figure_changes_the_claim_to_the_new_sentence() -> None:
    edited = "The city spent 4.5 million on road and bridge repairs last year."
    new = ARTICLE.replace(SPENT, edited)

    spent, critics, ferry, survey, clause = run(ARTICLE, new, ANCHORS)

    assert spent.outcome is Outcome.CHANGED
    assert (spent.start, spent.text) == (new.index(edited), edited)
    assert clause.outcome is Outcome.CHANGED
    assert clause.text == "spent 4.5 million on road and bridge repairs"
    assert [critics.outcome, ferry.outcome, survey.outcome] == [Outcome.MOVED] * 3


def test_a_sentence_added_right_after_an_edited_claim_stays_out_of_it() -> None:
    edited = "The city spent 3.2 million on road repairs last year."
    added = "Most of it went to the coast road."
    new = ARTICLE.replace(SPENT, f"{edited} {added}")

    spent = run(ARTICLE, new, [ANCHORS[0]])[0]

    assert spent.outcome is Outcome.CHANGED
    assert (spent.start, spent.text) == (new.index(edited), edited)


def test_a_word_inserted_in_the_quote_changes_the_claim() -> None:
    edited = "Critics quickly called the plan rushed and asked for an independent audit."

    critics = run(ARTICLE, ARTICLE.replace(CRITICS, edited), [ANCHORS[1]])[0]

    assert critics.outcome is Outcome.CHANGED
    assert critics.text == edited
    assert 0.9 < critics.similarity < 1.0


def test_a_moved_and_edited_paragraph_still_finds_the_edited_sentence() -> None:
    title, first, second, third, last = ARTICLE.split("\n\n")
    new = "\n\n".join([title, second, third, first.replace("3 million", "5 million"), last])

    spent = run(ARTICLE, new, ANCHORS)[0]

    assert spent.outcome is Outcome.CHANGED
    assert spent.text == SPENT.replace("3 million", "5 million")


def test_a_deleted_sentence_is_orphaned() -> None:
    new = ARTICLE.replace(CRITICS, "").replace("ever. \n", "ever.\n")

    results = run(ARTICLE, new, ANCHORS)

    assert results[1].outcome is Outcome.ORPHANED
    assert [r.outcome for r in results].count(Outcome.ORPHANED) == 1


def test_a_rewritten_sentence_is_orphaned() -> None:
    rewritten = "Opposition members, however, voiced concern at the length of the meeting."

    critics = run(ARTICLE, ARTICLE.replace(CRITICS, rewritten), [ANCHORS[1]])[0]

    assert critics.outcome is Outcome.ORPHANED
    assert critics.similarity < 0.6


def test_a_deleted_sentence_does_not_take_over_its_similar_neighbour() -> None:
    april = "Unemployment in the county fell to 4.1 percent in April."
    may = "Unemployment in the county fell to 3.9 percent in May."
    old = f"The labour office published new figures. {april} {may} Economists were cautious."
    new = old.replace(f"{april} ", "").replace("3.9 percent", "3.8 percent")

    april_result, may_result = run(old, new, [anchor(old, april), anchor(old, may)])

    assert april_result.outcome is Outcome.ORPHANED
    assert may_result.outcome is Outcome.CHANGED
    assert may_result.text == may.replace("3.9", "3.8")


def test_a_deleted_sentence_does_not_take_over_a_similar_sentence_that_moved() -> None:
    april = "Unemployment in the county fell to 4.1 percent in April."
    may = "Unemployment in the county fell to 3.9 percent in May."
    old = (
        f"The labour office published new figures on Monday. {april} Economists were cautious."
        "\n\nRetail sales grew slowly. Shops reported fewer visitors in the evening."
        f"\n\nLater in the year the picture changed. {may} The office will report again in June."
    )
    first, second, third = old.split("\n\n")
    new = "\n\n".join([third, first.replace(f" {april}", ""), second])

    april_result, may_result = run(old, new, [anchor(old, april), anchor(old, may)])

    assert april_result.outcome is Outcome.ORPHANED
    assert may_result.outcome is Outcome.MOVED
    assert may_result.start == new.index(may)


def test_a_deleted_sentence_does_not_take_over_a_similar_sentence_given_a_word() -> None:
    dunmore = "Residents of Dunmore said the water board had answered only 164 letters since April."
    carrow = (
        "Residents of Carrow Bay said the water board had answered only 156 letters since April."
    )
    old = (
        f"The inquiry opened on Monday. {dunmore} It will sit for a month.\n\n"
        f"A second hearing is planned. {carrow} Nobody objected."
    )
    new = old.replace(f" {dunmore}", "").replace("only 156", "only 156 of the")

    dunmore_result, carrow_result = run(old, new, [anchor(old, dunmore), anchor(old, carrow)])

    assert dunmore_result.outcome is Outcome.ORPHANED
    assert carrow_result.outcome is Outcome.CHANGED
    assert carrow_result.text == carrow.replace("only 156", "only 156 of the")


def test_typographic_quotes_and_spacing_around_the_quote_leave_it_moved() -> None:
    old = 'Ms Okafor  replied --  "We have the money." The board did not comment.'
    new = "Ms Okafor replied — “We have the money.” The board did not comment."

    result = run(old, new, [anchor(old, "We have the money.")])[0]

    assert result.outcome is Outcome.MOVED
    assert result.start == new.index("We have")


def test_typographic_quotes_inside_the_quote_are_a_change_of_similarity_one() -> None:
    old = 'The mayor called it "a fair deal" -- twice. Nobody asked why.'
    new = "The mayor called it “a fair deal” — twice. Nobody asked why."

    result = run(old, new, [anchor(old, 'The mayor called it "a fair deal" -- twice.')])[0]

    assert result.outcome is Outcome.CHANGED
    assert result.text == "The mayor called it “a fair deal” — twice."
    assert result.similarity == 1.0


def test_an_empty_new_body_orphans_every_anchor() -> None:
    results = run(ARTICLE, "", ANCHORS)

    assert [r.outcome for r in results] == [Outcome.ORPHANED] * len(ANCHORS)


def test_a_timed_out_diff_falls_back_to_paragraphs_and_still_anchors() -> None:
    title, first, second, third, last = ARTICLE.split("\n\n")
    new = "\n\n".join([title, third, second, first.replace("3 million", "5 million"), last])

    results = run(ARTICLE, new, ANCHORS, diff_timeout=1e-9)

    assert all(text.endswith("\n") for _, text in _diff(ARTICLE, new, 1e-9)[:-1])
    assert [r.outcome for r in results] == [
        Outcome.CHANGED,
        Outcome.MOVED,
        Outcome.MOVED,
        Outcome.MOVED,
        Outcome.CHANGED,
    ]
    assert results[0].text == SPENT.replace("3 million", "5 million")
    assert results[4].text == CLAUSE.replace("3 million", "5 million")


def test_the_result_does_not_depend_on_the_order_of_anchors() -> None:
    new = ARTICLE.replace("3 million", "5 million").replace("Residents were divided. ", "")

    forwards = run(ARTICLE, new, ANCHORS)
    backwards = run(ARTICLE, new, ANCHORS[::-1])

    assert backwards == forwards[::-1]


@pytest.mark.parametrize(
    "bad",
    [Anchor(0, 0, ""), Anchor(5, 3, ""), Anchor(-1, 3, "Har"), Anchor(0, 7, "Harbour!")],
)
def test_it_rejects_an_anchor_that_does_not_slice_the_old_body(bad: Anchor) -> None:
    with pytest.raises(ValueError):
        reanchor(ARTICLE, ARTICLE, [bad])


@pytest.mark.parametrize(
    "options", [{"threshold": 0.0}, {"threshold": 1.5}, {"context": -1}, {"diff_timeout": 0}]
)
def test_it_rejects_nonsense_options(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        reanchor(ARTICLE, ARTICLE, ANCHORS, **options)


# Generated articles: sentences from templates, each with its own figure so that none repeats.

TOWNS = ["Elmsworth", "Dunmore", "Carrow Bay", "Lindfield", "Ashby Cross", "Port Ellen", "Maravel"]
BODIES = ["water board", "school district", "transit agency", "housing office", "parks service"]
MONTHS = ["January", "March", "April", "June", "August", "October", "November"]
TEMPLATES = [
    "The {body} in {town} reported {n} complaints in {month}, up from the year before.",
    "Officials at the {body} said {n} new staff would start in {town} before {month}.",
    "According to the {body}, {town} spent {n} thousand euros on repairs after {month}.",
    "Residents of {town} said the {body} had answered only {n} letters since {month}.",
    "A spokesperson for the {body} called the figure of {n} visits in {month} provisional.",
    "In {month} the {body} in {town} counted {n} people waiting for a decision.",
    "Councillors in {town} asked the {body} to explain why {n} requests from {month} were lost.",
]
WORDS = ["reportedly", "again", "also", "quietly", "formally", "later", "still", "often"]


@dataclass(frozen=True)
class Sentence:
    template: int
    town: str
    body: str
    month: str
    n: int

    @property
    def text(self) -> str:
        return TEMPLATES[self.template].format(
            body=self.body, town=self.town, month=self.month, n=self.n
        )


def generate(rng: random.Random, sentences: int) -> list[list[Sentence | str]]:
    """Paragraphs of 2 to 6 generated sentences, each with a figure of its own."""
    figures = rng.sample(range(10, 100_000), sentences)
    flat = [
        Sentence(
            rng.randrange(len(TEMPLATES)),
            rng.choice(TOWNS),
            rng.choice(BODIES),
            rng.choice(MONTHS),
            figure,
        )
        for figure in figures
    ]
    paragraphs: list[list[Sentence | str]] = []
    while flat:
        size = rng.randint(2, 6)
        paragraphs.append([*flat[:size]])
        flat = flat[size:]
    return paragraphs


def layout(paragraphs: list[list[Sentence | str]]) -> tuple[str, dict[object, int]]:
    """The body text and where each sentence starts in it."""
    starts: dict[object, int] = {}
    parts = []
    position = 0
    for i, paragraph in enumerate(paragraphs):
        if i:
            parts.append("\n\n")
            position += 2
        for j, sentence in enumerate(paragraph):
            if j:
                parts.append(" ")
                position += 1
            starts[sentence] = position
            text = sentence if isinstance(sentence, str) else sentence.text
            parts.append(text)
            position += len(text)
    return "".join(parts), starts


def reword(rng: random.Random, text: str) -> str:
    """Insert or delete one word inside the sentence (never its first or last word)."""
    words = text.split(" ")
    i = rng.randrange(1, len(words) - 1)
    if rng.random() < 0.5:
        words.insert(i, rng.choice(WORDS))
    else:
        del words[i]
    return " ".join(words)


def anchors_on(
    body: str, starts: dict[object, int], sentences: list[Sentence], rng: random.Random
) -> dict[Sentence, Anchor]:
    """A whole-sentence anchor for most, a clause (some middle words) for every third."""
    anchors = {}
    for k, sentence in enumerate(sentences):
        start, text = starts[sentence], sentence.text
        if k % 3 == 2:
            words = text.split(" ")
            first = rng.randrange(1, len(words) // 2)
            offset = len(" ".join(words[:first])) + 1
            text = " ".join(words[first : rng.randrange(first + 2, len(words))])
            start += offset
        anchors[sentence] = Anchor(start, start + len(text), text)
        assert body[start : start + len(text)] == text
    return anchors


@pytest.mark.parametrize("seed", range(30))
def test_random_edits_away_from_the_anchors_keep_every_anchor_exact(seed: int) -> None:
    rng = random.Random(seed)
    paragraphs = generate(rng, 40)
    old, old_starts = layout(paragraphs)
    everything = [s for p in paragraphs for s in p if isinstance(s, Sentence)]
    anchored = rng.sample(everything, 12)
    anchors = anchors_on(old, old_starts, anchored, rng)
    for _ in range(rng.randint(1, 12)):
        p = rng.randrange(len(paragraphs))
        paragraph = list(paragraphs[p])
        i = rng.randrange(len(paragraph))
        if paragraph[i] in anchors:
            continue
        action = rng.choice(["reword", "delete", "insert"])
        if action == "reword":
            paragraph[i] = reword(rng, str(getattr(paragraph[i], "text", paragraph[i])))
        elif action == "delete" and len(paragraph) > 1:
            del paragraph[i]
        else:
            paragraph.insert(i, f"Editor's note {seed}-{p}-{i}: this paragraph was updated.")
        paragraphs[p] = paragraph
    new, new_starts = layout(paragraphs)

    results = run(old, new, list(anchors.values()))

    for (sentence, before), after in zip(anchors.items(), results, strict=True):
        assert after.outcome in (Outcome.UNCHANGED, Outcome.MOVED)
        expected = new_starts[sentence] + before.start - old_starts[sentence]
        assert (after.start, after.text) == (expected, before.quote)


def test_a_long_article_with_scattered_edits_reanchors_all_two_hundred_claims() -> None:
    rng = random.Random(2024)
    paragraphs = generate(rng, 340)
    old, old_starts = layout(paragraphs)
    assert len(old.split()) > 5_000
    everything = [s for p in paragraphs for s in p if isinstance(s, Sentence)]
    anchored = rng.sample(everything, 200)
    anchors = anchors_on(old, old_starts, anchored, rng)
    whole = [s for s in anchored if anchors[s].quote == s.text]
    refigured = {s: replace(s, n=s.n + 1) for s in whole[:10]}
    deleted = set(whole[10:15])
    others = [s for s in everything if s not in anchors]
    reworded = {s: reword(rng, s.text) for s in rng.sample(others, 40)}
    for p, paragraph in enumerate(paragraphs):
        edited: list[Sentence | str] = []
        for s in paragraph:
            assert isinstance(s, Sentence)
            if s in deleted:
                continue
            edited.append(refigured.get(s) or reworded.get(s) or s)
        if p % 17 == 5:
            edited.append(f"The desk added a line to paragraph {p} after publication.")
        paragraphs[p] = edited
    paragraphs.insert(3, paragraphs.pop(len(paragraphs) // 2))
    new, new_starts = layout(paragraphs)

    results = run(old, new, list(anchors.values()))

    for (sentence, before), after in zip(anchors.items(), results, strict=True):
        if sentence in deleted:
            assert after.outcome is Outcome.ORPHANED, before.quote
        elif sentence in refigured:
            assert after.outcome is Outcome.CHANGED, before.quote
            assert after.start == new_starts[refigured[sentence]]
            assert after.text == refigured[sentence].text
        else:
            assert after.outcome in (Outcome.UNCHANGED, Outcome.MOVED), before.quote
            expected = new_starts[sentence] + before.start - old_starts[sentence]
            assert (after.start, after.text) == (expected, before.quote)
