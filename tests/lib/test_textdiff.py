"""Word-level differences between revisions (factcheck/lib/textdiff.py)."""

from __future__ import annotations

import random

from factcheck.lib.textdiff import Piece, word_diff


def _sides(pieces: list[Piece]) -> tuple[str, str]:
    old = "".join(piece.text for piece in pieces if piece.kind != "insert")
    new = "".join(piece.text for piece in pieces if piece.kind != "delete")
    return old, new


def test_a_changed_figure_is_one_replaced_word() -> None:
    pieces = word_diff("The walls cost 3 million pounds.", "The walls cost 3.4 million pounds.")
    assert pieces == [
        Piece("equal", "The walls cost "),
        Piece("delete", "3"),
        Piece("insert", "3.4"),
        Piece("equal", " million pounds."),
    ]


def test_identical_texts_are_one_equal_piece_and_empty_ones_nothing() -> None:
    assert word_diff("Same text.", "Same text.") == [Piece("equal", "Same text.")]
    assert word_diff("", "") == []
    assert word_diff("", "New.") == [Piece("insert", "New.")]


def test_both_texts_come_back_from_the_pieces() -> None:
    rng = random.Random(7)
    words = "the council said 1,200 homes and 4.5% of roads were hit on Tuesday .".split()
    for _ in range(50):
        old = " ".join(rng.choice(words) for _ in range(rng.randint(0, 30)))
        new = " ".join(rng.choice(words) for _ in range(rng.randint(0, 30)))
        assert _sides(word_diff(old, new)) == (old, new)
