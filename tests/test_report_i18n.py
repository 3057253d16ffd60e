"""Every visible string exists in Swedish and English, with the same placeholders, and every key the
code and the templates ask for is there."""

import re
from pathlib import Path

import pytest

from simulator import i18n
from simulator.report import data, html

REPORT = Path(html.__file__).parent


def test_every_key_has_both_languages_with_the_same_placeholders():
    for key, texts in i18n.STRINGS.items():
        assert set(texts) == set(i18n.LANGUAGES), key
        for lang in i18n.LANGUAGES:
            assert texts[lang].strip(), f"{key} is empty in {lang}"
        assert i18n.placeholders(texts["sv"]) == i18n.placeholders(texts["en"]), key


def _literal_keys() -> set[str]:
    keys = set()
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-zA-Z0-9_.]+)["']""")
    for path in [*REPORT.glob("*.py"), *(REPORT / "templates").glob("*")]:
        keys |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_literal_key_in_code_and_templates_exists():
    keys = _literal_keys()
    assert len(keys) > 100  # the pattern finds the calls
    assert sorted(k for k in keys if not i18n.has(k)) == []


def test_keys_built_at_run_time_exist():
    built = [f"var.{name}" for name, _ in html.FAN_VARIABLES]
    built += [f"var.{name}" for name in data.REACTION_VARIABLES]
    built += [f"param.{p}" for p in html.MAIN_ASSUMPTIONS]
    built += [f"denominator.{m}" for m in (*data.CONSOLIDATION_METRICS, "result_share_of_tax_and_grants")]
    for measure in ("total", "booked"):
        built += [f"answer.note.{measure}"]
        for when in ("end", "reached"):
            built += [f"answer.consolidation.{measure}.{when}", f"answer.consolidation.{measure}.{when}_deterministic"]
    built += ["answer.balance_deterministic", *(f"answer.consolidation.median.{m}" for m in data.CONSOLIDATION_METRICS)]
    built += [f"unit.axis_{k}" for k in ("msek", "fraction", "kr", "count")]
    built += [f"xl.unit_{k}" for k in ("fraction", "points", "msek", "kr", "int", "count", "flag", "year", "index",
                                       "number")]
    built += [f"prov.{k}" for k in ("scenario", "sha256", "seed", "paths", "version", "date", "command", "directory")]
    built += [f"def.when_{k}" for k in ("all", "any", "last")]
    assert [k for k in built if not i18n.has(k)] == []


def test_unknown_language_and_key_are_errors():
    with pytest.raises(i18n.UnknownLanguage, match="--lang: unknown language 'de'"):
        i18n.t("section.answers", "de")
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
    assert i18n.t("text.paths_meeting", "sv", n=3, of=10) == "3 av 10"
