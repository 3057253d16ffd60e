"""Charts: matplotlib figures embedded in the report as SVG ``data:`` URIs.

Every function returns a :class:`Chart` holding the image and the numbers it drew (with its axis labels
and tick texts), so tests check the data rather than pixels. Figures are built with
``matplotlib.figure.Figure`` (no pyplot, no global backend state). SVG keeps the PDF sharp, and its text
is drawn as paths, so the charts need no font on the reader's machine. Colours: the Okabe–Ito palette,
safe for the common forms of colour blindness; fans are one hue in two strengths, the zero-shock path a
dashed contrasting line.

Axes: every axis says what it measures; the ticks of one axis share their decimals and fall on round
numbers (1, 2, 2.5 or 5 times a power of ten, in the unit shown: per cent for a fraction); a year axis
starts at the first year drawn. A range of one value (a sweep with one level of a lever) is widened
around it, never drawn as an empty interval.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from simulator.report import formatting as fmt

# Okabe & Ito (2008), "Color Universal Design"
BLUE, ORANGE, SKY, GREEN, YELLOW, VERMILLION, PURPLE, BLACK = (
    "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#D55E00", "#CC79A7", "#000000")
SERIES = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
GREY = "#555555"
WIDTH_IN = 7.2  # fits the A4 text width at 14 mm margins
HALF_IN = 3.55  # two charts side by side
NICE_STEPS = [1, 2, 2.5, 5, 10]
RC = {
    "svg.fonttype": "path", "svg.hashsalt": "simulator-report", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10,
    "axes.titleweight": "bold", "axes.titlelocation": "left", "legend.frameon": False,
    "legend.fontsize": 8,
}


@dataclass(frozen=True)
class Chart:
    uri: str  # data:image/svg+xml;base64,...
    data: dict[str, Any]  # what was drawn, by name; "axes": the axis labels and tick texts
    alt: str  # a sentence for screen readers and a missing image
    key: str = ""  # which chart of the report (set by the HTML layer; tests find charts by it)
    half: bool = False  # drawn for half the page's width (two side by side)


def _figure(height: float = 3.2, width: float = WIDTH_IN) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _encode(fig: Figure) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _axes_texts(fig: Figure) -> list[dict[str, Any]]:
    """Each axes' title, labels and tick texts as drawn (after the figure was saved)."""
    out = []
    for ax in fig.axes:
        out.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
                    "xticks": [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()],
                    "yticks": [t.get_text() for t in ax.get_yticklabels() if t.get_visible() and t.get_text()],
                    "xlim": ax.get_xlim(), "ylim": ax.get_ylim()})
    return out


def _chart(fig: Figure, data: dict[str, Any], alt: str, half: bool = False) -> Chart:
    uri = _encode(fig)
    data["axes"] = _axes_texts(fig)
    data["suptitle"] = fig.get_suptitle()
    return Chart(uri=uri, data=data, alt=alt, half=half)


def _step_decimals(step: float, scale: float = 1.0) -> int:
    """Decimals that show every tick of a spacing ``step`` (in the unit shown, after ``scale``)."""
    step = abs(step * scale)
    if step <= 0 or not math.isfinite(step):
        return 0
    decimals = 0
    while decimals < 4 and abs(round(step, decimals) - step) > 1e-9 * max(1.0, step):
        decimals += 1
    return decimals


class TickFormatter(Formatter):
    """Ticks in the report's language, one number of decimals for the whole axis (the spacing's):
    fractions as per cent, points with a sign, money without its unit (the axis label has it)."""

    def __init__(self, kind: str, lang: str):
        self.kind, self.lang = kind, lang
        self.decimals: int | None = None

    def _scale(self) -> float:
        return 100.0 if self.kind in ("fraction", "points") else 1.0

    def format_ticks(self, values):
        values = [float(v) for v in values]
        steps = np.diff(sorted(values))
        self.decimals = _step_decimals(float(np.min(steps)), self._scale()) if len(values) > 1 else None
        return [self(v) for v in values]

    def __call__(self, x, pos=None):
        x = float(x)
        scaled = x * self._scale()
        decimals = self.decimals if self.decimals is not None else _step_decimals(scaled) if scaled % 1 else 0
        if self.kind == "fraction":
            return fmt.percent(x, decimals, self.lang)
        if self.kind == "points":
            return fmt.number(scaled, decimals, self.lang, sign=True)
        return fmt.number(x, decimals, self.lang)


