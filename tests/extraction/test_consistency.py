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


def test_it_flags_a_count_restated_in_a_relative_clause() -> None:
    text = (
        "The market blast, which killed 17, was the worst this year. "
        "Officials said the blast killed 19."
    )
    [flag] = flags_for(text)
    assert flag.kind == "mismatch"
    assert flag.severity == "contradiction"
    assert flag.sentence_indexes == (0, 1)
    assert flag.arithmetic == "17 ≠ 19"


def test_it_flags_a_headline_figure_restated_differently() -> None:
    text = "Ferry fire kills 23\n\nThe ferry fire killed 27 passengers on Sunday."
    [flag] = flags_for(text)
    assert flag.kind == "mismatch"
    assert flag.arithmetic == "23 ≠ 27"


def test_it_does_not_flag_a_relative_clause_about_another_place() -> None:
    assert flags_for("The storm killed 12 in Texas. The storm killed 3 in Ohio.") == []
    text = "We gave them $150 billion back. We gave them $1.7 billion."
    assert flags_for(text) == []  # "them" is no subject


def test_it_flags_a_lower_bound_contradicted_by_a_smaller_exact_figure() -> None:
    text = "More than 2,000 people marched on Sunday. Police said 1,800 people marched on Sunday."
    [flag] = flags_for(text)
    assert flag.kind == "mismatch"
    assert flag.arithmetic == "1,800 is below More than 2,000"


def test_it_flags_an_upper_bound_contradicted_by_a_larger_exact_figure() -> None:
    text = (
        "Fewer than 300 people attended the hearing. "
        "Officials said 340 people attended the hearing."
    )
    [flag] = flags_for(text)
    assert flag.arithmetic == "340 is above Fewer than 300"


def test_it_does_not_flag_bounds_from_two_named_sources_or_a_fitting_figure() -> None:
    text = "Organisers said more than 2,000 people marched. Police said 1,800 people marched."
    assert flags_for(text) == []
    text = "More than 2,000 people marched on Sunday. Police said 2,400 people marched."
    assert flags_for(text) == []


def test_it_sums_parts_given_with_time_words() -> None:
    text = (
        "The charity delivered 150 parcels last week and 120 the week before. "
        "In total, 300 parcels were delivered."
    )
    [flag] = flags_for(text)
    assert flag.kind == "sum"
    assert flag.arithmetic == "150 + 120 = 270, but the stated total is 300"
    assert flags_for(text.replace("300", "270")) == []


def test_it_checks_an_enumeration_announced_in_one_sentence() -> None:
    text = (
        "Relief reached 1,240 households in three rounds: 400 in May, 350 in June and 390 in July."
    )
    [flag] = flags_for(text)
    assert flag.kind == "sum"
    assert flag.sentence_indexes == (0,)
    assert flag.arithmetic == "400 + 350 + 390 = 1,140, but the stated total is 1,240"
    assert flags_for(text.replace("1,240", "1,140")) == []


def test_it_flags_an_announced_count_that_the_list_does_not_match() -> None:
    text = (
        "Relief reached 1,140 households in three rounds: "
        "400 in May, 350 in June, 100 in August and 290 in July."
    )
    [flag] = flags_for(text)
    assert flag.kind == "sum"
    assert flag.arithmetic == "4 parts listed ≠ 3 announced"


def test_it_checks_money_parts_against_a_total_in_the_same_sentence() -> None:
    text = (
        "The $12,000 grant is split into $5,000 for staff, $4,000 for rent and $2,000 for travel."
    )
    [flag] = flags_for(text)
    assert flag.kind == "sum"
    assert flag.arithmetic == "5,000 + 4,000 + 2,000 = 11,000, but the stated total is $12,000"
    assert flags_for(text.replace("$12,000", "$11,000")) == []
    [colon] = flags_for("Volunteers collected $4,000: $1,500 on Saturday and $2,000 on Sunday.")
    assert colon.arithmetic == "1,500 + 2,000 = 3,500, but the stated total is $4,000"


