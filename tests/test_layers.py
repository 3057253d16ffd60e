"""The house by layers (README "Layout"): read every import of the package, function-level ones
included, and fail on an import circle, an arrow that points up a layer, a private name imported across
modules, a module past 800 lines, more than ten modules beside the layer folders, a Swedish label outside
simulator/i18n.py, or a goal's name outside the scenario files that declare it."""

from __future__ import annotations

import ast
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"

#: bottom to top: a module may import its own layer and the layers below it, never one above
LAYERS = (
    ("simulator", "simulator.errors", "simulator.i18n", "simulator.variables"),
    ("simulator.kernels",),
    ("simulator.io",),
    ("simulator.scenario",),
    ("simulator.model",),
    ("simulator.calibration",),
    ("simulator.run",),
    ("simulator.whatif",),
    ("simulator.report",),
    ("simulator.commands",),
    ("simulator.cli", "simulator.__main__"),
)
MAX_LINES = 800
MAX_TOP_MODULES = 10


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    best = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and prefix != "simulator":
                if best is None or len(prefix) > best[1]:
                    best = (rank, len(prefix))
    if best is None:
        assert module == "simulator", f"{module} is in no layer: add its folder to LAYERS and the README"
        return 0
    return best[0]


def resolve(importer: str, node: ast.ImportFrom | ast.Import) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for each simulator module an import statement names."""
    known = modules()
    if isinstance(node, ast.Import):
        return [(a.name, []) for a in node.names if a.name.split(".")[0] == "simulator"]
    base = node.module or ""
    if node.level:
        package = importer.split(".") if modules()[importer].name == "__init__.py" else importer.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    if base.split(".")[0] != "simulator":
        return []
    out = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        out.append((sub, []) if sub in known else (base, [alias.name]))
    return out


@cache
def imports() -> dict[str, list[tuple[str, list[str], int]]]:
    """module -> [(imported module, names, line)] over every import statement, at any depth."""
    out = {}
    for name, path in modules().items():
        found = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found += [(m, names, node.lineno) for m, names in resolve(name, node)]
        out[name] = found
    return out


def test_no_arrow_points_up_a_layer():
    up = [f"{m} (layer {layer(m)}) imports {target} (layer {layer(target)}), line {line}"
          for m, found in imports().items() for target, _, line in found if layer(target) > layer(m)]
    assert up == []


def test_no_import_circle():
    graph = {m: {t for t, _, _ in found if t in modules() and t != m} for m, found in imports().items()}
    # a package's __init__ that re-exports its modules is the package itself, not a circle through it
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert circles == []


def test_no_private_name_is_imported_across_modules():
    private = [f"{m}: {target}.{n}, line {line}" for m, found in imports().items()
               for target, names, line in found for n in names
               if n.startswith("_") and not n.startswith("__") and target != m]
    assert private == []


def test_no_module_is_past_800_lines():
    long = {m: n for m, p in modules().items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_at_most_ten_modules_beside_the_layer_folders():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


def test_every_folder_is_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    layered = {prefix.split(".")[1] for prefixes in LAYERS for prefix in prefixes if prefix.count(".") == 1}
    assert folders <= layered, folders - layered


#: words of Swedish prose that English text does not use: a string holding one is a Swedish label
SWEDISH_WORDS = re.compile(r"\b(och|för|över|vid|årets|utan|eller|mellan|till|som|av|inom|procentenheter|"
                           r"effekt|andel|banor|uppfyllt|medelfel|bedömning)\b", re.IGNORECASE)


def _non_docstring_strings(tree: ast.AST):
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_every_swedish_label_lives_in_i18n():
    found = []
    for name, path in modules().items():
        if name == "simulator.i18n":
            continue
        for node in _non_docstring_strings(ast.parse(path.read_text(encoding="utf-8"))):
            if SWEDISH_WORDS.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def declared_goal_names() -> set[str]:
    names = set()
    for scenario in (ROOT / "scenarios").rglob("*.toml"):
        names |= set(tomllib.loads(scenario.read_text(encoding="utf-8")).get("goals", {}))
    return names


def test_goal_names_appear_only_where_goals_are_declared():
    goals = declared_goal_names()
    assert {"balance_2030", "consolidation_2040"} <= goals
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(goals))) + r")\b")
    found = [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}"
             for path in modules().values()
             for node in _non_docstring_strings(ast.parse(path.read_text(encoding="utf-8")))
             if pattern.search(node.value)]
    assert found == []


@pytest.mark.parametrize("module", ["simulator.kernels.balance_requirement", "simulator.kernels.reaction",
                                    "simulator.kernels.risk_rule", "simulator.kernels.deposits",
                                    "simulator.io.zarr_store", "simulator.i18n"])
def test_a_newcomer_finds_each_rule_by_its_file_name(module):
    """The README's Layout names these files for balanskrav, the reaction rule, the DRP equity share,
    deposits, the Zarr writer and the Swedish report text; they must exist and say what they hold."""
    path = modules()[module]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert str(path.relative_to(ROOT)) in readme
