"""errors.py -- the exceptions of the binding and the RP_E* codes they carry.

Every failure of the C library becomes a RaypolicyError (or a subclass) whose
``code`` is an :class:`ErrorCode` (an ``IntEnum``: ``e.code == -3`` and
``e.code.name == "ESYNTAX"``), with the rp_error's ``source``, ``line``,
``column`` and ``message``.  ``str(e)`` is what ``rpeval`` prints:
``<expression>:1:9: message`` followed, for expressions, by the source line
and cel-go's caret.
"""

from __future__ import annotations

import enum
from typing import Optional

from ._lib import RpError, lib


class ErrorCode(enum.IntEnum):
    """The RP_E* return codes of include/raypolicy.h (RP_ prefix dropped)."""

    OK = 0
    EINVAL = -1
    ENOMEM = -2
    ESYNTAX = -3
    ECHECK = -4
    ELIMIT = -5
    EEVAL = -6
    EJSON = -7
    EIO = -8
    ETYPE = -9
    ENOTFOUND = -10
    EPACK = -11
    EYAML = -12

    @property
    def description(self) -> str:
        """rp_strerror(): "syntax error", "evaluation error", ..."""
        return lib.rp_strerror(int(self)).decode()


def _code(value: int) -> "ErrorCode | int":
    try:
        return ErrorCode(value)
    except ValueError:  # a code appended by a newer library
        return value


class RaypolicyError(Exception):
    """A failure reported by libraypolicy.

    Attributes: ``code`` (:class:`ErrorCode`), ``message`` (the library's
    message: one lower-case line, for expressions followed by the source line
    and a caret), ``source`` (``"<expression>"``, a file name, ...), ``line``
    and ``column`` (1-based; 0 when unknown; columns count code points).
    """

    def __init__(self, code: int, message: str, source: str = "", line: int = 0,
                 column: int = 0) -> None:
        self.code = _code(code)
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if where and self.line:
            where += f":{self.line}:{self.column}" if self.column else f":{self.line}"
        msg = self.message or lib.rp_strerror(int(self.code)).decode()
        return f"{where}: {msg}" if where and not msg.startswith(where + ":") else msg

    @classmethod
    def _from(cls, err: RpError, code: Optional[int] = None) -> "RaypolicyError":
        c = err.code or code or ErrorCode.EINVAL
        return cls(c, err.message.decode("utf-8", "replace"),
                   err.source.decode("utf-8", "replace"), err.line, err.column)


class CompileError(RaypolicyError):
    """An expression does not compile (ESYNTAX, ECHECK, ELIMIT)."""


class EvalError(RaypolicyError):
    """An evaluation produced a CEL error (EEVAL) or hit a limit (ELIMIT);
    also a variable that cannot be bound (EJSON)."""


class PackError(RaypolicyError):
    """A policy pack or test suite cannot be loaded (EPACK, EYAML, EIO,
    ENOTFOUND)."""


class CheckError(RaypolicyError):
    """A check could not be run at all (bad parameters text, out of memory).
    Problems with inputs are not raised: they are ``Report.errors``."""


class ClosedError(RaypolicyError, ValueError):
    """A handle was used after ``close()`` (or after its environment closed)."""

    def __init__(self, what: str) -> None:
        super().__init__(ErrorCode.EINVAL, f"{what} is closed")
