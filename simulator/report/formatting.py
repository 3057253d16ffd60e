"""Numbers as the reader expects them: Swedish by default, English with ``lang="en"``.

Swedish (Språkrådet, CLDR ``sv``): decimal comma, a non-breaking space between groups of three digits
("1 234 567,9"), a non-breaking space before "%" ("4,6 %"), "procent" in running text, MSEK as "mnkr",
and the typographic minus sign "−" (U+2212) rather than a hyphen. English: "1,234,567.9", "4.6%", "MSEK".

Also the plain-text tables that ``run``, ``sweep`` and ``compare`` print (issue 10, point 4): goal
descriptions instead of keys, percentages with one decimal, and "uppfyllt / ej uppfyllt" for a
deterministic run instead of a probability of 1 with an interval.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any, Iterable, Sequence

from simulator.i18n import has, t
from simulator.report.data import Goal, value_kind  # the data layer imports nothing from here

NBSP = "\u00a0"  # CLDR's group separator for sv; it also keeps "4,6 %" on one line
MINUS = "\u2212"
EN_DASH = "\u2013"
DASH = "\u2014"  # a missing value


def _finite(x) -> bool:
    # numbers.Real admits numpy scalars too (a pandas row gives np.int64, not int)
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def number(x: float | None, decimals: int = 1, lang: str = "sv", sign: bool = False) -> str:
    """``1234567.891`` -> ``"1 234 567,9"`` (sv) or ``"1,234,567.9"`` (en); None or NaN -> "—"."""
    if not _finite(x):
        return DASH
    text = f"{abs(x):,.{decimals}f}"  # "1,234,567.9"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    rounded_zero = round(abs(x), decimals) == 0  # no "−0,0"
    if x < 0 and not rounded_zero:
        text = MINUS + text
    elif sign and not rounded_zero:
        text = "+" + text
    return text


def percent(x: float | None, decimals: int = 1, lang: str = "sv", sign: bool = False,
            word: bool = False) -> str:
    """A fraction as a percentage: ``0.0456`` -> ``"4,6 %"`` (``word``: ``"4,6 procent"``), en ``"4.6%"``."""
    if not _finite(x):
        return DASH
    value = number(100 * x, decimals, lang, sign)
    if word:
        return f"{value}{NBSP}{t('unit.percent_word', lang)}"
    return f"{value}{NBSP}%" if lang == "sv" else f"{value}%"


def points(x: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A difference of two fractions in percentage points: ``0.012`` -> ``"+1,2 procentenheter"``."""
    if not _finite(x):
        return DASH
    return f"{number(100 * x, decimals, lang, sign=True)}{NBSP}{t('unit.points', lang)}"


def msek(x: float | None, decimals: int = 0, lang: str = "sv", sign: bool = False) -> str:
    """Millions of kronor: ``-493.7`` -> ``"−494 mnkr"`` (sv), ``"−494 MSEK"`` (en)."""
    if not _finite(x):
        return DASH
    return f"{number(x, decimals, lang, sign)}{NBSP}{t('unit.msek', lang)}"


def kronor(x: float | None, decimals: int = 2, lang: str = "sv", sign: bool = False) -> str:
    """Kronor (e.g. a tax rate, "11,70 kr")."""
    if not _finite(x):
        return DASH
    return f"{number(x, decimals, lang, sign)}{NBSP}kr"


def interval(lo: float | None, hi: float | None, lang: str = "sv") -> str:
    """A probability interval: ``"3,6–5,4 %"`` (sv) or ``"3.6–5.4%"`` (en)."""
    if not (_finite(lo) and _finite(hi)):
        return DASH
    unit = f"{NBSP}%" if lang == "sv" else "%"
    return f"{number(100 * lo, 1, lang)}{EN_DASH}{number(100 * hi, 1, lang)}{unit}"


def year_span(years: Sequence[int]) -> str:
    """``[2027, 2028, 2029, 2030]`` -> ``"2027–2030"``; a single year as itself; a gap as a list."""
    years = list(years)
    if not years:
        return ""
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}{EN_DASH}{years[-1]}"
    return ", ".join(str(y) for y in years)


