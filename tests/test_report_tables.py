"""The workbook reopens with openpyxl and holds summary.json's numbers as numbers with Swedish display
formats; the CSV files are semicolon-separated with decimal comma; writing is all or nothing."""

import csv
import io

import numpy as np
import openpyxl
import pytest

import simulator.report.output as output
from simulator.report import PdfError, write_report
from simulator.report.data import load_report
from simulator.report.tables import build_tables, csv_number, csv_text, workbook_bytes
from tests.test_report_support import copy_run, read_summary, runs  # noqa: F401


def open_book(report):
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_tables(report))))


def rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_workbook_holds_the_summary(runs):
    report = load_report([runs["base"]])
    book = open_book(report)
    assert book.sheetnames == ["Mål", "Risker", "Percentiler per år", "Aktieandel per månad", "Åtgärder",
                               "Antaganden", "Varför utfall missar", "Ursprung"]
    summary = read_summary(runs["base"])
    goals = book["Mål"]
    header = [c.value for c in goals[1]]
    assert header[:4] == ["Nyckel", "Mål", "Sannolikhet (%)", "Standardfel (%)"]
    for row in goals.iter_rows(min_row=2):
        g = summary["goals"][row[0].value]
        # Excel keeps 15 significant digits
        assert row[2].value == pytest.approx(g["probability"], rel=1e-13)
        assert row[3].value == pytest.approx(g["stderr"], rel=1e-13)
        assert [row[4].value, row[5].value] == pytest.approx(g["ci95"], rel=1e-13)
        assert row[6].value == g["paths_meeting"]
        assert row[2].number_format == "0.0 %" and row[6].number_format == "#,##0"
    pct = rows(book["Percentiler per år"])
    assert pct[0][:4] == ["Nyckel", "Variabel", "Enhet", "Mått"] and pct[0][4:] == [str(y) for y in summary["years"]]
    found = next(r for r in pct if r[0] == "equity_msek" and r[3] == "p95")
    np.testing.assert_allclose(found[4:], summary["percentiles"]["equity_msek"]["p95"])
    assert found[1] == "Eget kapital" and found[2] == "mnkr"
    cell = next(r for r in book["Percentiler per år"].iter_rows(min_row=2) if r[0].value == "inflation")[4]
    assert cell.number_format == "0.0 %" and isinstance(cell.value, float)
    risks = rows(book["Risker"])
    breach = next(r for r in risks if r[0] == "protection_breach")
    assert breach[2] == pytest.approx(summary["risks"]["protection_breach"]["probability_any_year"], rel=1e-13)
    np.testing.assert_allclose(breach[5:], summary["risks"]["protection_breach"]["probability_by_year"])


def test_workbook_sheets_for_the_coming_outputs(runs):
    report = load_report([runs["reaction"], runs["unchanged"], runs["det"]])
    book = open_book(report)
    assert book.sheetnames == ["Mål", "Risker", "Percentiler per år", "Aktieandel per månad", "Åtgärder",
                               "Antaganden", "Varför utfall missar", "Jämförelse", "Parvisa skillnader", "Ursprung"]
    summary = read_summary(runs["reaction"])
    a = rows(book["Antaganden"])
    assert a[0][:5] == ["Parameter", "Inställning", "Lågt värde", "Högt värde", "Nyckel"]
    row = next(r for r in a if r[0] == "economy.wage.real_growth_pa" and r[4] == "balance_2030")
    assert row[1] == "Real löneutveckling"
    side = summary["assumptions"]["economy.wage.real_growth_pa"]
    assert row[2:4] == pytest.approx([side["low"]["value"], side["high"]["value"]], rel=1e-13)
    assert row[5:7] == pytest.approx([side["low"]["goals"]["balance_2030"], side["high"]["goals"]["balance_2030"]],
                                     rel=1e-13)
    paired = rows(book["Parvisa skillnader"])
    assert paired[0][2] == "Skillnad (procentenheter)"
    d = next(x for x in report.main.goals if x.name == "balance_2030")
    other = report.others[0].goal("balance_2030")
    got = next(r for r in paired if r[0] == "balance_2030")
    assert got[2] == pytest.approx(100 * (other.probability - d.probability))
    provenance = rows(book["Ursprung"])
    assert provenance[0][1:] == ["Basscenariot: Regionplan 2025–2027 med regionens åtgärdsplan",
                                 "Oförändrad politik: utan regionens åtgärdsplan", "Planen utan störningar"]
    assert provenance[1][1:] == ["base", "unchanged_policy", "base"]


