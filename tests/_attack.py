"""An attacker for suppressed tables (test utility, not part of the package).

It knows only what a table shows and how its cells add up: ``lines`` (parts adding up to
a total) and ``shares`` (a count is a share of a denominator). It rebuilds a withheld cell
whenever a line has exactly one unknown cell (one subtraction), a share has a known
denominator (share x size) or a known count (count / share gives the denominator), and
repeats until nothing more follows, so chains of subtractions are tried too. It also
reports every line whose unknown parts, together, hold 1 .. ``m - 1`` clients (the total
minus the shown parts). Written independently of the package's suppression code, so a
test using it checks the package rather than repeats it.
"""

from __future__ import annotations

import math


def attack(shown, lines, shares=(), m=11):
    """Rebuild what can be rebuilt from ``shown``.

    Parameters
    ----------
    shown : dict key -> number or None
        What the table shows (None: withheld or never shown). Keys of ``lines`` or
        ``shares`` absent from ``shown`` are unknown.
    lines : list of (parts, total)
        ``sum(parts) == total``; ``total`` may be a number (a constant) or a key.
    shares : list of (count_key, denominator_key, share)
    m : int

    Returns
    -------
    rebuilt : dict key -> value
        Every withheld cell the attacker works out.
    small_sums : list of (parts, value)
        Lines whose unknown parts add up to a known 1 .. m - 1.
    """
    known = {k: v for k, v in shown.items() if v is not None}
    rebuilt = {}

    def val(k):
        return k if isinstance(k, int | float) else known.get(k)

    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            cells = [*parts, total]
            unknown = [c for c in cells if val(c) is None]
            if len(unknown) != 1:
                continue
            u = unknown[0]
            if u == total:
                x = sum(val(p) for p in parts)
            else:
                x = val(total) - sum(val(p) for p in parts if p != u)
            known[u] = rebuilt[u] = round(x, 6)
            changed = True
        for count, denom, share in shares:
            if share is None or (isinstance(share, float) and math.isnan(share)):
                continue
            if val(count) is None and val(denom) is not None:
                known[count] = rebuilt[count] = round(share * val(denom))
                changed = True
            elif val(denom) is None and val(count) is not None and share > 0:
                known[denom] = rebuilt[denom] = round(val(count) / share)
                changed = True
    small_sums = []
    for parts, total in lines:
        if val(total) is None:
            continue
        unknown = [p for p in parts if val(p) is None]
        if unknown:
            rest = val(total) - sum(val(p) for p in parts if val(p) is not None)
            if 1 <= rest < m:
                small_sums.append((unknown, rest))
    return rebuilt, small_sums


def leaks(shown, lines, shares=(), m=11):
    """The small counts (1 .. m - 1) the attacker rebuilds or pins as a small sum."""
    rebuilt, small_sums = attack(shown, lines, shares, m)
    found = [(k, v) for k, v in rebuilt.items() if 1 <= v < m]
    return found + [(tuple(p), v) for p, v in small_sums]


def table1_attack(table1, m=11):
    """The leaks of a profile's Table 1 (``ClusterProfile.table1``: NaN where withheld).

    Cells: level counts, missing counts and group sizes, per cluster and overall; the
    non-missing count of a column is unknown unless rebuilt. Lines: a row's clusters add up
    to its overall cell; a column's level counts add up to its non-missing count, which
    with the missing count adds up to the group size; the sizes add up to the population.
    Shares: a level's share is its count over the non-missing count; the missing share and
    the size share are over the group size and the population.
    """
    groups = [c for c in table1.columns if c != "overall"]
    shown, lines, shares = {}, [], []

    def cell(v):
        return None if v != v else float(v)

    for c in table1.columns:
        shown[("size", c)] = cell(table1.loc[("clients", "", "n"), c])
    lines.append(([("size", g) for g in groups], ("size", "overall")))
    pop = shown[("size", "overall")]
    for g in groups:
        shares.append((("size", g), ("size", "overall"), cell(table1.loc[("clients", "", "share"), g])))
    for var in table1.index.get_level_values("variable").unique():
        if var == "clients":
            continue
        block = table1.loc[var]
        levels = [lv for lv in block.index.get_level_values("level").unique()
                  if lv not in ("", "(missing)")]
        has_missing = ("(missing)", "n") in block.index
        for c in table1.columns:
            miss = ("miss", var, c)
            shown[miss] = cell(block.loc[("(missing)", "n"), c]) if has_missing else 0.0
            valid = ("valid", var, c)
            lines.append(([valid, miss], ("size", c)))
            if has_missing:
                shares.append((miss, ("size", c), cell(block.loc[("(missing)", "share"), c])))
            if levels:
                lines.append(([("lev", var, lv, c) for lv in levels], valid))
            for lv in levels:
                shown[("lev", var, lv, c)] = cell(block.loc[(lv, "n"), c])
                shares.append((("lev", var, lv, c), valid, cell(block.loc[(lv, "share"), c])))
        rows = [("miss", var), ("valid", var)] + [("lev", var, lv) for lv in levels]
        for r in rows:
            lines.append(([(*r, g) for g in groups], (*r, "overall")))
    del pop
    return leaks(shown, lines, shares, m)
