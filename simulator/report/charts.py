"""Charts: matplotlib figures embedded in the report as SVG ``data:`` URIs.

Every function returns a :class:`Chart` holding the image and the numbers it drew, so tests check the
data rather than pixels. Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no global
backend state; PNG would go through Agg). SVG keeps the PDF sharp, and its text is drawn as paths, so the
charts need no font on the reader's machine. Colours: the Okabe–Ito palette, safe for the common forms
of colour blindness; fans are one hue in two strengths, the zero-shock path a dashed contrasting line.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from simulator.report import formatting as fmt

# Okabe & Ito (2008), "Color Universal Design"
BLUE, ORANGE, SKY, GREEN, YELLOW, VERMILLION, PURPLE, BLACK = (
    "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#D55E00", "#CC79A7", "#000000")
SERIES = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
GREY = "#555555"
WIDTH_IN = 7.2  # fits the A4 text width at 15 mm margins
RC = {
    "svg.fonttype": "path", "svg.hashsalt": "simulator-report", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10,
    "axes.titleweight": "bold", "axes.titlelocation": "left", "legend.frameon": False,
    "legend.fontsize": 8,
}


@dataclass(frozen=True)
class Chart:
    uri: str  # data:image/svg+xml;base64,...
    data: dict[str, Any]  # what was drawn, by name
    alt: str  # a sentence for screen readers and a missing image
    key: str = ""  # which chart of the report (set by the HTML layer; tests find charts by it)


def _figure(height: float = 3.2, width: float = WIDTH_IN) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _encode(fig: Figure) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _chart(fig: Figure, data: dict[str, Any], alt: str) -> Chart:
    return Chart(uri=_encode(fig), data=data, alt=alt)


def tick_formatter(kind: str, lang: str) -> Callable[[float, Any], str]:
    """Axis ticks in the report's language: fractions as %, money without its unit (the label has it)."""
    def fraction(x, _pos=None):
        return fmt.percent(x, 0 if abs(x) >= 0.1 or x == 0 else 1, lang)

    def points(x, _pos=None):  # a difference of fractions, in percentage points
        v = round(100 * x, 6)
        return fmt.number(v, 0 if abs(v) >= 10 or v.is_integer() else 1, lang, sign=True)

    def plain(x, _pos=None):
        return fmt.number(x, 0 if abs(x) >= 10 or float(x).is_integer() else 2, lang)
    return {"fraction": fraction, "points": points}.get(kind, plain)


def _axes(fig: Figure, title: str, ylabel: str, kind: str, lang: str):
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(tick_formatter(kind, lang)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    return ax


def fan_chart(x: np.ndarray, bands: dict[str, np.ndarray], *, title: str, ylabel: str, kind: str,
              lang: str, labels: dict[str, str], overlay: np.ndarray | None = None,
              reference: float | None = None, reference_label: str | None = None) -> Chart:
    """A fan: 5–95 and 25–75 percentile bands and the median per step, with the zero-shock path
    (``overlay``) and a goal's threshold or a limit (``reference``, dotted, named ``reference_label`` in the
    legend) drawn in when given.

    ``bands`` holds p5, p25, p50, p75, p95; ``labels`` the legend texts band_90, band_50, median, overlay.
    """
    x = np.asarray(x)
    p = {k: np.asarray(bands[k], dtype=float) for k in ("p5", "p25", "p50", "p75", "p95")}
    fig = _figure(2.9)
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, kind, lang)
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
        if np.issubdtype(x.dtype, np.integer):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        fig.legend(loc="outside lower left", ncols=4)
    start, end = fmt.value(float(p["p50"][0]), kind, lang), fmt.value(float(p["p50"][-1]), kind, lang)
    alt = f"{title}: {labels['median'].lower()} {start} → {end}"
    return _chart(fig, data, alt)


def stacked_share_chart(x: np.ndarray, shares: np.ndarray, band_labels: Sequence[str], *, title: str,
                        ylabel: str, lang: str) -> Chart:
    """Shares of paths stacked by band per step (e.g. de-risked by depth); ``shares`` is bands x steps."""
    shares = np.asarray(shares, dtype=float)
    colours = (SKY, BLUE, ORANGE, VERMILLION, PURPLE)[: shares.shape[0]]
    fig = _figure()
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, "fraction", lang)
        ax.stackplot(x, shares, labels=band_labels, colors=colours, linewidth=0)
        ax.set_ylim(0, max(0.05, min(1.0, float(shares.sum(axis=0).max()) * 1.1)))
        fig.legend(loc="outside lower left", ncols=2)
    total = shares.sum(axis=0)
    alt = f"{title}: {fmt.percent(float(total.mean()), 1, lang)}"
    return _chart(fig, {"x": np.asarray(x), "shares": shares, "bands": list(band_labels), "total": total}, alt)


def bar_chart(x: Sequence, values: Sequence[float], *, title: str, ylabel: str, kind: str,
              lang: str) -> Chart:
    """One bar per step (e.g. the share of paths breaching the protection level per year)."""
    values = np.asarray(values, dtype=float)
    fig = _figure(2.6)
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, kind, lang)
        ax.bar([str(v) for v in x], values, color=BLUE)
        ax.tick_params(axis="x", labelrotation=90 if len(values) > 12 else 0)
    alt = f"{title}: {fmt.value(float(np.nanmax(values)), kind, lang)} (max)" if values.size else title
    return _chart(fig, {"x": list(x), "values": values}, alt)