def test_it_allows_for_rounding_and_other_currencies_in_money_parts() -> None:
    rounded = (
        "The $12 million budget is split into $5 million for roads, "
        "$4 million for schools and $2 million for parks."
    )
    assert flags_for(rounded) == []  # each figure may be rounded to the million
    converted = (
        "The grant of $5 million (4.6 million euros) covers $3 million for staff "
        "and $2 million for rent."
    )
    assert flags_for(converted) == []


def test_it_flags_non_exhaustive_parts_that_exceed_the_whole_as_may_not_add_up() -> None:
    [flag] = flags_for("The fire destroyed 120 homes, including 80 in Oakdale and 60 in Elm Park.")
    assert flag.kind == "sum"
    assert flag.severity == "may_not_add_up"
    assert flag.arithmetic == "80 + 60 = 140, more than 120"
    assert "may not add up" in flag.message
    text = "The storm injured 45 people. Among them, 30 were children and 25 were pensioners."
    [soft] = flags_for(text)
    assert soft.severity == "may_not_add_up"
    assert soft.sentence_indexes == (0, 1)


def test_it_does_not_flag_non_exhaustive_parts_below_the_whole() -> None:
    assert (
        flags_for("The fire destroyed 120 homes, including 80 in Oakdale and 30 in Elm Park.") == []
    )
    text = "The storm injured 45 people. Among them, 20 were children and 15 were pensioners."
    assert flags_for(text) == []


def test_it_flags_shares_of_one_vote_past_100_percent() -> None:
    [flag] = flags_for("Ruiz took 55%, Berg 38% and Lopez 12% of the vote.")
    assert flag.kind == "percentage"
    assert flag.arithmetic == "55% + 38% + 12% = 105% > 100%"
    assert flags_for("Ruiz took 55%, Berg 38% and Lopez 7% of the vote.") == []


def test_it_does_not_add_shares_of_different_wholes_or_rounded_shares() -> None:
    assert flags_for("Ruiz took 55% of the vote in 2019 and 60% in 2023.") == []
    assert (
        flags_for("Among men, 55% backed Ruiz, and among women 60% of the vote went to her.") == []
    )
    assert flags_for("Ruiz took 50.4%, Berg 25.3% and Lopez 24.4% of the vote.") == []
    assert flags_for("Ruiz's share rose from 40% to 65% of the vote.") == []


def test_it_checks_a_percentage_whose_base_is_in_the_previous_sentence() -> None:
    text = "The survey covered 400 schools. Of them, 120 had no library, or 40%."
    [flag] = flags_for(text)
    assert flag.kind == "percentage"
    assert flag.sentence_indexes == (0, 1)
    assert flag.arithmetic == "120 / 400 = 30.0%, but the text says 40%"
    assert flags_for(text.replace("40%", "30%")) == []


def test_it_does_not_take_a_base_from_a_sentence_with_several_counts() -> None:
    text = "The survey covered 400 schools and 90 colleges. Of them, 120 had no library, or 40%."
    assert flags_for(text) == []


def test_spanish_sentences_are_checked_with_spanish_numbers() -> None:
    def es(text: str) -> list[Flag]:
        return check_consistency([s.text for s in segment(text, "es")], language="es")

    [total] = es(
        "El Gobierno liberó a 533 presos el lunes. Liberó a 103 presos el martes y a 177 el "
        "viernes. En total, 910 presos fueron liberados."
    )
    assert total.arithmetic == "533 + 103 + 177 = 813, but the stated total is 910"
    [rate] = es("Solo 12 de los 40 miembros (45 %) votaron a favor.")
    assert rate.kind == "percentage"
    assert es("Solo 12 de los 35 miembros (34 %) votaron a favor.") == []
    [announced] = es(
        "La ayuda llegó a 1.240 hogares en tres rondas: 400 en mayo, 350 en junio y 390 en julio."
    )
    assert announced.arithmetic == "400 + 350 + 390 = 1,140, but the stated total is 1.240"
    [clause] = es(
        "La explosión, que mató a 17 personas, fue la peor del año. "
        "La explosión mató a 19 personas."
    )
    assert clause.kind == "mismatch"
    assert (
        es(
            "El plan cuesta 3,5 millones de euros: 2 millones para obras "
            "y 1,5 millones para personal."
        )
        == []
    )


