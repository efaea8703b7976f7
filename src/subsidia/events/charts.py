"""Bar charts of the evaluation results, drawn on the server as SVG.

No script and no inline style (the Content-Security-Policy forbids both): only SVG presentation attributes.
Each chart is an image with a text alternative (``role="img"``, ``<title>`` and ``<desc>`` with every number),
and the pages show the same numbers in a table beside it. The bar colour has a contrast above 7:1 on white,
and each bar carries its count in text, so nothing is told by colour alone."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from subsidia.core.disclosure import Count

BAR = "#00508f"
INK = "#1b1f24"
GRID = "#6b7683"
WIDTH = 640
LABEL_WIDTH = 230
BAR_AREA = 330
ROW = 34
TOP = 8


def _short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _drawn(count: int | Count) -> int:
    """The length a bar may have: none for a count suppressed on a public page (core/disclosure.py)."""
    if isinstance(count, Count):
        return count.shown or 0
    return count


def bar_chart(title: str, description: str, bars: Sequence[tuple[str, int | Count]]) -> SafeString:
    """A horizontal bar chart of ``bars`` (label, count); a suppressed count has no bar and reads "< 5"."""
    ident = f"chart-{uuid.uuid4().hex[:8]}"
    peak = max([_drawn(count) for _label, count in bars] + [1])
    height = TOP * 2 + ROW * max(len(bars), 1)
    parts = []
    for index, (label, count) in enumerate(bars):
        y = TOP + index * ROW
        length = round(BAR_AREA * _drawn(count) / peak) if _drawn(count) else 0
        parts.append(format_html(
            '<g><text x="{}" y="{}" text-anchor="end" fill="{}" font-size="14">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="22" fill="{}"></rect>'
            '<text x="{}" y="{}" fill="{}" font-size="14" font-weight="bold">{}</text></g>',
            LABEL_WIDTH - 8, y + 16, INK, _short(label),
            LABEL_WIDTH, y + 1, length, BAR,
            LABEL_WIDTH + length + 6, y + 16, INK, count,
        ))
    summary = "; ".join(f"{label} : {count}" for label, count in bars)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {} {}" '
        'aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}{}</desc>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"></line>{}</svg>',
        WIDTH, height, ident, ident, ident, title, ident, f"{description} " if description else "", summary,
        LABEL_WIDTH, TOP - 2, LABEL_WIDTH, height - TOP + 2, GRID,
        mark_safe("".join(str(p) for p in parts)),  # noqa: S308 - each part built by format_html
    )

