"""Each chart is checked through the data it drew, on synthetic tables; and every chart is an SVG that
needs nothing from outside the file."""

import base64
import re

import numpy as np
import pandas as pd
import pytest

from simulator.report import charts
from simulator.report.data import sweep_from_table, sweep_grids
from tests.test_report_support import sweep_table

LABELS = {"band_90": "5–95 %", "band_50": "25–75 %", "median": "Median", "overlay": "Utan störningar"}


def svg(chart: charts.Chart) -> str:
    assert chart.uri.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(chart.uri.split(",", 1)[1]).decode("utf-8")


def assert_self_contained(chart: charts.Chart) -> None:
    text = svg(chart)
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    # no external reference: links inside an SVG are to its own #ids or embedded data (a heat map's pixels)
    hrefs = re.findall(r'href="([^"]*)"', text)
    assert hrefs and all(h.startswith(("#", "data:image/png;base64,")) for h in hrefs), hrefs
    assert "<text" not in text  # text drawn as paths: no font needed on the reader's machine
    assert chart.alt


def test_fan_chart_draws_the_bands_median_overlay_and_reference():
    years = np.arange(2025, 2041)
    base = np.linspace(-500, 200, years.size)
    bands = {"p5": base - 400, "p25": base - 150, "p50": base, "p75": base + 150, "p95": base + 400}
    zero = base + 30
    chart = charts.fan_chart(years, bands, title="Årets resultat", ylabel="mnkr", kind="msek", lang="sv",
                             labels=LABELS, overlay=zero, reference=0.0)
    for q, values in bands.items():
        np.testing.assert_array_equal(chart.data[q], values)
    np.testing.assert_array_equal(chart.data["x"], years)
    np.testing.assert_array_equal(chart.data["overlay"], zero)
    assert chart.data["reference"] == 0.0
    assert "−500,0" in chart.alt and "200,0" in chart.alt  # Swedish numbers in the text alternative
    assert_self_contained(chart)
    plain = charts.fan_chart(years, bands, title="x", ylabel="", kind="msek", lang="sv", labels=LABELS)
    assert plain.data["overlay"] is None and plain.data["reference"] is None


def test_fan_chart_over_months():
    months = pd.date_range("2025-01-01", periods=24, freq="MS").values
    bands = {q: np.full(24, v) for q, v in zip(("p5", "p25", "p50", "p75", "p95"), (0.2, 0.5, 0.7, 0.76, 0.76))}
    chart = charts.fan_chart(months, bands, title="Aktieandel per månad", ylabel="procent", kind="fraction",
                             lang="sv", labels=LABELS, reference=0.761)
    assert chart.data["x"].dtype.kind == "M" and chart.data["p25"][0] == 0.5
    assert "70,0 %" in chart.alt.replace("\u00a0", " ")


def test_stacked_shares_and_bars():
    shares = np.array([[0.1, 0.2, 0.3], [0.05, 0.05, 0.1]])
    chart = charts.stacked_share_chart(np.arange(3), shares, ["0–10", "10–25"], title="Djup", ylabel="andel",
                                       lang="sv")
    np.testing.assert_allclose(chart.data["total"], [0.15, 0.25, 0.4])
    assert chart.data["bands"] == ["0–10", "10–25"]
    bars = charts.bar_chart([2025, 2026], [0.01, 0.02], title="Skyddsnivån", ylabel="andel", kind="fraction",
                            lang="sv")
    assert bars.data["x"] == [2025, 2026] and list(bars.data["values"]) == [0.01, 0.02]
    assert_self_contained(bars)


def test_lines_and_interval_charts():
    lines = charts.lines_chart(np.arange(2025, 2028), {"Median": [0, 1, 2], "P90": [1, 3, 5]}, title="Besparingar",
                               ylabel="mnkr", kind="msek", lang="sv")
    assert list(lines.data["series"]["P90"]) == [1, 3, 5]
    groups = {"Bas": ([0.1, 0.3], [0.08, 0.27], [0.12, 0.33]), "Oförändrad": ([0.05, 0.2], [0.04, 0.18], [0.06, 0.22])}
    chart = charts.interval_chart(["Mål A", "Mål B"], groups, title="Per körning", xlabel="Sannolikhet", lang="sv")
    assert chart.data["labels"] == ["Mål A", "Mål B"]
    np.testing.assert_allclose(chart.data["groups"]["Oförändrad"]["high"], [0.06, 0.22])
    assert_self_contained(chart)


def test_tornado_orders_by_swing():
    chart = charts.tornado_chart(["små", "stor", "mellan"], [0.30, 0.20, 0.27], [0.32, 0.45, 0.35], 0.31,
                                 title="Ekonomi i balans", xlabel="Sannolikhet", legend=("Lågt", "Högt"), lang="sv")
    assert chart.data["parameters"] == ["stor", "mellan", "små"]
    np.testing.assert_allclose(chart.data["low"], [0.20, 0.27, 0.30])
    np.testing.assert_allclose(chart.data["high"], [0.45, 0.35, 0.32])
    assert chart.data["base"] == 0.31


def test_heatmap_from_a_sweep_grid():
    table = sweep_table()
    [(_, grid, _, _)] = sweep_grids(sweep_from_table(table), "consolidation_2040_probability")
    chart = charts.heatmap_chart(grid, title="Konsolideringsgrad", row_label="Tak", col_label="Sparande",
                                 lang="sv")
    assert chart.data["rows"] == [0.6, 0.8] and chart.data["columns"] == [0.0, 1.0, 2.0]
    expected = table["consolidation_2040_probability"].to_numpy().reshape(2, 3)
    np.testing.assert_allclose(chart.data["values"], expected)
    assert_self_contained(chart)


@pytest.mark.parametrize("x, y, front", [
    ([0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [0, 1, 2]),  # a clean trade-off: all on the frontier
    ([0.1, 0.2, 0.15], [0.1, 0.2, 0.15], [1]),  # one variant beats the others on both
    ([0.1, 0.1, 0.2], [0.3, 0.2, 0.2], [0, 2]),  # ties: (0.1, 0.2) is beaten by (0.1, 0.3) and (0.2, 0.2)
])
def test_pareto_front(x, y, front):
    assert charts.pareto_front(x, y) == front


def test_frontier_chart_on_the_sweep_table():
    table = sweep_table()
    chart = charts.frontier_chart(table["balance_2030_probability"], table["consolidation_2040_probability"],
                                  [str(i + 1) for i in range(6)], title="Avvägning", xlabel="Balans",
                                  ylabel="Konsolidering", front_label="Fronten", lang="sv")
    # cap 0.8 beats cap 0.6 at the same savings but for the balance goal at 2 % savings, where 0.6 is
    # 0.4 points higher: that variant (index 2) stays on the frontier, at its right end
    assert chart.data["front"] == [3, 4, 5, 2]
    for i in chart.data["front"]:
        beaten = (chart.data["x"] >= chart.data["x"][i]) & (chart.data["y"] >= chart.data["y"][i])
        assert beaten.sum() == 1  # only itself


def test_tick_formatter_speaks_swedish():
    assert charts.tick_formatter("fraction", "sv")(0.25).replace("\u00a0", " ") == "25 %"
    assert charts.tick_formatter("msek", "sv")(-1500.0).replace("\u00a0", " ") == "−1 500"
    assert charts.tick_formatter("points", "sv")(-0.05) == "−5"
    assert charts.tick_formatter("fraction", "en")(0.25) == "25%"
