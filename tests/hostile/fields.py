"""The generated part of the hostile-input corpus: every field of a file, given every TOML type it does
not have, a value no model can use, or a key it does not know.

The oracle is the schema itself (the pydantic models the file is validated against), not the code
under test: for each leaf of the shipped file the walker finds the field's declared type (float, int,
bool, text, list, table), and the mutations below are, by that type, values the model must refuse
(``TOML type of the wrong kind``, ``not finite``, ``beyond any range``). The test then asserts exit 2
and one line naming the file and the field. A field added to the schema is covered the day it appears
in the shipped file."""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass
from typing import Any, Iterator

from pydantic import BaseModel

#: A value beyond any range the model may allow (amounts are at most 1e5 MSEK, years < 3000).
HUGE = 1e308
BIG_INT = 10**18

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class Mutation:
    path: Path_  # keys and list indices into the file's data
    value: Any  # what is put there (the key's value for an unknown key)
    kind: str  # what is wrong, for the test id and the counts
    named: tuple[str, ...]  # the words the refusal must contain (the field, dotted; or the unknown key)

    @property
    def id(self) -> str:
        return f"{'.'.join(map(str, self.path))}={self.kind}"


def strip_optional(annotation: Any, other_unions: str = "refuse") -> Any:
    """The type behind Annotated[...] and ``X | None`` (TOML has no null: None never reaches a model). A
    union of several types is refused (the corpus must know every field's type), or with
    ``other_unions="keep"`` returned as it is."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                if other_unions == "keep":
                    return annotation
                raise TypeError(f"a union the corpus does not know: {annotation}")
            annotation = rest[0]
        else:
            return annotation


def _kind(annotation: Any) -> str:
    annotation = strip_optional(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    if origin is list:
        return "list"
    if origin is dict:
        return "dict"
    if origin is typing.Literal or annotation is str:
        return "text"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if annotation is Any:
        return "any"  # checked elsewhere (a sweep's lever values: by the scenario's schema)
    raise TypeError(f"a field type the corpus does not know: {annotation}")


def _child(annotation: Any, key: Any) -> Any:
    """The declared type of ``key`` inside a value of type ``annotation``."""
    annotation = strip_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.model_fields[key].annotation
    origin = typing.get_origin(annotation)
    if origin is list:
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    raise TypeError(f"{annotation} has no element {key!r}")


def _field_words(path: Path_, model: type[BaseModel]) -> tuple[str, ...]:
    """The name a refusal must contain, as the messages write it (``accounts.balance_requirement.
    opening_deficits[0].from_year``): the path down to the last table on it; an element of a list or
    table of plain values is named by the field that holds it."""
    annotation: Any = model
    named = ""
    for key in path:
        parent = strip_optional(annotation)
        annotation = _child(annotation, key)
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            named += f".{key}" if named else str(key)
        elif _kind(annotation) == "table":  # an element that is a table: goals.balance_2030, deficits[0]
            named += f"[{key}]" if typing.get_origin(parent) is list else f".{key}"
        else:
            break
    return (named,)


def _wrong_values(kind: str, value: Any) -> list[tuple[str, Any]]:
    """Values of the wrong TOML type, not finite, or beyond any range, for a field of ``kind``."""
    nested = {"x": value} if not isinstance(value, dict) else {"x": 1}
    if kind == "float":
        return [("bool", True), ("text", str(value)), ("array", [value]), ("table", nested),
                ("nan", float("nan")), ("inf", float("inf")), ("-inf", -float("inf")),
                ("1e308", HUGE), ("-1e308", -HUGE)]
    if kind == "int":
        return [("bool", True), ("float", float(value)), ("fraction", value + 0.5), ("text", str(value)),
                ("array", [value]), ("table", nested), ("1e18", BIG_INT), ("-1e18", -BIG_INT)]
    if kind == "bool":
        return [("int-1", 1), ("int-0", 0), ("text", "true"), ("float", 1.0), ("array", [value])]
    if kind == "text":
        return [("int", 1), ("bool", True), ("float", 1.5), ("array", [value]), ("table", nested)]
    if kind == "list":
        return [("text", "x"), ("int", 1), ("bool", True), ("table", {"x": 1})]
    if kind in ("dict", "table"):
        return [("text", "x"), ("int", 1), ("bool", True), ("array", [1])]
    raise ValueError(kind)


def mutations(data: dict[str, Any], model: type[BaseModel]) -> Iterator[Mutation]:
    """Every mutation of every leaf, list and table of ``data`` (a file valid for ``model``), and an
    unknown key in every table that is a model."""
    def walk(value: Any, annotation: Any, path: Path_) -> Iterator[Mutation]:
        kind = _kind(annotation)
        if kind == "any":
            return
        if path:
            for what, wrong in _wrong_values(kind, value):
                yield Mutation(path, wrong, what, _field_words(path, model))
        if kind == "table":
            yield Mutation(path + ("bogus_key",), 1, "unknown-key", ("bogus_key",))
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, _child(annotation, key), path + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, _child(annotation, i), path + (i,))
    yield from walk(data, model, ())


def mutated(data: dict[str, Any], mutation: Mutation) -> dict[str, Any]:
    """A deep copy of ``data`` with the mutation applied."""
    out = copy.deepcopy(data)
    node = out
    for key in mutation.path[:-1]:
        node = node[key]
    node[mutation.path[-1]] = mutation.value
    return out
