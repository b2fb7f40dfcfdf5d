"""Charts as server-rendered SVG: no JavaScript, fine under a strict CSP and in
PDFs. Each chart is an image with a text alternative; pages put a table of the
same numbers beside it, which is what screen readers read."""

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, PAD = 320, 160, 28


def _n(number):
    return f"{float(number):.1f}"


def line_chart(points, *, low, high, label):
    """A line through (x label, value) points, on an axis from `low` to `high`."""
    if not points:
        return ""
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / max(len(points) - 1, 1)

    def y(value):
        return PAD + inner_h - (float(value) - low) / (high - low) * inner_h

    placed = [
        (PAD + index * step, y(value), when, value) for index, (when, value) in enumerate(points)
    ]
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
        ((_n(x), _n(y_), _n(x), _n(y_ - 8), value) for x, y_, _, value in placed),
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
        ((_n(x), HEIGHT - 8, f"{when:%-d %b}") for x, _, when, _ in placed),
    )
    return format_html(
        '<svg class="spl-chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#4c6272"/>'
        '<text x="4" y="{}" font-size="11">{}</text>'
        '<text x="4" y="{}" font-size="11">{}</text>'
        '<polyline points="{}" fill="none" stroke="#005eb8" stroke-width="3"/>'
        '<g fill="#005eb8">{}</g><g fill="#212b32">{}</g></svg>',
        WIDTH, HEIGHT, WIDTH, HEIGHT, label,
        PAD, PAD + inner_h, WIDTH - PAD, PAD + inner_h,
        _n(y(high) + 4), high, _n(y(low)), low,
        " ".join(f"{_n(x)},{_n(y_)}" for x, y_, _, _ in placed), dots, ticks,
    )  # fmt: skip


def _short(name, most=30):
    return name if len(name) <= most else name[: most - 1] + "…"


def bar_chart(rows, *, label):
    """Horizontal bars for (label, value) rows, longest scaled to the width."""
    rows = [(name, value) for name, value in rows if value is not None]
    if not rows:
        return ""
    most = max(float(value) for _, value in rows) or 1
    bar_h, gap, left, right = 18, 8, 190, 40
    height = len(rows) * (bar_h + gap) + gap
    width = WIDTH + 160
    inner = width - left - right
    bars = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="11">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#005eb8"/>'
        '<text x="{}" y="{}" font-size="11">{}</text>',
        (
            (
                left - 6, gap + n * (bar_h + gap) + 13, _short(name),
                left, gap + n * (bar_h + gap), _n(inner * float(value) / most), bar_h,
                _n(left + inner * float(value) / most + 4), gap + n * (bar_h + gap) + 13, value,
            )
            for n, (name, value) in enumerate(rows)
        ),
    )  # fmt: skip
    return format_html(
        '<svg class="spl-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><g fill="#212b32">{}</g></svg>',
        width,
        height,
        label,
        bars,
    )
