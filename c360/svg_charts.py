"""Small charts as inline SVG strings, so a report opens anywhere without fetching a charting library.

Altair (in the stack) renders through Vega in the browser and needs its JS from a CDN or the
vl-convert package (not installed) to embed it; these four chart shapes are all the report needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d"]
FONT = 'font-family="sans-serif" font-size="11"'


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>{body}</svg>'
    )


def _fmt(value: float) -> str:
    return f"{value:.0%}" if 0 <= value <= 1 and value != int(value) else f"{value:,.0f}"


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_text: Sequence[str] | None = None,
    width: int = 640,
) -> str:
    """Horizontal bars, one per label, longest = widest."""
    row, left, top = 24, 180, 8
    top_value = max(values, default=0) or 1
    texts = value_text or [_fmt(v) for v in values]
    parts = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts)):
        y = top + i * row
        length = (width - left - 80) * value / top_value
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" {FONT}>{escape(label)}</text>'
            f'<rect class="mark" x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" fill="{PALETTE[0]}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 15}" {FONT}>{escape(text)}</text>'
        )
    return _svg(width, top * 2 + row * len(labels), title, "".join(parts))


def grouped_bar_chart(
    title: str, categories: Sequence[str], groups: Sequence[str], values: dict[tuple[str, str], float], width: int = 720
) -> str:
    """Vertical bars per category, one colour per group, with a legend."""
    height, left, bottom, top = 300, 60, 60, 30
    top_value = max(values.values(), default=0) or 1
    slot = (width - left - 10) / max(len(categories), 1)
    bar = slot * 0.8 / max(len(groups), 1)
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" {FONT}>{_fmt(top_value)}</text>',
    ]
    for g, group in enumerate(groups):
        parts.append(
            f'<rect x="{left + g * 130}" y="6" width="10" height="10" fill="{PALETTE[g % len(PALETTE)]}"/>'
            f'<text x="{left + g * 130 + 14}" y="15" {FONT}>{escape(group)}</text>'
        )
    for c, category in enumerate(categories):
        x0 = left + c * slot + slot * 0.1
        for g, group in enumerate(groups):
            value = values.get((category, group), 0)
            h = (height - bottom - top) * value / top_value
            parts.append(
                f'<rect class="mark" x="{x0 + g * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[g % len(PALETTE)]}"><title>{escape(category)}, '
                f"{escape(group)}: {_fmt(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + slot * 0.4:.1f}" y="{height - bottom + 14}" text-anchor="middle" {FONT}>'
            f"{escape(category)}</text>"
        )
    return _svg(width, height, title, "".join(parts))


def line_chart(title: str, series: dict[str, list[tuple[str, float]]], width: int = 720) -> str:
    """One line (with points) per series over shared x labels (ISO dates sort as text)."""
    height, left, bottom, top = 280, 60, 40, 40
    xs = sorted({x for points in series.values() for x, _ in points})
    top_value = max((v for points in series.values() for _, v in points), default=0) or 1
    step = (width - left - 20) / max(len(xs) - 1, 1)
    position = {x: left + i * step for i, x in enumerate(xs)}

    def y(value: float) -> float:
        return height - bottom - (height - bottom - top) * value / top_value

    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" {FONT}>{_fmt(top_value)}</text>',
    ]
    if xs:
        parts += [
            f'<text x="{left}" y="{height - bottom + 16}" {FONT}>{escape(xs[0])}</text>',
            f'<text x="{width - 10}" y="{height - bottom + 16}" text-anchor="end" {FONT}>{escape(xs[-1])}</text>',
        ]
    for s, (name, points) in enumerate(series.items()):
        colour = PALETTE[s % len(PALETTE)]
        coords = " ".join(f"{position[x]:.1f},{y(v):.1f}" for x, v in points)
        parts.append(f'<polyline class="mark" points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [
            f'<circle cx="{position[x]:.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"><title>{escape(name)} '
            f"{escape(x)}: {_fmt(v)}</title></circle>"
            for x, v in points
        ]
        parts.append(
            f'<rect x="{left + (s % 4) * 170}" y="{6 + (s // 4) * 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + (s % 4) * 170 + 14}" y="{15 + (s // 4) * 14}" {FONT}>{escape(name)}</text>'
        )
    return _svg(width, height, title, "".join(parts))


def heatmap(
    title: str, rows: Sequence[str], columns: Sequence[str], values: dict[tuple[str, str], float], cell: int = 44
) -> str:
    """Cells shaded by value (0..1) with the value printed; missing cells stay blank."""
    left, top = 100, 24
    parts = [
        f'<text x="{left + i * cell + cell / 2}" y="16" text-anchor="middle" {FONT}>{escape(c)}</text>'
        for i, c in enumerate(columns)
    ]
    for r, row in enumerate(rows):
        y = top + r * cell / 2
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" {FONT}>{escape(row)}</text>')
        for c, column in enumerate(columns):
            if (row, column) not in values:
                continue
            value = values[(row, column)]
            parts.append(
                f'<rect class="mark" x="{left + c * cell}" y="{y}" width="{cell - 2}" height="{cell / 2 - 2}" '
                f'fill="{PALETTE[0]}" fill-opacity="{0.1 + 0.9 * value:.2f}"/>'
                f'<text x="{left + c * cell + cell / 2 - 1}" y="{y + 15}" text-anchor="middle" {FONT}>'
                f"{value:.0%}</text>"
            )
    return _svg(left + cell * len(columns) + 10, int(top + cell / 2 * len(rows) + 10), title, "".join(parts))
