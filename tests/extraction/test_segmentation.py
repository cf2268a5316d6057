"""Sentence segmentation: boundaries, offsets and the awkward cases of news copy."""

from __future__ import annotations

import pytest

from claims.extraction import Sentence, extract, segment


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


# Informal web text: forums, e-mail, reviews and answers (our own sentences).


def test_a_question_mark_before_lower_case_ends_an_informal_sentence() -> None:
    assert texts("is the pool open in winter? we want to swim. any tips?") == [
        "is the pool open in winter?",
        "we want to swim.",
        "any tips?",
    ]


def test_a_full_stop_after_an_ordinary_word_ends_a_sentence_before_lower_case() -> None:
    assert texts("the soup was cold. the bread was fine though") == [
        "the soup was cold.",
        "the bread was fine though",
    ]


def test_an_exclamation_before_lower_case_ends_the_sentence() -> None:
    assert texts("loved the staff! will come back for sure") == [
        "loved the staff!",
        "will come back for sure",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The bus takes approx. ten minutes from the square.",
        "Ask the dept. head before you book a room.",
        "We left at 5 p.m. on a wet evening.",
        "He works at Yahoo! in the sales team.",
        'She said, "That is fine." and walked off.',
        "Bring bread, cheese, fruit etc. and something to drink.",
    ],
)
def test_it_keeps_lower_case_continuations_after_short_forms_and_quotes(text: str) -> None:
    assert texts(text) == [text]


def test_an_emoticon_stays_with_the_sentence_it_closes() -> None:
    assert texts("Great coffee and kind staff! :) We will be back. Loved it :-( no, joking") == [
        "Great coffee and kind staff! :)",
        "We will be back.",
        "Loved it :-(",
        "no, joking",
    ]


def test_clock_times_and_urls_are_not_emoticons() -> None:
    assert texts("Meet me at 10:30 at the gate. See http://example.org/x for the map.") == [
        "Meet me at 10:30 at the gate.",
        "See http://example.org/x for the map.",
    ]


def test_a_short_line_ends_a_sentence_even_before_lower_case() -> None:
    text = "thanks for the quick reply\nsee you on friday at the cafe, bring the maps please"
    assert texts(text) == [
        "thanks for the quick reply",
        "see you on friday at the cafe, bring the maps please",
    ]


def test_a_line_ending_in_a_full_stop_ends_the_sentence_before_lower_case() -> None:
    assert texts("the room was clean.\nthe wifi was slow.") == [
        "the room was clean.",
        "the wifi was slow.",
    ]


def test_hard_wrapped_lines_that_fill_the_width_are_joined() -> None:
    text = (
        "We have moved the weekly meeting of the housing group to the\n"
        "second floor, since the old room is being painted this month\n"
        "and will stay closed."
    )
    assert texts(text) == [text]


# Spanish (our own sentences).


def es(text: str) -> list[str]:
    return [s.text for s in segment(text, "es")]


def test_spanish_questions_and_exclamations_open_sentences() -> None:
    assert es("¿Vendrá el alcalde a la reunión? Nadie lo sabe. ¡Qué sorpresa!") == [
        "¿Vendrá el alcalde a la reunión?",
        "Nadie lo sabe.",
        "¡Qué sorpresa!",
    ]


def test_spanish_continues_in_lower_case_after_a_question_or_exclamation() -> None:
    assert es("¿Vienes mañana? preguntó Marta. ¡Basta ya! gritó el vecino.") == [
        "¿Vienes mañana? preguntó Marta.",
        "¡Basta ya! gritó el vecino.",
    ]


def test_no_boundary_falls_inside_inverted_marks() -> None:
    assert es("¿Cuánto costó la obra. Y quién la pagó? Eso preguntan los vecinos.") == [
        "¿Cuánto costó la obra. Y quién la pagó?",
        "Eso preguntan los vecinos.",
    ]


def test_an_unclosed_inverted_mark_protects_nothing() -> None:
    assert es("¿Vienes. Sí. ¿Cuándo?") == ["¿Vienes.", "Sí.", "¿Cuándo?"]


