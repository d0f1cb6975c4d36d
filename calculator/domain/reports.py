"""What the billing reports page counts and draws, in plain Python: the longest date range it
takes, the age buckets of unbilled verified orders, and the geometry of the monthly bar chart
(drawn by the server as SVG: no script, nothing a Content Security Policy has to allow)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

# A report covers at most this many days (three years): longer ranges are refused beside the
# field instead of scanning the whole history.
MAX_REPORT_DAYS = 3 * 366

# Days since verification -> bucket; (label, first day, last day or None for "and older").
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7 days", 0, 7),
    ("8-30 days", 8, 30),
    ("31-60 days", 31, 60),
    ("over 60 days", 61, None),
)

# The three series of the monthly chart: key, label (in the order drawn).
CHART_SERIES: tuple[tuple[str, str], ...] = (
    ("billed", "Billed"),
    ("verified", "Verified, not billed"),
    ("held", "Held for review"),
)


def range_problem(date_from: datetime.date | None, date_to: datetime.date | None) -> str | None:
    """Return why a report's date range is refused (None: it is fine)."""
    if date_from and date_to:
        if date_to < date_from:
            return "the end of the range is before its start"
        if (date_to - date_from).days + 1 > MAX_REPORT_DAYS:
            return f"a report covers at most {MAX_REPORT_DAYS} days (three years): narrow it"
    return None


def age_cutoffs(today: datetime.date) -> list[tuple[str, datetime.date | None, datetime.date]]:
    """Return each age bucket as (label, oldest verification date or None, newest date): an
    order verified on day D is `(today - D).days` old."""
    return [
        (
            label,
            None if last is None else today - datetime.timedelta(days=last),
            today - datetime.timedelta(days=first),
        )
        for label, first, last in AGE_BUCKETS
    ]


@dataclass(frozen=True)
class Bar:
    series: str
    label: str
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    value: Decimal


@dataclass(frozen=True)
class Group:
    label: str
    x: Decimal  # the centre of the month's bars, for its label
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    left: int
    maximum: Decimal
    ticks: tuple[tuple[Decimal, Decimal], ...]  # (value, y)
    groups: tuple[Group, ...]


def _nice_ceiling(value: Decimal) -> Decimal:
    """Return 1, 2 or 5 times a power of ten at or above `value` (the chart's top)."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def bar_chart(
    months: list[tuple[str, dict[str, Decimal]]],
    *,
    width: int = 720,
    height: int = 240,
    left: int = 70,
    top: int = 10,
    bottom: int = 40,
) -> BarChart:
    """Lay out one group of three bars (CHART_SERIES) per month, scaled to the largest value."""
    plot_top, plot_bottom = top, height - bottom
    plot_height = Decimal(plot_bottom - plot_top)
    largest = max((value for _, values in months for value in values.values()), default=0)
    maximum = _nice_ceiling(Decimal(largest))
    slot = Decimal(width - left - 10) / max(len(months), 1)
    bar_width = (slot * Decimal("0.8") / len(CHART_SERIES)).quantize(Decimal("0.1"))
    groups = []
    for index, (label, values) in enumerate(months):
        start = left + slot * index + slot * Decimal("0.1")
        bars = []
        for position, (key, series_label) in enumerate(CHART_SERIES):
            value = values.get(key, Decimal(0))
            bar_height = (plot_height * value / maximum).quantize(Decimal("0.1"))
            bars.append(
                Bar(
                    series=key,
                    label=series_label,
                    x=(start + bar_width * position).quantize(Decimal("0.1")),
                    y=plot_bottom - bar_height,
                    width=bar_width,
                    height=bar_height,
                    value=value,
                )
            )
        groups.append(
            Group(
                label=label,
                x=(start + slot * Decimal("0.4")).quantize(Decimal("0.1")),
                bars=tuple(bars),
            )
        )
    ticks = tuple(
        (maximum * share / 4, (plot_bottom - plot_height * share / 4).quantize(Decimal("0.1")))
        for share in range(5)
    )
    return BarChart(
        width=width,
        height=height,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        left=left,
        maximum=maximum,
        ticks=ticks,
        groups=tuple(groups),
    )
