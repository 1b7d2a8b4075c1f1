"""Where the marks of a chart go: plain numbers in, coordinates out, for the SVG templates.

Nothing here queries or renders: ``line_chart`` and ``bar_chart`` take the figures and
return the positions of lines, points, bars, axis ticks and labels in a fixed view box
(the SVG scales to its box on the page).
"""

import math
from dataclasses import dataclass, field

WIDTH = 640
LABEL_LENGTH = 34

# Colours with at least 3:1 contrast against white (WCAG 2.2, non-text contrast).
COLOURS = {
    "confirmed": "#007d7e",
    "unsubscribed": "#b3261e",
    "suppressed": "#5c5c5c",
    "booked": "#2e1f5e",
    "waiting": "#a05a00",
    "attended": "#007d7e",
    "no_show": "#b3261e",
    "not_recorded": "#767676",
    "sent": "#007d7e",
    "failed": "#b3261e",
    "skipped": "#767676",
    "pending": "#a05a00",
}
TRACK = "#e9e9e9"
AXIS = "#767676"


def nice_ceiling(value):
    """The smallest of 1, 2, 5, 10, 20, 50 ... at or above ``value`` (1 at least): the top
    of an axis that reads in round numbers."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def number(value):
    """A coordinate as SVG writes it: one decimal at most, never localised."""
    return f"{value:.1f}".removesuffix(".0")


def short(text, length=LABEL_LENGTH):
    """A label that fits beside a bar; the full text stays in the bar's title and table."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"


@dataclass
class Line:
    key: str
    label: str
    colour: str
    points: list = field(default_factory=list)  # (x, y, value, title)

    @property
    def polyline(self):
        return " ".join(f"{x},{y}" for x, y, _value, _title in self.points)


def line_chart(*, labels, series, axis_labels=None, height=220):
    """Lines across ``labels`` (oldest first; ``axis_labels``, shorter, under the x axis).
    ``series``: (key, label, values), a value for each label."""
    left, right, top, bottom = 44, 12, 12, 28
    peak = nice_ceiling(max((max(values, default=0) for _k, _l, values in series), default=0))
    steps = max(len(labels) - 1, 1)
    x_of = lambda index: left + index * (WIDTH - left - right) / steps  # noqa: E731
    y_of = lambda value: top + (height - top - bottom) * (1 - value / peak)  # noqa: E731
    lines = []
    for key, label, values in series:
        line = Line(key=key, label=label, colour=COLOURS.get(key, AXIS))
        for index, value in enumerate(values):
            title = f"{labels[index]}: {value} {label.lower()}"
            line.points.append((number(x_of(index)), number(y_of(value)), value, title))
        lines.append(line)
    ticks = [(y_of(value), value) for value in (0, peak / 2, peak) if value == int(value)]
    axis_labels = axis_labels or labels
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "right": WIDTH - right,
        "tick_x": left - 6,
        "baseline": number(y_of(0)),
        "lines": lines,
        "y_ticks": [(number(y), int(value)) for y, value in ticks],
        "x_labels": [(number(x_of(index)), label) for index, label in enumerate(axis_labels)],
        "label_y": height - 8,
        "axis": AXIS,
    }


@dataclass
class BarRow:
    label: str
    y: float
    parts: list  # (x, width, colour, title)
    note: str
    url: str = ""


def bar_chart(*, rows, scale, row_height=24, gap=10):
    """Horizontal bars, one row each. ``rows``: (label, [(key, value, title)], scale of this
    row or None, note, url). Each row's parts are stacked from the left, measured against
    the row's own scale (a session's capacity) or the chart's ``scale``; a grey track shows
    the whole of that scale."""
    label_width, note_width = 230, 90
    bar_left, bar_width = label_width, WIDTH - label_width - note_width
    laid_out = []
    for index, (label, parts, row_scale, note, url) in enumerate(rows):
        whole = max(row_scale or scale, 1)
        y = index * (row_height + gap)
        x = bar_left
        drawn = []
        for key, value, title in parts:
            width = bar_width * min(value, whole) / whole
            if width:
                drawn.append((number(x), number(width), COLOURS.get(key, AXIS), title))
            x += width
        laid_out.append(BarRow(label=short(label), y=number(y), parts=drawn, note=note, url=url))
    return {
        "width": WIDTH,
        "height": max(len(rows) * (row_height + gap) - gap, row_height),
        "row_height": row_height,
        "text_dy": number(row_height * 0.68),
        "bar_left": bar_left,
        "bar_width": bar_width,
        "note_x": WIDTH - note_width + 8,
        "rows": laid_out,
        "track": TRACK,
        "axis": AXIS,
    }
