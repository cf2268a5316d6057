"""Spanish numbers: decimal comma, thousands dot, number words, scales, approximations."""

from __future__ import annotations

import math

from claims.extraction.numbers import find_quantities, words_to_number


def values(text: str, language: str = "es") -> list[float]:
    return [q.value for q in find_quantities(text, language) if q.is_countable]


def test_it_reads_a_decimal_comma_percentage() -> None:
    [quantity] = find_quantities("El paro bajó al 67,2 % este trimestre.", "es")
    assert quantity.value == 67.2
    assert quantity.unit == "%"
    assert quantity.text == "67,2 %"


def test_it_reads_a_thousands_dot_in_spanish_and_a_thousands_comma_in_english() -> None:
    assert values("Llegaron 1.877 personas.") == [1877]
    assert values("1,877 people arrived.", "en") == [1877]
    assert values("Llegaron 2.450.300 personas.") == [2_450_300]


def test_it_does_not_read_spanish_separators_as_english_ones() -> None:
    assert values("Se vendieron 1,5 millones de entradas.") == [1_500_000]
    assert values("It rose 67.2% and 1.5 million tickets sold.", "en") == [67.2, 1_500_000]


def test_it_reads_number_words() -> None:
    assert values("Asistieron dos mil personas.") == [2000]
    assert values("Había treinta y dos niños y doscientos cincuenta adultos.") == [32, 250]
    assert words_to_number("tres mil millones", "es") == 3e9
    assert words_to_number("dos millones trescientos mil", "es") == 2_300_000
    assert words_to_number("mil", "es") == 1000
    assert words_to_number("hola", "es") is None


def test_it_reads_scales_with_a_decimal_comma() -> None:
    [quantity] = find_quantities("El plan cuesta 3,5 millones de euros.", "es")
    assert quantity.value == 3_500_000
    assert quantity.unit == "euros"
    assert quantity.low < 3_500_000 < quantity.high  # rounded to a tenth of a million
    [billions] = find_quantities("Una deuda de 2.000 millones de dólares.", "es")
    assert billions.value == 2e9


def test_it_reads_approximations_as_bounds() -> None:
    [over] = find_quantities("Más de 2.000 personas marcharon.", "es")
    assert over.low == 2000 and math.isinf(over.high)
    [under] = find_quantities("Menos de 300 personas acudieron.", "es")
    assert (under.low, under.high) == (0, 300)
    [about] = find_quantities("Acudieron unos 300 vecinos.", "es")
    assert about.low < 300 < about.high
    [both] = find_quantities("Entre 10 y 20 casas ardieron.", "es")
    assert (both.low, both.high) == (10, 20)


def test_it_keeps_two_figures_joined_by_y_outside_a_range() -> None:
    assert values("Detuvieron a 12 personas el lunes y 8 el martes.") == [12, 8]


def test_it_marks_years_dates_and_labels() -> None:
    found = find_quantities(
        "El 3 de mayo de 2021, a las 17:30, según el artículo 12, 40 casas.", "es"
    )
    assert [q.value for q in found if q.is_countable] == [40]


def test_it_names_the_counted_noun_after_the_figure() -> None:
    [quantity] = find_quantities("Murieron 17 personas en el incendio.", "es")
    assert quantity.noun == "persona"
    [money] = find_quantities("Costó 400 euros.", "es")
    assert money.noun is None


def test_a_lone_article_or_scale_word_is_not_a_figure() -> None:
    assert values("Un niño y una niña vieron millones de estrellas.") == []


def test_an_unknown_language_reads_as_english() -> None:
    assert values("1,877 people", "fr") == [1877]
