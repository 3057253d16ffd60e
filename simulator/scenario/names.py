"""Names that become places: a goal's name is an array of results.zarr (``goal_<name>``) and a key of
summary.json, a sweep variant's name a coordinate of sweep.nc and a key of its summary, a scenario's
name the default output folder. Scenario and sweep files travel between departments, so a name is
untrusted input: it must not climb out of its place (``../x``), nest (``a/b``) or start a spreadsheet
formula. One rule for every such name, refused at validation (exit 2, naming the field); free text
(descriptions, titles, labels) stays free and is only ever written as text (docs/hardening.md).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

#: A letter, digit, ``_`` or ``-`` first, then also ``.``; no ``..`` anywhere (checked apart).
NAME_PATTERN = r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$"
NAME_MAX_LENGTH = 100
_NAME = re.compile(NAME_PATTERN)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a name (None when it can)."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty name"
    if len(name) > NAME_MAX_LENGTH:
        return f"must be at most {NAME_MAX_LENGTH} characters (got {len(name)})"
    if not _NAME.fullmatch(name) or ".." in name:
        return ("must hold only letters A-Z a-z, digits, '_', '-' and '.', start with a letter, digit, '_' "
                "or '-', and have no '..' (it becomes a key, an array name or a file name)")
    return None


def check_name(name: str) -> str:
    """A pydantic validator: the name as it is, or ValueError saying what a name may hold."""
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(f"{problem} (got {name!r})")
    return name


#: A field that is a name (a scenario's ``name``, a sweep variant's ``name``).
Name = Annotated[str, AfterValidator(check_name)]
