"""Disclosure control for outputs that leave the care team (commissioners'
reports and their CSVs): counts of 1 to 4 are shown as "*", and so is the next
smallest count of the same table when only one would be hidden and the table
shows its total (secondary suppression), so no total or difference reveals a
hidden count. A rate worked out from a hidden count is hidden too.
"""

HIDDEN = "*"
SMALL = range(1, 5)


def is_small(count):
    return isinstance(count, int) and count in SMALL


def counts(rows, *, total_shown=True):
    """[(label, count)] with small counts hidden. With `total_shown`, the table
    (or its total elsewhere on the page) adds up: when exactly one count is
    hidden, the smallest other non-zero count is hidden with it."""
    shown = [(label, HIDDEN if is_small(count) else count) for label, count in rows]
    hidden = [i for i, (_, count) in enumerate(rows) if is_small(count)]
    if total_shown and len(hidden) == 1:
        others = [
            (count, i)
            for i, (_, count) in enumerate(rows)
            if i not in hidden and isinstance(count, int) and count > 0
        ]
        if others:
            _, i = min(others)
            shown[i] = (shown[i][0], HIDDEN)
    return shown


def share(part, whole):
    """A percentage, hidden when either count is small (or none to divide by)."""
    if is_small(part) or is_small(whole):
        return HIDDEN
    if not whole:
        return None
    return round(100 * part / whole, 1)


def count(value):
    """A single count on its own: hidden when small."""
    return HIDDEN if is_small(value) else value