def lines_chart(x: np.ndarray, series: dict[str, np.ndarray], *, title: str, ylabel: str, kind: str,
                lang: str, styles: Sequence[str] = ("-", "--", ":", "-.")) -> Chart:
    """A few named lines over the same steps (e.g. an instrument on the median and the bad paths)."""
    fig = _figure(2.8)
    with matplotlib.rc_context(RC):
        ax = _axes(fig, title, ylabel, kind, lang)
        for k, (label, y) in enumerate(series.items()):
            ax.plot(x, y, color=SERIES[k % len(SERIES)], linestyle=styles[k % len(styles)], linewidth=1.8,
                    label=label, marker="o", markersize=3)
        if np.issubdtype(np.asarray(x).dtype, np.integer):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        fig.legend(loc="outside lower left", ncols=len(series))
    data = {"x": np.asarray(x), "series": {k: np.asarray(v, dtype=float) for k, v in series.items()}}
    return _chart(fig, data, title)


def interval_chart(labels: Sequence[str], groups: dict[str, tuple[Sequence, Sequence, Sequence]], *,
                   title: str, xlabel: str, lang: str, kind: str = "fraction",
                   zero_line: bool = False) -> Chart:
    """Horizontal dots with interval whiskers, one row per label and one colour per group:
    ``groups[name] = (values, low, high)``. For goals side by side and for paired differences."""
    n, m = len(labels), max(1, len(groups))
    fig = _figure(1.2 + 0.55 * n * max(1, m) ** 0.5)
    step = 0.7 / m
    data: dict[str, Any] = {"labels": list(labels), "groups": {}}
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        _suptitle(fig, title)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(FuncFormatter(tick_formatter(kind, lang)))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        for k, (name, (values, low, high)) in enumerate(groups.items()):
            values, low, high = (np.asarray(a, dtype=float) for a in (values, low, high))
            y = np.arange(n) + (k - (m - 1) / 2) * step
            ax.errorbar(values, y, xerr=[values - low, high - values], fmt="o", color=SERIES[k % len(SERIES)],
                        capsize=3, markersize=5, label=name)
            data["groups"][name] = {"values": values, "low": low, "high": high}
        if zero_line:
            ax.axvline(0, color=BLACK, linewidth=0.8)
        ax.set_yticks(np.arange(n), [_wrap(s) for s in labels])
        ax.invert_yaxis()
        if m > 1:
            fig.legend(loc="outside lower left", ncols=m)
    return _chart(fig, data, title)


def _suptitle(fig: Figure, title: str, width: int = 95) -> None:
    fig.suptitle(_wrap(title, width), x=0.01, ha="left", fontsize=10, fontweight="bold")


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = text.split(), [], ""
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
    fig = _figure(1.3 + 0.45 * len(names))
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        _suptitle(fig, title)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(FuncFormatter(tick_formatter("fraction", lang)))
        y = np.arange(len(names))
        ax.barh(y, low - base, left=base, color=SKY, label=legend[0])
        ax.barh(y, high - base, left=base, color=VERMILLION, label=legend[1], alpha=0.85)
        ax.axvline(base, color=BLACK, linewidth=0.9)
        ax.set_yticks(y, [_wrap(s, 44) for s in names])
        ax.invert_yaxis()
        fig.legend(loc="outside lower left", ncols=2)
    return _chart(fig, {"parameters": names, "low": low, "high": high, "base": base}, title)


def heatmap_chart(grid: pd.DataFrame, *, title: str, row_label: str, col_label: str, lang: str,
                  row_text: Callable[[Any], str] = str, col_text: Callable[[Any], str] = str) -> Chart:
    """A goal's probability over a grid of two levers (rows x columns of ``grid``), each cell written in.

    viridis is perceptually uniform and readable in grey and by colour-blind readers."""
    values = grid.to_numpy(dtype=float)
    fig = _figure(1.4 + 0.45 * values.shape[0])
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        image = ax.imshow(values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        _suptitle(fig, title, 60)
        ax.set_xticks(range(values.shape[1]), [col_text(c) for c in grid.columns])
        ax.set_yticks(range(values.shape[0]), [row_text(r) for r in grid.index])
        ax.set_xlabel(col_label)
        ax.set_ylabel(row_label)
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, fmt.percent(v, 1, lang), ha="center", va="center", fontsize=8,
                        color="black" if v > 0.55 else "white")
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(tick_formatter("fraction", lang)))
    data = {"rows": list(grid.index), "columns": list(grid.columns), "values": values}
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


def frontier_chart(x: Sequence[float], y: Sequence[float], point_labels: Sequence[str], *, title: str,
                   xlabel: str, ylabel: str, front_label: str, lang: str) -> Chart:
    """Every variant by its probability of two goals; the variants no other beats on both are joined
    (the frontier a policy search moves along)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    front = pareto_front(x, y)
    fig = _figure(3.6)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(tick_formatter("fraction", lang)))
        ax.scatter(x, y, color=GREY, s=18, zorder=2)
        ax.plot(x[front], y[front], color=VERMILLION, marker="o", linewidth=1.6, label=front_label, zorder=3)
        for i in front:
            ax.annotate(point_labels[i], (x[i], y[i]), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.legend(loc="lower left")
    return _chart(fig, {"x": x, "y": y, "front": front, "labels": list(point_labels)}, title)