def tick_formatter(kind: str, lang: str) -> TickFormatter:
    return TickFormatter(kind, lang)


def _value_axis(axis, kind: str, lang: str) -> None:
    """Round ticks (in per cent for a fraction) with one number of decimals."""
    axis.set_major_locator(MaxNLocator(nbins=6, steps=NICE_STEPS))
    axis.set_major_formatter(TickFormatter(kind, lang))


def year_ticks(years: Sequence[int]) -> list[int]:
    """Year ticks from the first year drawn: every year for a few, else a step that ends on the last
    year when one does (16 years: 2025, 2030, 2035, 2040), at most nine ticks."""
    years = [int(y) for y in years]
    if not years:
        return []
    first, last = years[0], years[-1]
    span = last - first
    for step in (1, 5, 3, 2, 4, 10):
        if span // step + 1 <= 9 and span % step == 0:
            return list(range(first, last + 1, step))
    step = max(1, math.ceil(span / 8))
    return list(range(first, last + 1, step))


def _x_axis(ax, x: np.ndarray, label: str) -> None:
    """An x axis that says what it is; years from the first year drawn (months: a tick each January of
    those years, the axis from the first month to the last)."""
    ax.set_xlabel(label)
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.integer):
        ticks = year_ticks(list(x))
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlim(x[0] - 0.5, x[-1] + 0.5)
    elif np.issubdtype(x.dtype, np.datetime64) and x.size:
        years = sorted({int(str(m)[:4]) for m in x.astype("datetime64[M]")})
        ticks = [np.datetime64(f"{y}-01", "M") for y in year_ticks(years) if np.datetime64(f"{y}-01", "M") >= x[0]]
        ax.set_xticks([t.astype("datetime64[D]").astype(object) for t in ticks], [str(t)[:4] for t in ticks])
        ax.set_xlim(x[0].astype("datetime64[D]").astype(object), x[-1].astype("datetime64[D]").astype(object))