def test_the_default_language_reads_english_separators() -> None:
    # "1.240" is 1.24 in English: no total of households then, so no flag.
    text = (
        "La ayuda llegó a 1.240 hogares en tres rondas: 400 en mayo, 350 en junio y 390 en julio."
    )
    assert check_consistency([text]) == []


def test_a_colon_counts_as_a_split_only_right_before_the_first_part() -> None:
    assert flags_for("In all, 12,000 votes were cast; Ruiz: 6,000, Berg: 5,000.") == []
    text = "The trip costs $1,200: the flight alone is $800 and the hotel $300 a night."
    assert flags_for(text) == []


def test_it_does_not_count_a_list_that_mixes_other_figures() -> None:
    text = "Aid arrived in two rounds: 400 parcels in May and 350 in June, for 12 towns."
    assert flags_for(text) == []


def test_it_does_not_flag_partial_parts_introduced_by_of_which() -> None:
    text = (
        "The firm earned $40 million last year, of which $12 million came from Asia "
        "and $9 million from Europe."
    )
    assert flags_for(text) == []


def test_it_does_not_compare_counts_of_different_subjects_or_events() -> None:
    text = "The law, which passed with 60 votes, was signed. The budget passed with 52 votes."
    assert flags_for(text) == []
    text = (
        "The quake, which killed 40 people in 2015, struck at night. "
        "A later quake killed 12 people."
    )
    assert flags_for(text) == []
    text = (
        "The company, which employs 300 staff, is based in Leeds. "
        "The company employs 250 engineers."
    )
    assert flags_for(text) == []
    assert flags_for("About 50 people attended. 80 people attended the gala dinner.") == []


def test_it_does_not_take_a_percentage_of_a_sub_base_for_the_base() -> None:
    assert flags_for("The school has 900 pupils. Of these, 450 are girls, or 50%.") == []
    text = "The 2,000 respondents, of whom 55% were women and 48% were over 50, answered online."
    assert flags_for(text) == []


def test_the_new_checks_read_spanish_wording() -> None:
    def es(text: str) -> list[Flag]:
        return check_consistency([s.text for s in segment(text, "es")], language="es")

    [bound] = es(
        "Más de 2.000 personas marcharon el domingo. "
        "La policía dijo que 1.800 personas marcharon el domingo."
    )
    assert bound.arithmetic == "1.800 is below Más de 2.000"
    [rate] = es("La encuesta abarcó 400 colegios. De ellos, 120 no tenían biblioteca, un 40 %.")
    assert rate.sentence_indexes == (0, 1)
    assert es("La encuesta abarcó 400 colegios. De ellos, 120 no tenían biblioteca, un 30 %.") == []
    [soft] = es("El incendio destruyó 120 viviendas, incluidas 80 en Oakdale y 60 en Elm Park.")
    assert soft.severity == "may_not_add_up"
    [shares] = es("Ruiz obtuvo el 55 %, Berg el 38 % y López el 12 % de los votos.")
    assert shares.kind == "percentage"
    assert es("Ruiz obtuvo el 50,4 %, Berg el 25,3 % y López el 24,4 % de los votos.") == []


def test_it_does_not_sum_a_split_that_leaves_a_remainder() -> None:
    text = (
        "The $3,000 budget was split into $1,000 for food and $1,500 for rent, "
        "with the rest unassigned."
    )
    assert flags_for(text) == []
    assert flags_for(text.replace(", with the rest unassigned", "")) != []