@pytest.mark.parametrize(
    "text",
    [
        "El Sr. Gómez y la Sra. Ruiz llegaron juntos.",
        "La Dra. Pérez habló con el Dr. Soto en el pasillo.",
        "Viajó a EE. UU. para la cumbre del clima.",
        "Ver la pág. 12 y el núm. 3 del boletín oficial.",
        "Compraron pan, leche, huevos, etc. y volvieron a casa.",
        "Quedó en 1.º lugar y su hermana en el 2.º puesto.",
        "El paro bajó al 12,5 % en marzo, con 1.877 personas menos.",
    ],
)
def test_spanish_abbreviations_ordinals_and_decimals_stay_inside(text: str) -> None:
    assert es(text) == [text]


def test_spanish_abbreviations_that_end_a_sentence_split_before_an_opener() -> None:
    assert es("Firmó el acuerdo con EE. UU. La oposición protestó.") == [
        "Firmó el acuerdo con EE. UU.",
        "La oposición protestó.",
    ]
    assert es("Compraron pan, leche, etc. Luego volvieron a casa.") == [
        "Compraron pan, leche, etc.",
        "Luego volvieron a casa.",
    ]


def test_spanish_offsets_slice_back() -> None:
    text = "¿Qué pasó?\n¡Nada! El Sr. Díaz llegó a las 10.30 h. Después, silencio."
    result = segment(text, "es")
    assert [s.text for s in result] == [
        "¿Qué pasó?",
        "¡Nada!",
        "El Sr. Díaz llegó a las 10.30 h.",
        "Después, silencio.",
    ]
    for sentence in result:
        assert text[sentence.start : sentence.end] == sentence.text


def test_an_unknown_language_is_segmented_as_english() -> None:
    assert segment("It rained. we stayed in", "fr") == segment("It rained. we stayed in")


def test_a_single_short_line_before_a_long_paragraph_is_not_taken_for_wrapping() -> None:
    paragraph = (
        "this is not the shop on the high street that the map shows, it moved two years ago "
        "to the old mill by the river and nobody updated the listing"
    )
    assert texts(f"wrong address\n{paragraph}") == ["wrong address", paragraph]


def test_informal_spanish_without_inverted_marks_splits_before_lower_case() -> None:
    assert es("que tal? yo bien. nos vemos el lunes") == [
        "que tal?",
        "yo bien.",
        "nos vemos el lunes",
    ]


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        (
            "MARLOW FERRY, 2 June (Desk) — The ferry carried 41,000 cars last year.",
            "The ferry carried 41,000 cars last year.",
        ),
        ("OSTERLEA (Wire) — Water bills will rise by 6%.", "Water bills will rise by 6%."),
        (
            "Harbour tolls to rise\n\nST. ANSELM, Gulf Coast (Wire) - Tolls rose 8% in May.",
            "Tolls rose 8% in May.",
        ),
        ("OSTERLEA—Tolls rose 8% in May.", "Tolls rose 8% in May."),
        ("SAN BRUNO, 3 de mayo (Agencia) — El peaje subió un 8 %.", "El peaje subió un 8 %."),
        (
            'OSTERLEA — "We paid 400 families," the mayor said.',
            '"We paid 400 families," the mayor said.',
        ),
    ],
)
def test_a_stories_dateline_is_not_part_of_the_claim_it_opens(text: str, claim: str) -> None:
    sentences = extract(text).sentences
    opened = next(s for s in sentences if s.text.endswith(claim[-10:]))
    assert opened.text == claim
    assert text[opened.start : opened.end] == claim


@pytest.mark.parametrize(
    "text",
    [
        "US-China talks resumed on Monday after 3 years.",  # a hyphen with no space before it
        "NASA said 12 missions were delayed.",  # capitals, but no dash
        "One. Two. Three. Four.\nOSTERLEA — Tolls rose 8% in May.",  # past a story's opening
        "It rose. OSTERLEA — Tolls rose 8% in May.",  # not where a paragraph starts
        "OSTERLEA — Tolls rose.",  # what is left is too short to be a claim without it
        "The UN — and its agencies — said 12 camps closed.",  # lower case: not a place name
    ],
)
def test_text_without_a_dateline_keeps_every_sentence_whole(text: str) -> None:
    sentences = extract(text).sentences
    assert [s.text for s in sentences] == [s.text for s in segment(text)]