def _widen(values: np.ndarray, pad: float) -> tuple[float, float] | None:
    """Limits around values that are all equal (or one), so no axis is an empty interval: from zero up
    when they are all zero (an instrument never used), else a margin either side."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return (0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo > 1e-12:
        return None
    if abs(lo) < 1e-12:
        return (0.0, 10 * pad)
    width = max(abs(lo) * 0.1, pad)
    return (lo - width, hi + width)


def _axes(fig: Figure, title: str, ylabel: str, kind: str, lang: str, half: bool = False):
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
    ax.set_title(_wrap(title, 40 if half else 75), loc="left", fontsize=9 if half else 10)
    ax.set_ylabel(ylabel)
    _value_axis(ax.yaxis, kind, lang)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    return ax


def fan_chart(x: np.ndarray, bands: dict[str, np.ndarray], *, title: str, ylabel: str, kind: str,
              lang: str, labels: dict[str, str], overlay: np.ndarray | None = None,
              reference: float | None = None, reference_label: str | None = None, xlabel: str = "",
              half: bool = False) -> Chart:
    """A fan: 5–95 and 25–75 percentile bands and the median per step, with the zero-shock path
    (``overlay``) and a goal's threshold or a limit (``reference``, dotted, named ``reference_label`` in the
    legend) drawn in when given. ``half``: drawn for half the page (two side by side).

    ``bands`` holds p5, p25, p50, p75, p95; ``labels`` the legend texts band_90, band_50, median, overlay.
    """
    x = np.asarray(x)
    p = {k: np.asarray(bands[k], dtype=float) for k in ("p5", "p25", "p50", "p75", "p95")}
    fig = _figure(2.9 if not half else 2.7, HALF_IN if half else WIDTH_IN)
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, kind, lang, half)
        ax.fill_between(x, p["p5"], p["p95"], color=BLUE, alpha=0.18, linewidth=0, label=labels["band_90"])
        ax.fill_between(x, p["p25"], p["p75"], color=BLUE, alpha=0.38, linewidth=0, label=labels["band_50"])
        ax.plot(x, p["p50"], color=BLUE, linewidth=2, label=labels["median"])
        data: dict[str, Any] = {"x": x, **p, "overlay": None, "reference": reference}
        if overlay is not None:
            overlay = np.asarray(overlay, dtype=float)
            ax.plot(x, overlay, color=VERMILLION, linewidth=1.6, linestyle="--", label=labels["overlay"])
            data["overlay"] = overlay
        if reference is not None:
            ax.axhline(reference, color=BLACK, linewidth=0.9, linestyle=":", label=reference_label)
        limits = _widen(np.concatenate([p["p5"], p["p95"]]), 0.01 if kind == "fraction" else 1.0)
        if limits is not None:
            ax.set_ylim(*limits)
        _x_axis(ax, x, xlabel)
        fig.legend(loc="outside lower left", ncols=2 if half else 4, fontsize=7 if half else 8)
    start, end = fmt.value(float(p["p50"][0]), kind, lang), fmt.value(float(p["p50"][-1]), kind, lang)
    alt = f"{title}: {labels['median'].lower()} {start} → {end}"
    return _chart(fig, data, alt, half)


def stacked_share_chart(x: np.ndarray, shares: np.ndarray, band_labels: Sequence[str], *, title: str,
                        ylabel: str, lang: str, xlabel: str = "") -> Chart:
    """Shares of paths stacked by band per step (e.g. de-risked by depth); ``shares`` is bands x steps."""
    shares = np.asarray(shares, dtype=float)
    colours = (SKY, BLUE, ORANGE, VERMILLION, PURPLE)[: shares.shape[0]]
    fig = _figure()
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, "fraction", lang)
        ax.stackplot(x, shares, labels=band_labels, colors=colours, linewidth=0, step="post")
        ax.set_ylim(0, max(0.05, min(1.0, float(shares.sum(axis=0).max()) * 1.1)))
        _x_axis(ax, np.asarray(x), xlabel)
        fig.legend(loc="outside lower left", ncols=2)
    total = shares.sum(axis=0)
    alt = f"{title}: {fmt.percent(float(total.mean()), 1, lang)}"
    return _chart(fig, {"x": np.asarray(x), "shares": shares, "bands": list(band_labels), "total": total}, alt)


def bar_chart(x: Sequence, values: Sequence[float], *, title: str, ylabel: str, kind: str,
              lang: str, xlabel: str = "", half: bool = False) -> Chart:
    """One bar per step (e.g. the share of paths breaching the protection level per year)."""
    values = np.asarray(values, dtype=float)
    fig = _figure(2.6, HALF_IN if half else WIDTH_IN)
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, kind, lang, half)
        positions = np.asarray([int(v) for v in x]) if all(isinstance(v, (int, np.integer)) for v in x) else None
        if positions is not None:
            ax.bar(positions, values, color=BLUE)
            _x_axis(ax, positions, xlabel)
        else:
            ax.bar([str(v) for v in x], values, color=BLUE)
            ax.set_xlabel(xlabel)
        if not np.any(values > 0):
            ax.set_ylim(0, 1 if kind == "fraction" else 1)
    alt = f"{title}: {fmt.value(float(np.nanmax(values)), kind, lang)} (max)" if values.size else title
    return _chart(fig, {"x": list(x), "values": values}, alt, half)


def lines_chart(x: np.ndarray, series: dict[str, np.ndarray], *, title: str, ylabel: str, kind: str,
                lang: str, styles: Sequence[str] = ("-", "--", ":", "-."), xlabel: str = "",
                half: bool = False) -> Chart:
    """A few named lines over the same steps (e.g. an instrument on the median and the bad paths)."""
    fig = _figure(2.8, HALF_IN if half else WIDTH_IN)
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, kind, lang, half)
        for k, (label, y) in enumerate(series.items()):
            ax.plot(x, y, color=SERIES[k % len(SERIES)], linestyle=styles[k % len(styles)], linewidth=1.8,
                    label=label, marker="o", markersize=3)
        limits = _widen(np.concatenate([np.asarray(v, dtype=float) for v in series.values()]),
                        0.01 if kind == "fraction" else 0.1)
        if limits is not None:
            ax.set_ylim(*limits)
        _x_axis(ax, np.asarray(x), xlabel)
        fig.legend(loc="outside lower left", ncols=1 if half else len(series), fontsize=7 if half else 8)
    data = {"x": np.asarray(x), "series": {k: np.asarray(v, dtype=float) for k, v in series.items()}}
    return _chart(fig, data, title, half)


def interval_chart(labels: Sequence[str], groups: dict[str, tuple[Sequence, Sequence, Sequence]], *,
                   title: str, xlabel: str, lang: str, kind: str = "fraction",
                   zero_line: bool = False) -> Chart:
    """Horizontal dots with interval whiskers, one row per label and one colour per group:
    ``groups[name] = (values, low, high)``. For goals side by side and for paired differences."""
    n, m = len(labels), max(1, len(groups))
    fig = _figure(1.2 + 0.55 * n * max(1, m) ** 0.5)
    step = 0.7 / m
    data: dict[str, Any] = {"labels": list(labels), "groups": {}}
    every = []
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        _suptitle(fig, title)
        ax.set_xlabel(xlabel)
        _value_axis(ax.xaxis, kind, lang)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        for k, (name, (values, low, high)) in enumerate(groups.items()):
            values, low, high = (np.asarray(a, dtype=float) for a in (values, low, high))
            y = np.arange(n) + (k - (m - 1) / 2) * step
            ax.errorbar(values, y, xerr=[values - low, high - values], fmt="o", color=SERIES[k % len(SERIES)],
                        capsize=3, markersize=5, label=name)
            data["groups"][name] = {"values": values, "low": low, "high": high}
            every += [low, high]
        limits = _widen(np.concatenate(every) if every else np.zeros(1), 0.01)
        if limits is not None:
            ax.set_xlim(*limits)
        if zero_line:
            ax.axvline(0, color=BLACK, linewidth=0.8)
        ax.set_yticks(np.arange(n), [_wrap(s) for s in labels])
        ax.invert_yaxis()
        if m > 1:
            fig.legend(loc="outside lower left", ncols=min(m, 3))
    return _chart(fig, data, title)


def _suptitle(fig: Figure, title: str, width: int = 80) -> None:
    fig.suptitle(_wrap(title, width), x=0.01, ha="left", fontsize=10, fontweight="bold")


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def tornado_chart(parameters: Sequence[str], low: Sequence[float], high: Sequence[float], base: float, *,
                  title: str, xlabel: str, legend: tuple[str, str], lang: str) -> Chart:
    """The goal's probability at each parameter's low and high value, widest swing on top, around the
    run's probability (``base``)."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    order = np.argsort(-np.abs(high - low), kind="stable")
    names = [parameters[i] for i in order]
    low, high = low[order], high[order]
    fig = _figure(1.5 + 0.5 * len(names))
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        _suptitle(fig, title, 75)
        ax.set_xlabel(xlabel)
        _value_axis(ax.xaxis, "fraction", lang)
        y = np.arange(len(names))
        ax.barh(y, low - base, left=base, color=SKY, label=legend[0])
        ax.barh(y, high - base, left=base, color=VERMILLION, label=legend[1], alpha=0.85)
        ax.axvline(base, color=BLACK, linewidth=0.9)
        limits = _widen(np.concatenate([low, high, [base]]), 0.01)
        if limits is not None:
            ax.set_xlim(*limits)
        ax.set_yticks(y, [_wrap(s, 44) for s in names])
        ax.invert_yaxis()
        fig.legend(loc="outside lower left", ncols=2)
    return _chart(fig, {"parameters": names, "low": low, "high": high, "base": base}, title)


