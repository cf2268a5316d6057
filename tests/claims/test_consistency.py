"""Consistency checks: sums, percentages and figures stated twice."""

from __future__ import annotations

from claims.extraction import Flag, check_consistency, segment
from claims.extraction.numbers import find_quantities, words_to_number


def flags_for(text: str) -> list[Flag]:
    return check_consistency([s.text for s in segment(text)])


def test_it_flags_parts_that_do_not_add_up_to_the_stated_total() -> None:
    text = (
        "The board released 533 files on Monday. It released another 103 on Tuesday, "
        "then 177 on Friday. In all, 910 files were released."
    )
    [flag] = flags_for(text)
    assert flag.kind == "sum"
    assert flag.sentence_indexes == (0, 1, 2)
    assert flag.arithmetic == "533 + 103 + 177 = 813, but the stated total is 910"
    assert "910" in flag.message


def test_it_does_not_flag_parts_that_add_up() -> None:
    text = (
        "The board released 533 files on Monday. It released another 103 on Tuesday, "
        "then 177 on Friday. In all, 813 files were released."
    )
    assert flags_for(text) == []


def test_it_checks_an_approximate_total_as_a_bound() -> None:
    within = (
        "The town spent 800 dollars on parks and 1,400 dollars on roads, over 2,000 dollars total."
    )
    beyond = (
        "The town spent 800 dollars on parks and 900 dollars on roads, over 2,000 dollars in total."
    )
    assert flags_for(within) == []
    [flag] = flags_for(beyond)
    assert flag.kind == "sum"
    assert flag.arithmetic == "800 + 900 = 1,700, but the stated total is over 2,000 dollars"


def test_it_ignores_years_and_dates_when_summing() -> None:
    text = (
        "In 2019 the club signed 12 players. On July 28 it signed 8 more players. "
        "Altogether 20 players joined."
    )
    assert flags_for(text) == []


def test_it_does_not_flag_a_running_total_that_may_include_unlisted_parts() -> None:
    text = (
        "Police arrested 12 people on Monday and 8 on Tuesday. "
        "In total 45 people have been arrested since March."
    )
    assert flags_for(text) == []


def test_it_flags_a_percentage_that_does_not_match_its_counts() -> None:
    [flag] = flags_for("Only 12 of the 40 members (45%) voted for the motion.")
    assert flag.kind == "percentage"
    assert flag.sentence_indexes == (0,)
    assert flag.arithmetic == "12 / 40 = 30.0%, but the text says 45%"


def test_it_accepts_a_rounded_percentage() -> None:
    assert flags_for("Only 12 of the 35 members (34%) voted for the motion.") == []
    assert flags_for("Some 2 of 3 voters, or about 67 percent, agreed.") == []


def test_it_flags_the_same_count_stated_twice_with_different_values() -> None:
    text = "The flood killed 14 people in the valley. Rescuers said the flood killed 19 people."
    [flag] = flags_for(text)
    assert flag.kind == "mismatch"
    assert flag.sentence_indexes == (0, 1)
    assert flag.arithmetic == "14 ≠ 19"


def test_it_does_not_flag_an_update_to_a_figure() -> None:
    text = "The flood killed 14 people in the valley. The toll later rose and it killed 19 people."
    assert flags_for(text) == []


def test_it_stays_quiet_on_an_ordinary_article() -> None:
    text = (
        "The council met on March 3, 2025. It approved 14 new bus routes and 3 bike lanes. "
        "The mayor, 58, said the plan would cost $2.5 million over 10 years. "
        "About 1,200 residents attended, and 300 spoke. The vote was 7 to 2."
    )
    assert flags_for(text) == []


def test_it_never_raises_on_odd_input() -> None:
    assert check_consistency([]) == []
    assert check_consistency(["", "1,2,3", "...", "%%%", "in all 5", "0 of 0 (0%)"]) == []


def test_it_parses_number_words_and_approximations() -> None:
    [quantity] = find_quantities("The fire destroyed nearly two hundred homes.")
    assert quantity.value == 200
    assert quantity.approx == "nearly"
    assert quantity.high == 200 and quantity.low < 200
    assert words_to_number("two hundred and fifty") == 250
    assert words_to_number("a dozen") == 12


def test_it_parses_money_percentages_ranges_and_bounds() -> None:
    found = find_quantities(
        "They paid $2.5 million, up 3.5%, to between 10 and 20 firms, at least 40 staff."
    )
    assert [(q.value, q.unit) for q in found] == [
        (2_500_000, "$"),
        (3.5, "%"),
        (10, None),
        (40, None),
    ]
    assert found[2].high == 20
    assert found[3].approx == "at least" and found[3].high == float("inf")