def test_sweep_sheet(runs):
    report = load_report([runs["sweep"]])
    book = open_book(report)
    sheet = book["Svep"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["variant", "reference", "accounts.tax_rise.kr (kr)", "accounts.tax_rise.from_year (år)",
                          "accounts.savings_programme.pct_by_year.2026 (procent)"]
    k = header.index("balance_2030_probability (%)")
    table = report.main.sweep.table
    values = [r[k] for r in rows(sheet)[1:]]
    np.testing.assert_allclose(values, table["balance_2030_probability"])
    assert sheet.cell(row=2, column=k + 1).number_format == "0.0 %"
    # counts and levers are numbers, not text: the reference row, paths gained, the tax rise in kronor
    g = header.index("balance_2030_gained (antal)")
    assert [r[1] for r in rows(sheet)[1:]] == table["reference"].tolist() and table["reference"].sum() == 1
    assert [r[g] for r in rows(sheet)[1:]] == table["balance_2030_gained"].tolist()
    assert [r[2] for r in rows(sheet)[1:]] == pytest.approx(table["accounts.tax_rise.kr"].tolist())
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"


def test_csv_is_semicolon_and_decimal_comma(runs):
    report = load_report([runs["base"]])
    goals = next(t for t in build_tables(report) if t.key == "goals")
    parsed = list(csv.reader(io.StringIO(csv_text(goals)), delimiter=";"))
    assert parsed[0][2] == "Sannolikhet (%)"
    summary = read_summary(runs["base"])
    for row in parsed[1:]:
        p = float(row[2].replace(",", "."))
        assert p == pytest.approx(100 * summary["goals"][row[0]]["probability"], abs=1e-8)
        assert "." not in row[2]
    assert csv_number(0.0745, "fraction") == "7,45" and csv_number(1234.5, "msek") == "1234,5"
    assert csv_number(None, "msek") == "" and csv_number(2000, "int") == "2000"


def test_report_files_and_all_or_nothing(tmp_path, runs, monkeypatch):
    d = copy_run(runs["base"], tmp_path / "run")
    written = write_report([d], xlsx=True, csv=True)
    assert sorted(p.relative_to(d).as_posix() for p in written) == [
        "report.html", "tables.xlsx", *sorted(f"tables/{name}.csv" for name in (
            "instruments", "assumptions", "attribution", "equity_share_monthly", "goals", "percentiles",
            "provenance", "risks"))]
    raw = (d / "tables" / "goals.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Mål".encode() in raw  # BOM: Excel reads it as UTF-8
    openpyxl.load_workbook(d / "tables.xlsx")
    before = {p: p.read_bytes() for p in written}

    def broken_printer(html, pdf, **kw):
        assert html.exists() and html.name.startswith(".report.tmp-")  # the staged HTML is printed
        raise PdfError("--pdf: Chromium did not print the report")
    monkeypatch.setattr(output, "print_pdf", broken_printer)
    with pytest.raises(PdfError):
        write_report([d], lang="en", pdf=True, xlsx=True, csv=True)
    assert {p: p.read_bytes() for p in written} == before  # the old report stands, untouched
    leftovers = [p.name for p in d.rglob(".*") if "results.zarr" not in p.parts]
    assert leftovers == []  # no staged file left behind
    assert not (d / "report.pdf").exists()