def heatmap_chart(grid: pd.DataFrame, *, title: str, row_label: str, col_label: str, lang: str,
                  row_text: Callable[[Any], str] = str, col_text: Callable[[Any], str] = str) -> Chart:
    """A goal's probability over a grid of two levers (rows x columns of ``grid``), each cell written in;
    the axis labels name the levers the rows and columns are. One row or one column is drawn as it is.

    viridis is perceptually uniform and readable in grey and by colour-blind readers."""
    values = grid.to_numpy(dtype=float)
    fig = _figure(1.5 + 0.45 * values.shape[0])
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        image = ax.imshow(values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        _suptitle(fig, title, 75)
        ax.set_xticks(range(values.shape[1]), [col_text(c) for c in grid.columns])
        ax.set_yticks(range(values.shape[0]), [row_text(r) if row_label else "" for r in grid.index])
        ax.set_xlabel(_wrap(col_label, 80))
        ax.set_ylabel(_wrap(row_label, 30))
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, fmt.percent(v, 1, lang), ha="center", va="center", fontsize=8,
                        color="black" if v > 0.55 else "white")
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        bar.ax.yaxis.set_major_formatter(TickFormatter("fraction", lang))
    data = {"rows": list(grid.index), "columns": list(grid.columns), "values": values,
            "row_label": row_label, "col_label": col_label}
    return _chart(fig, data, title)


