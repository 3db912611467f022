"""Pure helpers that turn coaching data into something a template can draw: labels and SVG points."""

from evaluations.scoring import DIMENSION_LABELS, LEVELS, UNIVERSAL, level_value

CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_PADDING = 32
# One colour per universal dimension; each keeps at least 3:1 contrast on white, as a graphic must.
SERIES_COLOURS = ("#1f4fbf", "#a31f1f", "#1d6b35", "#7a3300", "#4b1d8f")


def humanise(name: str) -> str:
    """`star_structure` → `STAR structure`, `needs_work` → `Needs work`: a dimension or level as people read it."""
    return DIMENSION_LABELS.get(name) or name.replace("_", " ").strip().capitalize()


def levels_display(universal_scores: dict, evidence: dict | None = None) -> list[dict]:
    """The rubric's levels (the universal ones in their fixed order), labelled, with their evidence."""
    dimensions = [dim for dim in UNIVERSAL if dim in universal_scores] or list(universal_scores)
    return [
        {
            "dimension": dim,
            "label": humanise(dim),
            "level": level,
            "level_label": humanise(level),
            "evidence": (evidence or {}).get(dim, []),
        }
        for dim in dimensions
        if (level := universal_scores.get(dim))
    ]


def chart_points(
    values: list[float],
    *,
    slots: int,
    y_min: float,
    y_max: float,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    padding: int = CHART_PADDING,
) -> list[tuple[float, float]]:
    """SVG coordinates of `values` spread over `slots` evenly spaced x positions (SVG's y grows downwards).

    A single slot sits in the middle; values are clamped into [y_min, y_max].
    """
    if not values:
        return []
    slots = max(slots, len(values))
    inner_w, inner_h = width - 2 * padding, height - 2 * padding
    span = (y_max - y_min) or 1
    points = []
    for index, value in enumerate(values):
        x = padding + (inner_w / 2 if slots == 1 else inner_w * index / (slots - 1))
        clamped = min(max(value, y_min), y_max)
        y = padding + inner_h * (1 - (clamped - y_min) / span)
        points.append((round(x, 1), round(y, 1)))
    return points


def dimension_chart(dimension_trends: dict[str, list[dict]]) -> dict:
    """The trends' per-dimension series as SVG polylines, level gridlines and a legend."""
    low, high = level_value(LEVELS[0]), level_value(LEVELS[-1])
    slots = max((len(series) for series in dimension_trends.values()), default=0)
    series = []
    for dim, colour in zip(dimension_trends, SERIES_COLOURS, strict=False):
        points = chart_points(
            [point["value"] for point in dimension_trends.get(dim, [])], slots=slots, y_min=low, y_max=high
        )
        series.append(
            {
                "dimension": dim,
                "label": humanise(dim),
                "colour": colour,
                "points": points,
                "polyline": " ".join(f"{x},{y}" for x, y in points),
                "latest": humanise(dimension_trends[dim][-1]["level"]) if dimension_trends.get(dim) else "",
            }
        )
    gridlines = [
        {"label": humanise(level), "y": chart_points([level_value(level)], slots=1, y_min=low, y_max=high)[0][1]}
        for level in LEVELS
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "padding": CHART_PADDING,
        "right": CHART_WIDTH - CHART_PADDING,
        "series": series,
        "gridlines": gridlines,
        "sessions": slots,
    }