def test_it_marks_years_and_dates() -> None:
    found = find_quantities("On July 28, 2021 at 5 p.m. the count was 1,990.")
    assert [q.text for q in found if q.is_countable] == ["1,990"]
    found = find_quantities("From 3 January to the 14th of March, 1,990 people came.")
    assert [q.text for q in found if q.is_countable] == ["1,990"]


def test_it_does_not_flag_the_same_count_for_differently_named_subjects() -> None:
    text = (
        "Ana Ruiz of the Green Party won 4,210 votes in the north. "
        "In the south, Tom Berg of the Labour Party won 3,980 votes."
    )
    assert flags_for(text) == []


def test_it_does_not_flag_parallel_sentences_about_different_groups() -> None:
    text = (
        "We cannot accept 12 million people without insurance. "
        "We cannot accept 9 million people living in poverty."
    )
    assert flags_for(text) == []


def test_a_bare_scale_word_is_not_a_figure() -> None:
    assert find_quantities("Millions of people, a million reasons, a hundred ideas.") == []


def test_it_flags_a_total_stated_before_an_announced_enumeration() -> None:
    text = (
        "The charity has now fed 900 families, its director said. "
        "The parcels went out in three waves. The first wave reached 400 families. "
        "A second wave added 250 more, and the final wave fed 150 families."
    )
    [flag] = flags_for(text)
    assert flag.kind == "sum"
    assert flag.sentence_indexes == (0, 2, 3)
    assert flag.arithmetic == "400 + 250 + 150 = 800, but the stated total is 900"


def test_it_does_not_sum_an_enumeration_that_may_be_incomplete() -> None:
    text = (
        "Police arrested 1,240 people this year. In the first raid, 30 people were held. "
        "A second raid caught 12 more people."
    )
    assert flags_for(text) == []


def test_it_flags_a_rate_that_does_not_match_of_the_counts() -> None:
    [flag] = flags_for("Of the 250 schools inspected, 50 failed, a rate of 25%.")
    assert flag.kind == "percentage"
    assert flag.arithmetic == "50 / 250 = 20.0%, but the text says 25%"
    assert flags_for("Of the 250 schools inspected, 50 failed, a rate of 20%.") == []


def test_it_skips_a_huge_table_like_sentence() -> None:
    table = "Totals: " + "1,200 4,000 35 " * 20_000 + "in all 12."
    assert check_consistency([table, "In all, 5 were released."]) == []


def test_it_flags_a_running_total_that_its_earlier_parts_do_not_reach() -> None:
    text = (
        "Ravensford handed out 140 more parking permits on Monday, bringing the total to 600. "
        "The council opened the scheme in spring. "
        "Earlier rounds issued 250 permits in April and 120 before that."
    )
    [flag] = flags_for(text)
    assert flag.kind == "sum"
    assert flag.sentence_indexes == (0, 2)
    assert flag.arithmetic == "120 + 250 + 140 = 510, but the stated total is 600"


def test_it_reads_earlier_parts_stated_after_the_running_total() -> None:
    text = (
        "The shelter rehomed a further 60 dogs this week, taking the total to 300. "
        "Previously 150 dogs found homes in March. Before that, 70 dogs were rehomed."
    )
    [flag] = flags_for(text)
    assert flag.sentence_indexes == (0, 1, 2)
    assert flag.arithmetic == "70 + 150 + 60 = 280, but the stated total is 300"


def test_it_does_not_flag_a_running_total_that_its_parts_reach() -> None:
    text = (
        "Ravensford handed out 140 more parking permits on Monday, bringing the total to 510. "
        "Earlier rounds issued 250 permits in April and 120 before that."
    )
    assert flags_for(text) == []


def test_it_does_not_flag_earlier_parts_listed_with_including_that_add_up() -> None:
    text = (
        "The port cleared another 45 containers, bringing the total to 230. "
        "Earlier clearances, including 110 containers on May 3 and 75 prior to that, "
        "went smoothly."
    )
    assert flags_for(text) == []


def test_it_checks_an_approximate_running_total_as_a_bound() -> None:
    text = (
        "Volunteers planted an additional 400 trees, bringing the total to nearly 1,000. "
        "Earlier plantings included 350 trees in May and 200 before that."
    )
    assert flags_for(text) == []  # 950 is "nearly 1,000"


def test_it_does_not_sum_earlier_figures_that_count_something_else() -> None:
    text = (
        "The clinic vaccinated another 80 children, bringing the total to 500. "
        "Earlier the clinic hired 12 nurses and 30 volunteers."
    )
    assert flags_for(text) == []


def test_it_keeps_both_figures_joined_by_and_outside_a_range() -> None:
    quantities = find_quantities("It freed 103 people on May 12 and 533 prior to that.")
    assert [q.value for q in quantities if q.is_countable] == [103, 533]
    [both] = find_quantities("between 10 and 20 people")
    assert (both.low, both.high) == (10, 20)