def pareto_front(x: Sequence[float], y: Sequence[float]) -> list[int]:
    """Indices of the points no other point beats on both (higher is better), ordered by x."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    front = []
    for i in range(x.size):
        dominated = np.any((x >= x[i]) & (y >= y[i]) & ((x > x[i]) | (y > y[i])))
        if not dominated and np.isfinite(x[i]) and np.isfinite(y[i]):
            front.append(i)
    return sorted(front, key=lambda i: (x[i], -y[i]))


def _spaced(indices: list[int], most: int) -> list[int]:
    """At most ``most`` of the indices, evenly spaced, the first and the last kept."""
    if len(indices) <= most:
        return list(indices)
    picks = np.linspace(0, len(indices) - 1, most).round().astype(int)
    return [indices[k] for k in dict.fromkeys(picks)]


def cost_frontier_chart(cost: Sequence[float], probability: Sequence[float], point_labels: Sequence[str], *,
                        title: str, xlabel: str, ylabel: str, front_label: str, lang: str) -> Chart:
    """Every variant by what its levers cost (MSEK a year) and its probability of one goal; the variants
    no cheaper one matches are joined: the most each cost buys."""
    cost, p = np.asarray(cost, dtype=float), np.asarray(probability, dtype=float)
    front = pareto_front(-cost, p)  # low cost and high probability are both better
    front = sorted(front, key=lambda i: (cost[i], p[i]))
    fig = _figure(3.4)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        ax.set_title(_wrap(title, 75), loc="left")
        ax.set_xlabel(_wrap(xlabel, 90))
        ax.set_ylabel(_wrap(ylabel, 45))
        _value_axis(ax.xaxis, "msek", lang)
        _value_axis(ax.yaxis, "fraction", lang)
        ax.scatter(cost, p, color=GREY, s=18, zorder=2)
        if front:
            ax.plot(cost[front], p[front], color=VERMILLION, marker="o", linewidth=1.6, label=front_label, zorder=3)
            ax.legend(loc="lower right")
        for i in _spaced(front, 6):  # a few names, evenly along the front: more would overprint
            ax.annotate(_wrap(point_labels[i], 24), (cost[i], p[i]), textcoords="offset points", xytext=(4, -10),
                        fontsize=6.5)
        for limits, setter, pad in ((_widen(cost, 10.0), ax.set_xlim, 0), (_widen(p, 0.02), ax.set_ylim, 0)):
            if limits is not None:
                setter(*limits)
        ax.grid(color="#eeeeee", linewidth=0.6)
    return _chart(fig, {"x": cost, "y": p, "front": front, "labels": list(point_labels)}, title)


def frontier_chart(x: Sequence[float], y: Sequence[float], point_labels: Sequence[str], *, title: str,
                   xlabel: str, ylabel: str, front_label: str, lang: str) -> Chart:
    """Every variant by its probability of two goals; the variants no other beats on both are joined."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    front = pareto_front(x, y)
    fig = _figure(3.6)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        ax.set_title(_wrap(title, 75), loc="left")
        ax.set_xlabel(_wrap(xlabel, 90))
        ax.set_ylabel(_wrap(ylabel, 45))
        _value_axis(ax.xaxis, "fraction", lang)
        _value_axis(ax.yaxis, "fraction", lang)
        ax.scatter(x, y, color=GREY, s=18, zorder=2)
        ax.plot(x[front], y[front], color=VERMILLION, marker="o", linewidth=1.6, label=front_label, zorder=3)
        for i in _spaced(front, 6):
            ax.annotate(_wrap(point_labels[i], 24), (x[i], y[i]), textcoords="offset points", xytext=(4, 4),
                        fontsize=6.5)
        for limits, setter in ((_widen(x, 0.02), ax.set_xlim), (_widen(y, 0.02), ax.set_ylim)):
            if limits is not None:
                setter(*limits)
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.legend(loc="lower left")
    return _chart(fig, {"x": x, "y": y, "front": front, "labels": list(point_labels)}, title)
