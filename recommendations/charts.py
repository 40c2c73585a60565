"""A server-rendered SVG chart of model quality over versions, for the admin."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from recommendations.models import ModelVersion

WIDTH, HEIGHT, PAD = 300, 150, 30
SERIES = [
    # (label, how to read it, colour, lower is better)
    ("RMSE", lambda v: v.metrics.get("rating", {}).get("rmse"), "#e50914", True),
    (
        "NDCG@10",
        lambda v: v.metrics.get("ranking", {}).get("ours", {}).get("ndcg"),
        "#3d7eff",
        False,
    ),
    (
        "Coverage",
        lambda v: v.metrics.get("ranking", {}).get("ours", {}).get("coverage"),
        "#2bb673",
        False,
    ),
]


def _panel(label: str, values: list[float | None], colour: str, lower_is_better: bool) -> str:
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return ""
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return PAD + i * step, HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD)

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in points))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{escape(label)} '
        f"v{i + 1}: {v:.4f}</title></circle>"
        for i, v in points
        for x, y in [xy(i, v)]
    )
    hint = "lower is better" if lower_is_better else "higher is better"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)} over versions">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff" stroke="#ddd"/>'
        f'<text x="{PAD}" y="18" font-size="12" font-weight="bold">{escape(label)}</text>'
        f'<text x="{WIDTH - PAD}" y="18" font-size="10" text-anchor="end" fill="#777">{hint}</text>'
        f'<text x="4" y="{PAD + 4}" font-size="9" fill="#777">{high:.3f}</text>'
        f'<text x="4" y="{HEIGHT - PAD + 4}" font-size="9" fill="#777">{low:.3f}</text>'
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>{dots}'
        f"</svg>"
    )


def metrics_chart_svg(versions: list[ModelVersion]) -> SafeString:
    """RMSE, NDCG@10 and coverage of each evaluated version, oldest to newest."""
    if not versions:
        return mark_safe("")
    panels = [
        _panel(label, [read(v) for v in versions], colour, lower)
        for label, read, colour, lower in SERIES
    ]
    # Every value is a number formatted here or an escaped label: safe to mark.
    return mark_safe(f'<div class="metrics-chart">{"".join(panels)}</div>')  # noqa: S308
