"""Sentence segmentation: boundaries, offsets and the awkward cases of news copy."""

from __future__ import annotations

import pytest

from claims.extraction import Sentence, segment


def texts(text: str) -> list[str]:
    return [s.text for s in segment(text)]


def assert_offsets(text: str) -> None:
    previous_end = 0
    for sentence in segment(text):
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert sentence.text
        assert sentence.start >= previous_end
        previous_end = sentence.end


def test_it_splits_plain_sentences_with_offsets() -> None:
    text = "The bridge opened in May. It cost less than planned! Was it worth it?"
    result = segment(text)
    assert result == [
        Sentence(0, 25, "The bridge opened in May."),
        Sentence(26, 52, "It cost less than planned!"),
        Sentence(53, 69, "Was it worth it?"),
    ]


def test_it_returns_nothing_for_empty_or_blank_text() -> None:
    assert segment("") == []
    assert segment("   \n\t  \n") == []


def test_it_keeps_decimals_inside_a_sentence() -> None:
    assert texts("Inflation reached 3.5% in March. Rents rose 1.2 points.") == [
        "Inflation reached 3.5% in March.",
        "Rents rose 1.2 points.",
    ]


def test_it_keeps_thousands_separators_inside_a_sentence() -> None:
    assert texts("The ministry counted 1,877 cases. Only 12 were serious.") == [
        "The ministry counted 1,877 cases.",
        "Only 12 were serious.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Okafor met Mr. Lund at noon.",
        "The law passed on Jan. 12 by a wide margin.",
        "The U.S. Senate approved the plan in a late vote.",
        "She lives at No. 5 on the main road.",
        "Read the note on p. 14 before signing.",
        "The fund paid out e.g. grants and loans.",
    ],
)
def test_it_does_not_split_after_abbreviations(text: str) -> None:
    assert texts(text) == [text]


def test_it_splits_after_an_abbreviation_that_ends_a_sentence() -> None:
    assert texts("The firm moved to the U.S. It grew fast.") == [
        "The firm moved to the U.S.",
        "It grew fast.",
    ]


def test_it_keeps_initials_inside_a_name() -> None:
    assert texts("The report was written by Maria T. Olsen last year.") == [
        "The report was written by Maria T. Olsen last year."
    ]


def test_it_handles_ellipses_inside_and_at_the_end_of_sentences() -> None:
    assert texts("He paused ... then spoke again. She waited.... Nobody answered.") == [
        "He paused ... then spoke again.",
        "She waited....",
        "Nobody answered.",
    ]


def test_it_splits_numbered_and_bulleted_lists() -> None:
    assert texts("1) Cut the ribbon 2) Open the doors 3) Serve tea") == [
        "1) Cut the ribbon",
        "2) Open the doors",
        "3) Serve tea",
    ]
    assert texts("• Lower taxes\n• Fewer forms") == ["• Lower taxes", "• Fewer forms"]


def test_a_quoted_passage_of_two_sentences_gives_two_sentences() -> None:
    text = 'The mayor said: "We built 40 homes. We will build 60 more." Critics disagreed.'
    assert texts(text) == [
        'The mayor said: "We built 40 homes.',
        'We will build 60 more."',
        "Critics disagreed.",
    ]


def test_it_keeps_a_quotation_followed_by_lower_case_in_one_sentence() -> None:
    assert texts('"This is a disaster," she said. "It is," he replied.') == [
        '"This is a disaster," she said.',
        '"It is," he replied.',
    ]


def test_a_headline_or_dateline_without_final_punctuation_is_its_own_sentence() -> None:
    text = "Council approves new budget\nMonday, March 3, 2025\nThe council voted on Monday."
    assert texts(text) == [
        "Council approves new budget",
        "Monday, March 3, 2025",
        "The council voted on Monday.",
    ]


def test_it_joins_wrapped_lines_that_continue_in_lower_case() -> None:
    assert texts("The council voted to raise\nthe tax on Monday.") == [
        "The council voted to raise\nthe tax on Monday."
    ]


def test_it_keeps_parentheses_inside_the_sentence() -> None:
    text = "The plant (which opened in 1998.) closed last week. Workers left."
    assert texts(text) == ["The plant (which opened in 1998.) closed last week.", "Workers left."]


def test_it_keeps_urls_and_emails_whole() -> None:
    text = "Write to press.office@example.org. See https://example.org/a.b.html for details."
    assert texts(text) == [
        "Write to press.office@example.org.",
        "See https://example.org/a.b.html for details.",
    ]


def test_it_splits_on_non_english_terminal_punctuation() -> None:
    assert texts("今天下雨。明天晴天！你来吗？") == ["今天下雨。", "明天晴天！", "你来吗？"]


def test_it_splits_right_to_left_text() -> None:
    text = "هذا خبر مهم. هل هو صحيح؟ نعم."
    assert texts(text) == ["هذا خبر مهم.", "هل هو صحيح؟", "نعم."]
    assert_offsets(text)


def test_it_is_correct_on_windows_line_endings() -> None:
    text = "Budget vote delayed\r\nThe vote moved to May. It will be close.\r\n"
    assert texts(text) == ["Budget vote delayed", "The vote moved to May.", "It will be close."]
    assert_offsets(text)


def test_offsets_count_code_points_with_emoji_and_combining_marks() -> None:
    text = "Fans cheered 🎉🎉. The cafe\u0301 reopened. Done."
    result = segment(text)
    assert [s.text for s in result] == ["Fans cheered 🎉🎉.", "The cafe\u0301 reopened.", "Done."]
    assert_offsets(text)


def test_it_copes_with_binary_looking_text() -> None:
    text = "\x00\x01\x02 abc. \ufffd\ufffd DEF! \x7f\x80. \u200b"
    assert_offsets(text)


def test_it_handles_five_megabytes_of_text() -> None:
    paragraph = "The agency approved 1,877 permits in 2024. Dr. Lee said it was a record.\n"
    text = paragraph * (5_000_000 // len(paragraph))
    result = segment(text)
    assert len(result) == 2 * (5_000_000 // len(paragraph))
    assert text[result[-1].start : result[-1].end] == result[-1].text


def test_a_full_stop_after_only_tabs_is_not_a_crash() -> None:
    text = "Rates rose. \t\t. Then they fell."
    sentences = segment(text)
    assert [text[s.start : s.end] for s in sentences] == [s.text for s in sentences]
    assert "".join(s.text for s in sentences).replace(" ", "") == text.replace(" ", "").replace(
        "\t", ""
    )
