"""One home for how numbers are written: in prose (significant figures, a unit after a
number, an estimate and its interval with the same decimals) and in the report's tables
(:func:`format_value`, by statistic). CSV files under ``tables/`` hold raw numbers and are
never formatted."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["fmt_number", "fmt_numbers", "with_unit_text", "format_value", "fmt_fixed",
           "fmt_score"]


def with_unit_text(number: str, unit: str | None) -> str:
    """A formatted number and its unit, the unit in the singular after exactly one
    ("1 visit", "1 bed day", "2 visits"); a unit not ending in a plural "s" is kept.

    >>> with_unit_text("1", "visits"), with_unit_text("1.5", "visits"), with_unit_text("1", "kg")
    ('1 visit', '1.5 visits', '1 kg')
    """
    if not unit:
        return number
    if number == "1" and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]
    return f"{number} {unit}"


def fmt_number(v, significant_figures: int = 3) -> str:
    """A number for prose: whole numbers with thousands separators once they have at least
    ``significant_figures`` digits, otherwise rounded to that many significant figures
    (trailing zeros dropped), so that 0.213 reads "0.213", never "0".

    >>> fmt_number(0.2134), fmt_number(2.5), fmt_number(45.27), fmt_number(12345.6)
    ('0.213', '2.5', '45.3', '12,346')
    >>> fmt_number(0.2134, 2), fmt_number(0.0)
    ('0.21', '0')
    """
    if v is None or not np.isfinite(v):
        return "n/a"
    v = float(v)
    if v == 0:
        return "0"
    digits = math.floor(math.log10(abs(v))) + 1  # digits before the decimal point
    if digits >= significant_figures:
        return f"{v:,.0f}"
    text = f"{v:,.{significant_figures - digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_numbers(values, significant_figures: int = 3) -> list:
    """Numbers read together (an estimate and its interval) with the same decimals: those
    ``significant_figures`` gives the largest, trailing zeros dropped only where every one
    has them, so "3.00 (2.92 to 3.09)" never reads "3 (2.92 to 3.09)".

    >>> fmt_numbers([3.0, 2.9213, 3.0911]), fmt_numbers([2.5, 2.0, 3.0])
    (['3.00', '2.92', '3.09'], ['2.5', '2.0', '3.0'])
    """
    finite = [abs(float(v)) for v in values if v is not None and np.isfinite(v)]
    top = max(finite) if finite else 0.0
    digits = math.floor(math.log10(top)) + 1 if top > 0 else 1
    dec = max(0, significant_figures - digits)
    out = [f"{float(v):,.{dec}f}" if v is not None and np.isfinite(v) else "n/a"
           for v in values]
    while dec > 0 and all(o.endswith("0") for o in out if o != "n/a"):
        out = [o if o == "n/a" else o[:-1] for o in out]
        dec -= 1
    if dec == 0:
        out = [o.rstrip(".") for o in out]
    return out


def format_value(value, statistic: str) -> str:
    """A table cell: counts with thousands separators, shares as percentages with one
    decimal, test statistics with two decimals, p-values with two significant figures,
    other numbers with two decimals (whole above 1,000); ``""`` for NaN."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if statistic in ("n", "count"):
        return f"{int(round(value)):,}"
    if statistic.startswith("share"):
        return f"{100 * value:.1f}%"
    if statistic in ("v_test", "smd", "ratio"):
        return f"{value:.2f}"
    if statistic in ("p_value", "p_adjusted", "eta2_p_value"):
        return f"{value:.2g}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def fmt_fixed(v, decimals: int = 2, unit: str = "") -> str:
    """A number with fixed decimals and thousands separators (an effect and its interval,
    a cost difference), then ``unit``; ``""`` when not finite.

    >>> fmt_fixed(-4.1832), fmt_fixed(1395.549), fmt_fixed(float("nan"))
    ('-4.18', '1,395.55', '')
    """
    return "" if not np.isfinite(v) else f"{v:,.{decimals}f}{unit}"


def fmt_score(v) -> str:
    """A criterion's value: ``409,074`` for large values, ``0.512`` for small.

    >>> fmt_score(409074.4), fmt_score(0.51234)
    ('409,074', '0.5123')
    """
    v = float(v)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
