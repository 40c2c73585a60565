"""A server-rendered SVG chart of model quality over versions, for the admin."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from recommendations.models import ModelVersion

WIDTH, HEIGHT = 320, 180
# The plot area: the left margin holds the y-axis labels ("0.9400" at 10 px is ~34 px
# wide), the top one the panel's name, the bottom one the versions and the legend.
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 30, 28
NICE_STEPS = (1.0, 2.0, 2.5, 5.0)


@dataclass(frozen=True, slots=True)
class Axis:
    """A y axis: its range and the values that carry a label."""

    low: float
    high: float
    ticks: tuple[float, ...]
    decimals: int


def axis_for(
    values: Sequence[float],
    *,
    min_span: float,
    floor: float | None = None,
    ceiling: float | None = None,
    max_ticks: int = 5,
) -> Axis:
    """The y axis of a panel showing `values` (the metric and its baselines).

    The range covers every value and is at least `min_span` tall, so that a change of a few
    ten-thousandths is drawn as the small change it is rather than across the whole panel.
    It is widened around the values' middle, kept within `floor` and `ceiling` (a metric's
    possible range), and rounded outwards to steps of 1, 2, 2.5 or 5 times a power of ten.

    Raises:
        ValueError: no values, or a `min_span` that is not positive.
    """
    if not values:
        raise ValueError("an axis needs at least one value")
    if min_span <= 0:
        raise ValueError("min_span must be positive")
    low, high = min(values), max(values)
    if high - low < min_span:
        middle = (low + high) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
        # Slide the window back inside the metric's range rather than cut it short.
        if floor is not None and low < floor:
            low, high = floor, floor + min_span
        if ceiling is not None and high > ceiling:
            low, high = ceiling - min_span, ceiling
    step = _nice_step((high - low) / (max_ticks - 1))
    # Round outwards, with a little tolerance for values already on a step.
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    count = round((high - low) / step)
    ticks = tuple(round(low + i * step, 10) for i in range(count + 1))
    return Axis(low=ticks[0], high=ticks[-1], ticks=ticks, decimals=_decimals(step))


def _nice_step(raw: float) -> float:
    power = 10.0 ** math.floor(math.log10(raw))
    for nice in NICE_STEPS:
        if nice * power >= raw * (1 - 1e-9):
            return nice * power
    return 10 * power


def _decimals(step: float) -> int:
    """Enough decimals to tell each tick from the next (0.25 needs two, 0.2 one)."""
    for decimals in range(0, 8):
        if abs(round(step, decimals) - step) < step * 1e-6:
            return decimals
    return 8


def _read(*keys: str) -> Callable[[ModelVersion], float | None]:
    def read(version: ModelVersion) -> float | None:
        value: object = version.metrics
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return float(value) if isinstance(value, int | float) else None

    return read


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    read: Callable[[ModelVersion], float | None]
    colour: str
    lower_is_better: bool
    min_span: float
    floor: float | None = 0.0
    ceiling: float | None = None
    baseline_label: str = ""
    baseline: Callable[[ModelVersion], float | None] | None = None


SERIES = (
    # An RMSE on 1–5 stars moves by hundredths between good models: a tenth of a star is
    # the least span worth a full panel.
    Series("RMSE", _read("rating", "rmse"), "#e50914", True, min_span=0.1),
    # The gate compares NDCG with MostPopular's on the same split: draw both.
    Series(
        "NDCG@10",
        _read("ranking", "ours", "ndcg"),
        "#3d7eff",
        False,
        min_span=0.05,
        ceiling=1.0,
        baseline_label="MostPopular",
        baseline=_read("ranking", "most_popular", "ndcg"),
    ),
    Series(
        "Coverage",
        _read("ranking", "ours", "coverage"),
        "#2bb673",
        False,
        min_span=0.05,
        ceiling=1.0,
        baseline_label="MostPopular",
        baseline=_read("ranking", "most_popular", "coverage"),
    ),
)


def _polyline(points: list[tuple[float, float]], colour: str, *, dashed: bool = False) -> str:
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    width = 1.5 if dashed else 2
    return f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="{width}"{dash}/>'


def _panel(series: Series, versions: list[ModelVersion]) -> str:
    values = [series.read(v) for v in versions]
    baselines = [series.baseline(v) for v in versions] if series.baseline else []
    known = [v for v in values if v is not None]
    if not known:
        return ""
    axis = axis_for(
        known + [b for b in baselines if b is not None],
        min_span=series.min_span,
        floor=series.floor,
        ceiling=series.ceiling,
    )
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(versions) - 1, 1)

    def x_of(i: int) -> float:
        return LEFT + (i * step if len(versions) > 1 else plot_width / 2)

    def y_of(value: float) -> float:
        return TOP + (axis.high - value) / (axis.high - axis.low) * plot_height

    label = escape(series.label)
    hint = "lower is better" if series.lower_is_better else "higher is better"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label} over versions">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff" stroke="#ddd"/>',
        f'<text x="{LEFT}" y="18" font-size="12" font-weight="bold">{label}</text>',
        f'<text x="{WIDTH - RIGHT}" y="18" font-size="10" text-anchor="end" '
        f'fill="#666">{hint}</text>',
    ]
    for tick in axis.ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 3.5:.1f}" font-size="10" '
            f'text-anchor="end" fill="#666">{tick:.{axis.decimals}f}</text>'
        )
    baseline_points = [(x_of(i), y_of(b)) for i, b in enumerate(baselines) if b is not None]
    if baseline_points:
        parts.append(_polyline(baseline_points, "#999", dashed=True))
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    parts.append(_polyline([(x_of(i), y_of(v)) for i, v in points], series.colour))
    for i, value in points:
        parts.append(
            f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="3" fill="{series.colour}">'
            f"<title>{label} of model {versions[i].pk}: {value:.4f}</title></circle>"
        )
    bottom = HEIGHT - 9
    first, last = versions[0].pk, versions[-1].pk
    parts.append(f'<text x="{LEFT}" y="{bottom}" font-size="10" fill="#666">model {first}</text>')
    if len(versions) > 1:
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{bottom}" font-size="10" text-anchor="end" '
            f'fill="#666">model {last}</text>'
        )
    if baseline_points:
        middle = LEFT + plot_width / 2
        parts.append(
            f'<line x1="{middle - 44:.1f}" x2="{middle - 28:.1f}" y1="{bottom - 3.5}" '
            f'y2="{bottom - 3.5}" stroke="#999" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{middle - 24:.1f}" y="{bottom}" font-size="10" fill="#666">'
            f"{escape(series.baseline_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def metrics_chart_svg(versions: list[ModelVersion]) -> SafeString:
    """RMSE, NDCG@10 and coverage of each evaluated version, oldest to newest."""
    if not versions:
        return mark_safe("")
    panels = [_panel(series, versions) for series in SERIES]
    # Every value is a number formatted here or an escaped label: safe to mark.
    return mark_safe(f'<div class="metrics-chart">{"".join(panels)}</div>')  # noqa: S308
