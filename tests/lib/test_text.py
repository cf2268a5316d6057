"""Body normalisation: done once on import, so it must be stable."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from factcheck.lib.text import normalise_line, normalise_text


def test_it_turns_every_line_break_spelling_into_a_newline() -> None:
    assert normalise_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"


def test_it_drops_byte_order_marks_anywhere() -> None:
    assert normalise_text("\ufeffOne\ufeff two") == "One two"


def test_it_composes_to_nfc() -> None:
    assert normalise_text("Cafe\u0301") == "Café"


def test_it_drops_control_characters_but_keeps_tabs_and_newlines() -> None:
    assert normalise_text("a\x00b\tc\nd\x1b") == "ab\tc\nd"


def test_normalise_line_collapses_whitespace() -> None:
    assert normalise_line("  Budget\n\n  2026\t plan ") == "Budget 2026 plan"


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\r" not in once and "\ufeff" not in once
