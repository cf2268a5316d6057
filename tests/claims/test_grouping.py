"""Grouping claims for the article page: repeated figures under one heading, flags to claims."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.grouping import (
    FigureGroup,
    RankedEntry,
    figure_groups,
    figures,
    overlapping,
    ranked_entries,
)


def _labels(text: str) -> list[str]:
    return [" ".join(quantity.text.split()) for quantity in figures(text).values()]


def test_one_figure_stated_in_three_claims_is_one_group() -> None:
    texts = [
        "Brackwater has rehoused 177 households since the storm.",
        "Repair crews inspected 420 roofs.",
        "The 177 households were moved in three waves.",
        "Mr Amari said all 177 households now hold a tenancy.",
    ]
    assert figure_groups(texts) == [FigureGroup("177", (0, 2, 3))]


def test_the_ranked_list_puts_a_group_where_its_best_claim_was() -> None:
    texts = [
        "Of the 420 roofs inspected, 160 needed replacing.",
        "Brackwater has rehoused 177 households since the storm.",
        "Nineteen families are still in hotels.",
        "The 177 households were moved in three waves.",
    ]
    assert ranked_entries(texts) == [
        RankedEntry(None, (0,)),
        RankedEntry("177", (1, 3)),
        RankedEntry(None, (2,)),
    ]


def test_claims_without_a_shared_figure_stay_alone() -> None:
    texts = ["The fund paid 610 households.", "A second round added 275 more."]
    assert figure_groups(texts) == []
    assert ranked_entries(texts) == [RankedEntry(None, (0,)), RankedEntry(None, (1,))]


@pytest.mark.parametrize(
    "other",
    [
        "Cases of COVID-19 fell across the county.",
        "Leaders of the G-19 met in the town hall.",  # a made-up summit, hyphenated like G-7
        "The airline flew a Boeing 19 on the route.",
        "The mill closed in 1919.",
        "The depot opened on 19 May.",
        "See page 19 of the report.",
    ],
)
def test_digits_inside_names_years_dates_and_labels_are_not_figures(other: str) -> None:
    texts = ["Nineteen families are still waiting, and 19 households moved.", other]
    assert figure_groups(texts) == []


def test_digits_in_names_are_skipped_but_the_count_beside_them_is_kept() -> None:
    assert _labels("A Boeing 737 carried 177 passengers.") == ["177"]
    assert _labels("COVID-19 closed 40 schools.") == ["40"]
    assert _labels("The F-35 flew across 12 villages.") == ["12"]


def test_a_capitalised_first_word_or_a_possessive_does_not_hide_a_count() -> None:
    assert _labels("Only 177 households applied.") == ["177"]
    assert _labels("BRACKWATER — Only 177 households applied.") == ["177"]
    assert _labels("Brackwater's 177 households all applied.") == ["177"]


def test_small_number_words_are_not_figures_but_large_ones_are() -> None:
    assert _labels("Two councillors visited three waves of families.") == []
    texts = ["Nineteen families remain.", "The last 19 families will move in May."]
    assert figure_groups(texts) == [FigureGroup("19", (0, 1))]


def test_the_same_value_in_another_unit_is_another_figure() -> None:
    texts = [
        "About 40% of roofs failed.",
        "Crews repaired 40 roofs.",
        "The grant was £40 per roof.",
        "The storm cost 40 pounds a household, or £40.",
    ]
    assert figure_groups(texts) == [FigureGroup("£40", (2, 3))]


def test_a_bigger_figure_that_starts_with_the_same_digits_is_another_figure() -> None:
    texts = ["The fund reached 177,000 people.", "It rehoused 177 households."]
    assert figure_groups(texts) == []


def test_an_approximate_restatement_joins_the_group_under_the_exact_figure() -> None:
    texts = ["Nearly 300 applications are waiting.", "The council has 300 applications open."]
    assert figure_groups(texts) == [FigureGroup("300", (0, 1))]


def test_a_figure_stated_twice_in_one_claim_is_not_a_group() -> None:
    texts = ["In all 177 households were moved, and 177 households were helped."]
    assert figure_groups(texts) == []


def test_each_claim_joins_the_most_repeated_figure_only() -> None:
    texts = [
        "The 177 households were moved in 12 weeks.",
        "All 177 households have a tenancy.",
        "Mr Amari said 177 households were helped.",
        "The last families moved after 12 weeks.",
    ]
    # The first claim also states 12, but it sits under 177, which three claims state; 12 is
    # left with one claim and makes no group.
    assert figure_groups(texts) == [FigureGroup("177", (0, 1, 2))]


def test_a_flag_involves_the_claims_its_sentences_overlap() -> None:
    claims = [(0, 40), (41, 90), (91, 130), (131, 170)]
    flags = [[(41, 90), (91, 130)], [(131, 150)], [(171, 200)]]
    assert overlapping(flags, claims) == [[1, 2], [3], []]


def test_touching_spans_do_not_overlap() -> None:
    assert overlapping([[(10, 20)]], [(0, 10), (20, 30)]) == [[]]


@given(
    st.lists(
        st.sampled_from(
            [
                "The 177 households moved.",
                "Crews inspected 420 roofs.",
                "COVID-19 closed 40 schools.",
                "About 40% of roofs failed.",
                "Nineteen families remain.",
                "The mill closed in 1919.",
                "All 177 households have a tenancy.",
            ]
        ),
        max_size=12,
    )
)
def test_every_claim_appears_exactly_once_in_the_ranked_list(texts: list[str]) -> None:
    entries = ranked_entries(texts)
    listed = [index for entry in entries for index in entry.members]
    assert sorted(listed) == list(range(len(texts)))
    assert all(len(entry.members) >= 2 for entry in entries if entry.figure is not None)
