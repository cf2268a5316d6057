"""Chart geometry for server-drawn SVG: pure functions from figures to shapes, no Django models.

Templates (`templates/reviews/chart_*.html`) draw what these return with SVG presentation
attributes (x, y, width, height) and CSS classes for colour, so a strict CSP (no inline styles,
no scripts) holds and the page works offline. Every chart carries a title and a one-line
summary for its accessible name; the figures themselves go in a table beside each chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Horizontal bar charts: a label column, then the bars, then room for the value.
LABEL_WIDTH = 170
BAR_AREA = 330
VALUE_WIDTH = 60
ROW_HEIGHT = 26
BAR_HEIGHT = 18
# Column charts (one column a week).
COLUMN_AREA_HEIGHT = 160
COLUMN_WIDTH = 32
COLUMN_GAP = 16
AXIS_ROOM = 46
TOP_ROOM = 18
LEFT_ROOM = 8
SERIES_CLASSES = 6  # CSS classes chart-s0 .. chart-s5 colour the series


@dataclass(frozen=True)
class Bar:
    """One rectangle, with the text drawn beside it."""

    label: str
    value: float
    display: str
    x: float
    y: float
    width: float
    height: float
    css: str = "chart-s0"


@dataclass(frozen=True)
class Text:
    """A piece of text at a point (anchor: start, middle or end)."""

    text: str
    x: float
    y: float
    anchor: str = "start"


@dataclass(frozen=True)
class Chart:
    """What a chart template draws: its size, shapes and texts, and its accessible name."""

    title: str
    summary: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, css class)

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def format_number(value: float) -> str:
    """Whole numbers as they are, others to one decimal place."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def scale_max(values: Sequence[float]) -> float:
    """The axis end: the largest value rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    top = max((value for value in values if value > 0), default=0)
    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _summary(items: Sequence[tuple[str, float]], unit: str) -> str:
    suffix = f" {unit}" if unit else ""
    return "; ".join(f"{label}: {format_number(value)}{suffix}" for label, value in items)


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> Chart:
    """A horizontal bar per item, longest for the largest value, labels on the left.

    Steps: scale every value against `scale_max` of them; put row i at y = i * ROW_HEIGHT;
    write the label at the left and the value after the bar's end.
    """
    top = scale_max([value for _, value in items])
    bars: list[Bar] = []
    texts: list[Text] = []
    for index, (label, value) in enumerate(items):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        width = round(BAR_AREA * max(value, 0) / top, 2)
        bars.append(
            Bar(
                label,
                value,
                format_number(value),
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                f"chart-s{index % SERIES_CLASSES}",
            )
        )
        baseline = y + BAR_HEIGHT - 4
        texts.append(Text(label, LABEL_WIDTH - 6, baseline, "end"))
        texts.append(Text(format_number(value), LABEL_WIDTH + width + 5, baseline))
    return Chart(
        title=title,
        summary=_summary(items, unit),
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=max(1, len(items)) * ROW_HEIGHT,
        bars=bars,
        texts=texts,
    )


def column_chart(items: Sequence[tuple[str, float | None]], *, title: str, unit: str = "") -> Chart:
    """A vertical column per item (a week), left to right; None draws no column and says so.

    Steps: scale against `scale_max` of the values; column i stands at
    x = LEFT_ROOM + i * (COLUMN_WIDTH + COLUMN_GAP) on a baseline under TOP_ROOM + the area;
    its value above it, its label under the baseline.
    """
    known = [value for _, value in items if value is not None]
    top = scale_max(known)
    base = TOP_ROOM + COLUMN_AREA_HEIGHT
    bars: list[Bar] = []
    texts: list[Text] = []
    for index, (label, value) in enumerate(items):
        x = LEFT_ROOM + index * (COLUMN_WIDTH + COLUMN_GAP)
        middle = x + COLUMN_WIDTH / 2
        texts.append(Text(label, middle, base + 16, "middle"))
        if value is None:
            texts.append(Text("–", middle, base - 4, "middle"))
            continue
        height = round(COLUMN_AREA_HEIGHT * max(value, 0) / top, 2)
        bars.append(Bar(label, value, format_number(value), x, base - height, COLUMN_WIDTH, height))
        texts.append(Text(format_number(value), middle, base - height - 4, "middle"))
    summary_items = [(label, value) for label, value in items if value is not None]
    return Chart(
        title=title,
        summary=_summary(summary_items, unit),
        width=LEFT_ROOM * 2 + max(1, len(items)) * (COLUMN_WIDTH + COLUMN_GAP),
        height=base + AXIS_ROOM - 20,
        bars=bars,
        texts=texts,
    )


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[float]]], *, series: Sequence[str], title: str
) -> Chart:
    """A horizontal bar per row made of one segment per series (e.g. a reviewer's claims by
    status), scaled so the longest total fills the bar area; a legend names the series."""
    top = scale_max([sum(values) for _, values in rows])
    bars: list[Bar] = []
    texts: list[Text] = []
    summaries: list[str] = []
    for index, (label, values) in enumerate(rows):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        x = float(LABEL_WIDTH)
        for position, (name, value) in enumerate(zip(series, values, strict=True)):
            width = round(BAR_AREA * max(value, 0) / top, 2)
            if width:
                bars.append(
                    Bar(
                        f"{label}, {name}",
                        value,
                        format_number(value),
                        x,
                        y,
                        width,
                        BAR_HEIGHT,
                        f"chart-s{position % SERIES_CLASSES}",
                    )
                )
            x += width
        baseline = y + BAR_HEIGHT - 4
        total = sum(values)
        texts.append(Text(label, LABEL_WIDTH - 6, baseline, "end"))
        texts.append(Text(format_number(total), x + 5, baseline))
        parts = ", ".join(
            f"{name} {format_number(value)}" for name, value in zip(series, values, strict=True)
        )
        summaries.append(f"{label}: {parts}")
    return Chart(
        title=title,
        summary="; ".join(summaries),
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=max(1, len(rows)) * ROW_HEIGHT,
        bars=bars,
        texts=texts,
        legend=[(name, f"chart-s{n % SERIES_CLASSES}") for n, name in enumerate(series)],
    )
