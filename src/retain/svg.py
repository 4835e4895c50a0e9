"""Small inline SVG charts (grouped bars, lines) for the monthly review page.

Why our own and not a chart library: the review needs two chart kinds with a
few dozen points, inline in a page that must render with no network and no
JavaScript. The maintained chart libraries either draw in the browser
(JavaScript) or pull in a plotting stack (matplotlib: tens of MB, a font cache
on first use) for what is a hundred lines of coordinates here. Every text is
escaped; sizes are in user units so the page scales them to A4.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 680
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 28, 36
FONT = 'font-family="sans-serif" font-size="11"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str


def _nice_top(high: float) -> float:
    """The axis's top: 1, 2, 2.5 or 5 times a power of ten, at or above ``high``."""
    if high <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= high:
        power *= 10
    while power > high:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= high:
            return step * power
    return 10 * power


def _frame(
    labels: Sequence[str],
    series: Sequence[Series],
    top: float,
    fmt: Callable[[float], str],
    title: str,
) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(title)}" {FONT}>',
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#ccc" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>'
        )
    # Legend along the top.
    x = LEFT
    for entry in series:
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{entry.colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15">{escape(entry.name)}</text>')
        x += 24 + 7 * len(entry.name) + 6 * sum(1 for c in entry.name if ord(c) > 0x2E80)
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    every = max(1, round(len(labels) / 12))  # at most about 12 labels under the axis
    for index, label in enumerate(labels):
        if index % every:
            continue
        cx = LEFT + step * (index + 0.5)
        parts.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    return parts


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str],
    title: str,
    *,
    line: Series | None = None,
    mark: tuple[int, str] | None = None,
) -> str:
    """Grouped bars from zero: one group per label, one bar per series; ``line``
    a dashed line through its values (a target), ``mark`` (index, text) a red
    frame around one group with the text under its axis label (the cliff)."""
    drawn = [*series, line] if line is not None else list(series)
    high = max((v for s in drawn for v in s.values if v is not None), default=0.0)
    top = _nice_top(high)
    parts = _frame(labels, drawn, top, fmt, title)
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar_w = step * 0.8 / max(len(series), 1)
    for s_index, entry in enumerate(series):
        for index, value in enumerate(entry.values):
            if value is None or value <= 0:
                continue
            h = plot_h * value / top
            x = LEFT + step * index + step * 0.1 + bar_w * s_index
            y = TOP + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{entry.colour}"><title>{escape(labels[index])}: '
                f"{escape(fmt(value))}</title></rect>"
            )
    if line is not None:
        points = " ".join(
            f"{LEFT + step * (i + 0.5):.1f},{TOP + plot_h - plot_h * v / top:.1f}"
            for i, v in enumerate(line.values)
            if v is not None
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    if mark is not None:
        index, text = mark
        x = LEFT + step * index + step * 0.04
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP - 2}" width="{step * 0.92:.1f}" height="{plot_h + 2}" '
            f'fill="none" stroke="#c53030" stroke-width="1.5" stroke-dasharray="3 2"/>'
        )
        parts.append(
            f'<text x="{x + step * 0.46:.1f}" y="{HEIGHT - 4}" text-anchor="middle" '
            f'fill="#c53030">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str],
    title: str,
) -> str:
    """Lines with a dot per point; a missing value breaks the line."""
    high = max((v for s in series for v in s.values if v is not None), default=0.0)
    top = _nice_top(high)
    parts = _frame(labels, series, top, fmt, title)
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for entry in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(entry.values):
            if value is None:
                runs.append([])
                continue
            point = (LEFT + step * (index + 0.5), TOP + plot_h - plot_h * value / top)
            runs[-1].append(point)
            parts.append(
                f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="2.5" fill="{entry.colour}"/>'
            )
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{entry.colour}" '
                    f'stroke-width="2"/>'
                )
    parts.append("</svg>")
    return "".join(parts)
