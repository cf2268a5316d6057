"""Chart geometry (reviews/charts.py): pure functions, checked without a database."""

import pytest

from reviews import charts


@pytest.mark.parametrize(
    ("values", "top"),
    [
        ([], 1.0),
        ([0, 0], 1.0),
        ([1], 1.0),
        ([3, 7], 10.0),
        ([11], 20.0),
        ([21], 25.0),
        ([26], 50.0),
        ([0.3], 0.5),
        ([100], 100.0),
        ([101], 200.0),
    ],
)
def test_the_axis_ends_on_a_round_number_at_or_above_the_largest_value(
    values: list[float], top: float
) -> None:
    assert charts.scale_max(values) == top


def test_bars_are_proportional_and_labelled() -> None:
    chart = charts.bar_chart([("Candidate", 5), ("Selected", 10)], title="Open claims")
    first, second = chart.bars
    assert (first.x, second.x) == (charts.LABEL_WIDTH, charts.LABEL_WIDTH)
    assert second.width == charts.BAR_AREA  # 10 is the axis end
    assert first.width == charts.BAR_AREA / 2
    assert first.y < second.y and chart.height == 2 * charts.ROW_HEIGHT
    assert chart.summary == "Candidate: 5; Selected: 10"
    assert [text.text for text in chart.texts] == ["Candidate", "5", "Selected", "10"]
    assert chart.texts[0].anchor == "end"
    assert (first.css, second.css) == ("chart-s0", "chart-s1")
    assert not chart.is_empty


def test_every_bar_fits_inside_the_chart() -> None:
    chart = charts.bar_chart([(str(n), n * 37) for n in range(12)], title="t")
    for bar in chart.bars:
        assert 0 <= bar.x and bar.x + bar.width <= chart.width
        assert 0 <= bar.y and bar.y + bar.height <= chart.height


def test_a_chart_of_zeros_is_empty_and_draws_no_width() -> None:
    chart = charts.bar_chart([("Kept", 0), ("Changed", 0)], title="Agreement")
    assert chart.is_empty
    assert all(bar.width == 0 for bar in chart.bars)


def test_columns_stand_on_one_baseline_and_a_missing_week_draws_none() -> None:
    chart = charts.column_chart([("02/03", 2.5), ("09/03", None), ("16/03", 5.0)], title="Median")
    assert [bar.label for bar in chart.bars] == ["02/03", "16/03"]
    low, high = chart.bars
    assert low.y + low.height == high.y + high.height  # the same baseline
    assert high.height == charts.COLUMN_AREA_HEIGHT and low.height == high.height / 2
    assert high.x > low.x
    assert "–" in [text.text for text in chart.texts]
    assert chart.summary == "02/03: 2.5; 16/03: 5"
    for bar in chart.bars:
        assert bar.y >= 0 and bar.x + bar.width <= chart.width


def test_stacked_segments_follow_each_other_and_the_legend_names_the_series() -> None:
    chart = charts.stacked_bar_chart(
        [("Alice", [1, 3, 0]), ("Bob", [2, 0, 2])],
        series=["Selected", "In review", "Awaiting approval"],
        title="Workload",
    )
    alice = [bar for bar in chart.bars if bar.label.startswith("Alice")]
    assert [bar.value for bar in alice] == [1, 3]  # a zero segment draws nothing
    assert alice[0].x + alice[0].width == alice[1].x
    assert alice[1].x + alice[1].width == charts.LABEL_WIDTH + charts.BAR_AREA * 4 / 5
    assert [css for _, css in chart.legend] == ["chart-s0", "chart-s1", "chart-s2"]
    assert chart.summary == (
        "Alice: Selected 1, In review 3, Awaiting approval 0; "
        "Bob: Selected 2, In review 0, Awaiting approval 2"
    )


def test_numbers_are_written_whole_or_to_one_place() -> None:
    assert charts.format_number(3) == "3"
    assert charts.format_number(2.0) == "2"
    assert charts.format_number(2.25) == "2.2"
    assert charts.format_number(12345) == "12,345"
