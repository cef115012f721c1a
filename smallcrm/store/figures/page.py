"""The figures as one self-contained page to mail or print (``smallcrm report ... --html``):
headlines, an SVG chart and the table of each figure, no script, nothing fetched. The page is
well-formed XML as well as HTML, so a test (or any XML tool) can read it back."""

from __future__ import annotations

from html import escape

from smallcrm.store import clock
from smallcrm.store.figures import present
from smallcrm.store.figures.model import Figure, Filters

WIDTH = 640
ROW = 22
LABEL = 150
STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 46em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
p.filters, p.note { color: #555; }
ul.headlines { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1.5em; }
ul.headlines li b { display: block; font-size: 1.3em; }
table { border-collapse: collapse; margin-top: .5em; }
th, td { padding: .15em .7em; text-align: right; border-bottom: 1px solid #ddd; }
th:first-child, td:first-child { text-align: left; }
svg text { font-size: 12px; font-family: sans-serif; }
@media print { section { break-inside: avoid; } }
"""


def page(found: list[Figure], filters: Filters) -> str:
    """The whole page."""
    sections = "\n".join(_section(figure) for figure in found)
    made = clock.now().strftime("%Y-%m-%d %H:%M")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>smallcrm report {escape(made)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f'<body>\n<h1>smallcrm report</h1>\n<p class="filters">{escape(_filters(filters))}'
        f" · made {escape(made)}</p>\n{sections}\n</body>\n</html>\n"
    )


def _filters(filters: Filters) -> str:
    parts = [f"owner {filters.owner}" if filters.owner else "everyone's records"]
    if filters.since:
        parts.append(f"since {filters.since.isoformat()}")
    if filters.stages:
        parts.append("stages " + ", ".join(filters.stages))
    return "; ".join(parts)


def _section(figure: Figure) -> str:
    period = ""
    if figure.period:
        period = f" <small>{figure.period[0].isoformat()} to {figure.period[1].isoformat()}</small>"
    heads = "".join(
        f"<li>{escape(label)}<b>{escape(value)}</b></li>"
        for label, value in present.headline_texts(figure)
    )
    notes = [figure.note] if figure.note else []
    if "weighted" in [c.name for c in figure.columns]:
        notes.append("Bars: the total, its weighted part darker.")
    note = "".join(f'<p class="note">{escape(text)}</p>' for text in notes)
    return (
        f'<section id="figure-{escape(figure.key)}">\n<h2>{escape(figure.title)}{period}</h2>\n'
        + (f'<ul class="headlines">{heads}</ul>\n' if heads else "")
        + note
        + chart(figure)
        + "\n"
        + _table(figure)
        + "\n</section>"
    )


def _table(figure: Figure) -> str:
    head = "".join(f"<th>{escape(c.name.replace('_', ' '))}</th>" for c in figure.columns)
    rows = "".join(
        f"<tr><td>{escape(line.label)}</td>"
        + "".join(f"<td>{escape(cell)}</td>" for cell in present.line_cells(figure, line))
        + "</tr>"
        for line in figure.lines
    )
    return f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _measure(figure: Figure) -> int:
    """The column a chart shows: the money total where there is one, else the first."""
    names = [c.name for c in figure.columns]
    return names.index("total") if "total" in names else 0


def chart(figure: Figure) -> str:
    """The figure's SVG chart: bars per line, or columns over time for a sparkline figure."""
    if not figure.lines:
        return '<p class="note">Nothing to show.</p>'
    if figure.chart == "spark":
        return _columns(figure)
    return _bars(figure)


def _bars(figure: Figure) -> str:
    index = _measure(figure)
    overlay = figure.column("weighted") if "weighted" in [c.name for c in figure.columns] else None
    top = max((float(line.values[index] or 0) for line in figure.lines), default=0) or 1
    span = WIDTH - LABEL - 90
    height = ROW * len(figure.lines) + 4
    parts = []
    for row, line in enumerate(figure.lines):
        y = row * ROW + 2
        value = float(line.values[index] or 0)
        width = span * value / top
        text = present.short_text(line.values[index], figure.columns[index].unit)
        parts.append(
            f'<text x="0" y="{y + 15}">{escape(line.label)}</text>'
            f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" '
            'fill="#9ab8d8"><title>' + escape(text) + "</title></rect>"
        )
        if overlay is not None:
            inner = span * float(line.values[overlay] or 0) / top
            parts.append(
                f'<rect x="{LABEL}" y="{y + 7}" width="{inner:.1f}" height="{ROW - 14}" '
                'fill="#2f5d8a" />'
            )
        parts.append(f'<text x="{LABEL + width + 6:.1f}" y="{y + 15}">{escape(text)}</text>')
    legend = " (dark: weighted)" if overlay is not None else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(figure.title)}{legend}">'
        + "".join(parts)
        + "</svg>"
    )


def _columns(figure: Figure) -> str:
    index = figure.column("win_rate") if figure.key == "winrate" else 0
    values = [float(line.values[index] or 0) for line in figure.lines]
    top = max(values, default=0) or 1
    height, base = 140, 120
    step = (WIDTH - 20) / len(values)
    parts = []
    for n, (line, value) in enumerate(zip(figure.lines, values, strict=True)):
        tall = (base - 22) * value / top  # room above for the caption
        x = 10 + n * step
        text = present.value_text(line.values[index], figure.columns[index].unit)
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{base - tall:.1f}" width="{step - 4:.1f}" '
            f'height="{tall:.1f}" fill="#2f5d8a"><title>{escape(line.label)}: '
            f"{escape(text)}</title></rect>"
        )
    first, last = escape(figure.lines[0].label), escape(figure.lines[-1].label)
    what = escape(figure.columns[index].name.replace("_", " "))
    parts.append(f'<text x="{WIDTH - 10}" y="12" text-anchor="end">{what}</text>')
    parts.append(f'<text x="10" y="{height - 4}">{first}</text>')
    parts.append(f'<text x="{WIDTH - 10}" y="{height - 4}" text-anchor="end">{last}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(figure.title)}">'
        + "".join(parts)
        + "</svg>"
    )
