"""The two kinds of failure a command ends with, and their exit codes (../shared/CONTRACT.md).

Every exception the package raises for a user to read derives from one of two bases, so the command
line maps two classes onto exit codes instead of one per module:

- :class:`InputError`, exit 2: the input is wrong (a scenario field, an option, a result folder that
  cannot be read back); the message is one line naming the file and the field and what is allowed;
- :class:`RunFailure`, exit 1: the input was fine but the run could not finish (a full disk, a lost
  cluster, a browser that cannot print); the message is one line and says what was left in place.

A signal is neither: :class:`simulator.io.atomic.Interrupted` derives from ``BaseException`` so that no
``except Exception`` swallows it. Anything else reaching the command is a bug (exit 1, one line;
``SIMULATOR_DEBUG=1`` shows the traceback).
"""

import unicodedata

EXIT_INPUT = 2
#: Unicode categories a message never prints as they are: control and format characters, line and
#: paragraph separators (a no-break space and Swedish letters print as themselves).
_UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp"})
EXIT_FAILURE = 1


class SimulatorError(Exception):
    """A failure a user reads: one line, no traceback."""

    exit_code = EXIT_FAILURE


class InputError(SimulatorError):
    """Bad input: exit 2, one line naming the file (or option) and the field and what is allowed."""

    exit_code = EXIT_INPUT


class RunFailure(SimulatorError):
    """Not the input's fault (a full disk, a lost cluster, a missing browser): exit 1, one line."""

    exit_code = EXIT_FAILURE


def one_line(text: str) -> str:
    """``text`` as one printable line: control characters (a newline, a carriage return, an ANSI escape
    that a key in a scenario may carry) are shown escaped, ``\\n`` or ``\\x1b``, so a message can neither
    break the terminal's line nor restyle it."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in _UNSHOWN else c for c in text)
