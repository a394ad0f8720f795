"""expr.py -- environments, compiled programs and evaluation.

Env wraps rp_env, Program wraps rp_program; both are immutable in C and
may be shared by threads.  Each evaluation takes an rp_activation from the
Env's pool (or makes one), binds the variables, evaluates and puts the
activation back, so that evaluations in several threads never share one,
and a thread that evaluates many times reuses the same activation (its
arena is reset, not reallocated).
"""

from __future__ import annotations

import weakref
from ctypes import byref, c_char_p, c_void_p
from typing import Any, Iterable, List, Mapping, Optional, Union

from ._handle import Handle
from ._lib import LIMIT_NAMES, RpEnvOptions, RpError, lib, take_string
from .errors import CompileError, EvalError, RaypolicyError
from .values import Json, from_value, typed_text

PROFILES = {"kubernetes": 0, "cel": 1, "extended": 2}
PROFILE_NAMES = {v: k for k, v in PROFILES.items()}


def _profile_number(profile: Union[str, int]) -> int:
    if isinstance(profile, str):
        try:
            return PROFILES[profile]
        except KeyError:
            raise ValueError(f"unknown profile {profile!r} (want one of: "
                             f"{', '.join(PROFILES)})") from None
    if profile not in PROFILE_NAMES:
        raise ValueError(f"unknown profile {profile!r}")
    return int(profile)


class Env:
    """An environment: the profile (which libraries an expression may use),
    the variables it may name, and the limits.

    ``Env(profile="kubernetes")`` offers exactly what a Kubernetes 1.33+ API
    server offers a ValidatingAdmissionPolicy, with the variables object,
    oldObject, params, request, namespaceObject, variables and inventory;
    ``"cel"`` the cel-spec standard definitions alone, with no variables;
    ``"extended"`` everything.  Keyword arguments (0 or None: the default):

    - ``variables``: more variable names an expression may use;
    - ``allow_undeclared``: compile undeclared names as run-time lookups;
    - ``disable_macros``: no has/all/exists/exists_one/map/filter;
    - ``max_expression_length`` (bytes, default 100000),
      ``max_nesting_depth`` (default 250), ``cost_budget`` (per evaluation,
      default 1000000), ``max_eval_memory`` (bytes, default 64 MiB);
    - any other limit of docs/limits.md by its name, e.g.
      ``max_string_size=1 << 20``, ``regex_match_limit=10000``,
      ``max_input_bytes=...``, ``rule_cost_budget=...`` (``LIMIT_NAMES``
      lists them).  Packs loaded and checks run with this environment
      (``load_pack(..., env=e)``, ``check(..., env=e)``) use its limits.
      A value above a limit's ceiling raises RaypolicyError (EINVAL); an
      unknown name raises TypeError.

    Close it with ``close()`` or a ``with`` block; closing it closes the
    programs compiled in it.  Otherwise the garbage collector frees it.
    """

    def __init__(self, profile: Union[str, int] = "kubernetes", *,
                 variables: Optional[Iterable[str]] = None,
                 allow_undeclared: bool = False, disable_macros: bool = False,
                 max_expression_length: int = 0, max_nesting_depth: int = 0,
                 cost_budget: int = 0, max_eval_memory: int = 0, **limits: int) -> None:
        unknown = sorted(set(limits) - set(LIMIT_NAMES))
        if unknown:
            raise TypeError(f"unknown limit {unknown[0]!r} (known: {', '.join(LIMIT_NAMES)})")
        opts = RpEnvOptions()
        lib.rp_env_options_init(byref(opts))
        opts.profile = _profile_number(profile)
        names: List[bytes] = [v.encode("utf-8") for v in (variables or ())]
        if names:
            arr = (c_char_p * (len(names) + 1))(*names, None)
            opts.variables = arr
        opts.allow_undeclared = int(bool(allow_undeclared))
        opts.disable_macros = int(bool(disable_macros))
        opts.max_expression_length = max_expression_length
        opts.max_nesting_depth = max_nesting_depth
        opts.cost_budget = cost_budget
        opts.max_eval_memory = max_eval_memory
        for name, value in limits.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise TypeError(f"limit {name} must be a non-negative int, not {value!r}")
            setattr(opts, name, value)
        err = RpError()
        ptr = lib.rp_env_new(byref(opts), byref(err))
        if not ptr:
            raise RaypolicyError._from(err)
        self.profile: str = PROFILE_NAMES[opts.profile]
        self.variables: tuple = tuple(v.decode() for v in names)
        self._handle = Handle(ptr, lib.rp_env_free, "environment")
        self._pool: List[Handle] = []
        self._finalizer = weakref.finalize(self, self._handle.close)

    # -- lifetime

    def close(self) -> None:
        """Free the environment and everything compiled in it, now."""
        self._pool.clear()
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> "Env":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<raypolicy.Env profile={self.profile!r}{state}>"

    # -- compiling

    def compile(self, expr: str) -> "Program":
        """Compile EXPR; raises CompileError (with line, column and caret)."""
        return Program(self, expr)

    # -- the activation pool (used by Program.eval)

    def _take_activation(self) -> Handle:
        try:
            return self._pool.pop()
        except IndexError:
            pass
        with self._handle.borrow() as env:
            err = RpError()
            ptr = lib.rp_activation_new(env, byref(err))
            if not ptr:
                raise RaypolicyError._from(err)
            return Handle(ptr, lib.rp_activation_free, "environment", parent=self._handle)

    def _give_back(self, act: Handle) -> None:
        if self._handle.closed:
            act.close()
        else:
            self._pool.append(act)


