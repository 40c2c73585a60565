"""The quality chart's axes: tiny changes look tiny, baselines are on the panel."""

from __future__ import annotations

import re

import pytest

from recommendations.charts import axis_for, metrics_chart_svg
from recommendations.models import ModelVersion


def _version(pk: int, *, rmse: float, ndcg: float, popular: float | None = 0.31) -> ModelVersion:
    ranking: dict = {"ours": {"ndcg": ndcg, "coverage": 0.17}}
    if popular is not None:
        ranking["most_popular"] = {"ndcg": popular, "coverage": 0.01}
    return ModelVersion(pk=pk, metrics={"rating": {"rmse": rmse}, "ranking": ranking})


def _dots(svg: str, label: str) -> list[float]:
    panel = re.search(rf'<svg[^>]*aria-label="{label} over versions">.*?</svg>', svg).group(0)
    return [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', panel)]


def test_the_axis_covers_every_value() -> None:
    axis = axis_for([0.93, 1.021, 0.97], min_span=0.1, floor=0.0)
    assert axis.low <= 0.93
    assert axis.high >= 1.021
    assert axis.ticks[0] == axis.low
    assert axis.ticks[-1] == axis.high


def test_a_tiny_change_spans_a_small_part_of_the_axis() -> None:
    axis = axis_for([0.3812, 0.3804], min_span=0.05, floor=0.0, ceiling=1.0)
    assert axis.high - axis.low >= 0.05
    assert (0.3812 - 0.3804) / (axis.high - axis.low) < 0.02


def test_the_axis_stays_within_the_metric_range() -> None:
    near_zero = axis_for([0.004, 0.006], min_span=0.05, floor=0.0, ceiling=1.0)
    assert near_zero.low == 0.0
    assert near_zero.high >= 0.05
    near_one = axis_for([0.995, 0.999], min_span=0.05, floor=0.0, ceiling=1.0)
    assert near_one.high == 1.0
    assert near_one.low <= 0.95


def test_ticks_are_round_numbers_with_enough_decimals() -> None:
    axis = axis_for([0.301, 0.3812], min_span=0.05, floor=0.0, ceiling=1.0)
    assert axis.ticks == (0.3, 0.325, 0.35, 0.375, 0.4)
    assert axis.decimals == 3
    labels = [f"{tick:.{axis.decimals}f}" for tick in axis.ticks]
    assert len(set(labels)) == len(labels)
    assert axis_for([0.93, 1.02], min_span=0.1).decimals == 3  # steps of 0.025
    assert axis_for([0.0, 0.2], min_span=0.05).ticks == (0.0, 0.05, 0.1, 0.15, 0.2)


def test_a_single_value_gets_the_minimum_span_around_it() -> None:
    axis = axis_for([0.9], min_span=0.1, floor=0.0)
    assert axis.low <= 0.85
    assert axis.high >= 0.95
    assert len(axis.ticks) <= 5


@pytest.mark.parametrize(
    ("values", "min_span", "message"),
    [([], 0.1, "at least one value"), ([0.5], 0.0, "positive"), ([0.5], -1.0, "positive")],
)
def test_it_rejects_an_axis_without_values_or_span(
    values: list[float], min_span: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        axis_for(values, min_span=min_span)


def test_an_ndcg_change_of_eight_ten_thousandths_moves_the_line_a_few_pixels() -> None:
    svg = metrics_chart_svg(
        [_version(1, rmse=0.94, ndcg=0.3812), _version(2, rmse=0.94, ndcg=0.3804)]
    )
    first, second = _dots(svg, "NDCG@10")
    assert 0 < second - first < 3  # of a 122-pixel plot


def test_the_ndcg_panel_draws_mostpopular_and_includes_it_in_its_range() -> None:
    svg = metrics_chart_svg([_version(1, rmse=0.94, ndcg=0.38), _version(2, rmse=0.93, ndcg=0.39)])
    panel = re.search(r'<svg[^>]*aria-label="NDCG@10 over versions">.*?</svg>', svg).group(0)
    assert "MostPopular" in panel
    ticks = [float(t) for t in re.findall(r'class="tick"[^>]*>([\d.]+)<', panel)]
    assert min(ticks) <= 0.31 <= max(ticks)


def test_versions_without_a_baseline_still_get_a_panel() -> None:
    svg = metrics_chart_svg([_version(7, rmse=1.02, ndcg=0.2, popular=None)])
    assert svg.count("<svg") == 3
    assert "MostPopular" not in re.search(r'aria-label="NDCG@10.*?</svg>', svg).group(0)
    assert "model 7" in svg


def test_no_versions_draw_nothing() -> None:
    assert metrics_chart_svg([]) == ""