def value(x, kind: str, lang: str = "sv") -> str:
    """Format a value by its kind (``data.value_kind``): fraction, msek, kr, count, index, number."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return t("word.yes" if x else "word.no", lang)
    if kind == "fraction":
        return percent(x, 1, lang)
    if kind == "msek":
        return msek(x, 1, lang)
    if kind == "kr":
        return kronor(x, 2, lang)
    if kind == "index":
        return number(x, 3, lang)
    if kind in ("count", "flag"):
        return number(x, 0 if float(x).is_integer() else 1, lang)
    return number(x, 2 if abs(x) < 100 else 0, lang)


def setting_text(dotted: str, x: Any, lang: str = "sv") -> str:
    """A scenario or rule setting formatted by its name's unit suffix (_frac, _pa, _msek, _kr ...)."""
    leaf = dotted.rsplit(".", 1)[-1]
    parts = set(re.split(r"[._]", dotted))
    if x is None:
        return DASH
    if isinstance(x, bool):
        return t("word.yes" if x else "word.no", lang)
    if isinstance(x, dict):
        return "; ".join(f"{k}: {setting_text(dotted, v, lang)}" for k, v in x.items()) or DASH
    if isinstance(x, (list, tuple)):
        return ", ".join(setting_text(dotted, v, lang) for v in x) or DASH
    if isinstance(x, str):  # a choice the schema names (share_of_surplus, savings): its words
        return t(f"enum.{x}", lang) if has(f"enum.{x}") else x
    if isinstance(x, numbers.Real):
        if "pct" in parts:  # given in percent, e.g. savings_programme.pct_by_year.2026
            return percent(x / 100, 1, lang)
        if leaf.endswith(("_frac", "_pa")):
            return percent(x, 2 if abs(x) < 0.1 else 1, lang)
        if leaf.endswith("year") and float(x).is_integer():  # from_year, to_year: a calendar year
            return str(int(x))
        if leaf.endswith(("_months", "_years")):
            return number(x, 0 if float(x).is_integer() else 2, lang)
        if leaf == "kr":  # tax_rise.kr: kronor per 100 kr of tax base
            return kronor(x, 2, lang)
        return value(x, value_kind(leaf, ""), lang)
    return str(x)


def lever_label(lever: str, lang: str = "sv", labels: dict[str, str] | None = None) -> str:
    """A lever's name: the report's own (simulator.i18n), else the label the sweep file gave it (free
    text, shown as written), else the dotted path itself."""
    key = f"param.{lever}"
    if has(key) or not (labels and labels.get(lever)):
        return setting_label(lever, lang)
    return labels[lever]


def lever_phrase(lever: str, x: Any, lang: str = "sv", labels: dict[str, str] | None = None) -> str:
    """A lever at a value in a few words ("sparprogram 3,0 % per år", "skatt +0,50 kr"), for a variant's
    name; the lever's name and value where the report has no short phrase for it."""
    text = lever_text(lever, x, lang)
    if has(f"lever.{lever}"):
        return t(f"lever.{lever}", lang, value=text)
    return f"{lever_label(lever, lang, labels)} {text}"


def setting_label(dotted: str, lang: str = "sv") -> str:
    """A setting's name in the report's language; the dotted path itself when there is none."""
    key = f"param.{dotted}"
    if has(key):
        return t(key, lang)
    parent, _, last = dotted.rpartition(".")
    if parent and last.isdigit() and has(f"param.{parent}"):  # a year of a per-year setting
        return f"{t(f'param.{parent}', lang)}: {last}"
    return dotted


def lever_text(lever: str, x: Any, lang: str = "sv") -> str:
    return setting_text(lever, x, lang) if isinstance(x, numbers.Real) else str(x)


def outcome(goal: Goal, lang: str = "sv") -> str:
    """The answer to one goal: ``"4,5 % (3,6–5,4 %)"``, or for a deterministic run "uppfyllt"."""
    if goal.met is not None:
        return t("word.met" if goal.met else "word.not_met", lang)
    return f"{percent(goal.probability, 1, lang)} ({interval(goal.ci_low, goal.ci_high, lang)})"


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = [list(r) for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    def line(cells):
        first, *rest = cells
        return "  ".join([f"{first:<{widths[0]}}", *(f"{c:>{w}}" for c, w in zip(rest, widths[1:]))])
    return "\n".join([line(header), *(line(r) for r in rows)])


def goal_table(goals: Sequence[Goal], lang: str = "sv") -> str:
    """The goals as a person reads them: description, probability with one decimal, 95 % interval."""
    if not goals:
        return t("text.no_goals", lang)
    if all(g.met is not None for g in goals):
        return text_table([t("col.goal", lang), t("col.outcome", lang)],
                      [(g.label(lang), outcome(g, lang)) for g in goals])
    return text_table(
        [t("col.goal", lang), t("col.probability", lang), t("col.interval95", lang)],
        [(g.label(lang), percent(g.probability, 1, lang), interval(g.ci_low, g.ci_high, lang))
         for g in goals])