class Program:
    """A compiled expression.  Immutable: any number of threads may call
    ``eval()`` at once.  Made by :meth:`Env.compile`."""

    def __init__(self, env: Env, expr: str) -> None:
        data = expr.encode("utf-8")
        out = c_void_p()
        err = RpError()
        with env._handle.borrow() as e:
            rc = lib.rp_compile(e, data, len(data), byref(out), byref(err))
        if rc:
            raise CompileError._from(err, rc)
        self.env = env
        self.source = expr
        self._handle = Handle(out.value, lib.rp_program_free, "program", parent=env._handle)
        self._finalizer = weakref.finalize(self, self._handle.close)

    def close(self) -> None:
        """Free the program now (also done by the garbage collector)."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> "Program":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<raypolicy.Program {self.source!r}{state}>"

    def disassemble(self) -> str:
        """The bytecode, one instruction a line (for debugging)."""
        with self._handle.borrow() as p:
            text = take_string(lib.rp_program_disassemble(p))
        if text is None:
            raise MemoryError("rp_program_disassemble")
        return text

    def eval(self, variables: Optional[Mapping[str, Any]] = None, /, **kwargs: Any) -> Any:
        """Evaluate with the given variables and return the result as a
        Python value (see raypolicy.values for the mapping of types).

        Variables come as keyword arguments, ``program.eval(object={...})``,
        or as a mapping, ``program.eval({"object": {...}})``.  A value is a
        Python value (dict, list, str, int, float, bool, None, bytes,
        datetime, timedelta, Uint, Type) or a :class:`Json` holding JSON
        text; a str is a CEL string, never parsed as JSON.

        Raises EvalError when the expression evaluates to an error
        ("no such key: x", "division by zero", the cost budget), with the
        line and column of the failing sub-expression.
        """
        bindings = dict(variables or {})
        bindings.update(kwargs)
        encoded = [(name.encode("utf-8"), value) for name, value in bindings.items()]
        with self._handle.borrow() as prog:
            act = self.env._take_activation()
            try:
                with act.borrow() as a:
                    try:
                        return _run(prog, a, encoded)
                    finally:
                        lib.rp_activation_clear(a)
            finally:
                self.env._give_back(act)


def _run(prog: int, act: int, bindings: List[tuple]) -> Any:
    err = RpError()
    for name, value in bindings:
        if isinstance(value, Json):
            rc = lib.rp_activation_bind_json(act, name, value.text, len(value.text), byref(err))
        else:
            text = typed_text(value)
            rc = lib.rp_activation_bind_typed_json(act, name, text, len(text), byref(err))
        if rc:  # the message names the variable
            raise EvalError._from(err, rc)
    out = c_void_p()
    rc = lib.rp_eval(prog, act, byref(out), byref(err))
    if rc:
        raise EvalError._from(err, rc)
    try:
        return from_value(out.value)
    finally:
        lib.rp_value_free(out.value)
