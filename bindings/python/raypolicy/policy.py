"""policy.py -- policy packs, checks of Kubernetes objects, reports and
policy test suites (docs/policy.md, docs/policy-tests.md).

    pack = raypolicy.load_pack("ray-hardening")        # or a file path
    report = pack.check(paths=["manifests/"])
    for f in report.findings:
        print(f.rule, f.severity, f.name, f.message)
    sys.exit(1 if report.fails() else 0)

Packs are immutable and may be shared by threads; a check builds its own
rp_checker, so checks may run in several threads at once.
"""

from __future__ import annotations

import json
import os
import weakref
from contextlib import ExitStack
from ctypes import byref
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from ._handle import Handle
from ._lib import RpError, lib, take_string, text
from .errors import CheckError, ErrorCode, PackError
from .expr import PROFILE_NAMES, Env

PathLike = Union[str, "os.PathLike[str]"]
# What check() accepts as objects: a mapping (one object), YAML or JSON
# text (str or bytes), an os.PathLike (a file or directory), or a list of these.
Objects = Union[Mapping[str, Any], str, bytes, "os.PathLike[str]",
                Iterable[Union[Mapping[str, Any], str, bytes, "os.PathLike[str]"]]]

# rp_report_format and the rp_finding_field order of include/raypolicy.h
_TEXT, _JSON, _SARIF, _JUNIT = range(4)
_REPORT_COLOR = 0x1
(_F_RULE, _F_SEVERITY, _F_ACTION, _F_MESSAGE, _F_FILE, _F_API_VERSION, _F_KIND,
 _F_NAMESPACE, _F_NAME, _F_PATH, _F_BREAK_GLASS) = range(11)


def builtin_pack_names() -> List[str]:
    """The names of the packs compiled into the library ("ray-hardening")."""
    names = lib.rp_pack_builtin_names()
    out = []
    i = 0
    while names[i]:
        out.append(names[i].decode())
        i += 1
    return out


def _is_pack_file(spec: str) -> bool:
    """rpeval's rule: a path has a '/' or a .yaml/.yml/.json suffix."""
    return "/" in spec or spec.endswith((".yaml", ".yml", ".json"))


def _err_check(rc: int, err: RpError, cls: type = CheckError) -> None:
    if rc:
        raise cls._from(err, rc)


class Pack:
    """A compiled policy pack.  Made by :func:`load_pack` or
    :func:`load_pack_string`; freed by ``close()``, a ``with`` block or the
    garbage collector."""

    def __init__(self, ptr: int) -> None:
        self._handle = Handle(ptr, lib.rp_pack_free, "pack")
        self._finalizer = weakref.finalize(self, self._handle.close)
        self.name: str = text(lib.rp_pack_name(ptr)) or ""
        self.version: str = text(lib.rp_pack_version(ptr)) or ""
        self.source: str = text(lib.rp_pack_source(ptr)) or ""
        self.profile: str = PROFILE_NAMES.get(lib.rp_pack_profile(ptr), "kubernetes")
        self.rule_ids: List[str] = [text(lib.rp_pack_rule_id(ptr, i)) or ""
                                    for i in range(lib.rp_pack_rule_count(ptr))]

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> "Pack":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<raypolicy.Pack {self.name!r} {len(self.rule_ids)} rules from {self.source!r}>"

    def lint(self) -> List[str]:
        """Warnings about rules that can never match, one string each
        ("file:line: warning: RULE: ..."); [] when there is none."""
        with self._handle.borrow() as p:
            out = take_string(lib.rp_pack_lint(p))
        if out is None:
            raise MemoryError("rp_pack_lint")
        return [line for line in out.splitlines() if line]

    def check(self, objects: Optional[Objects] = None, params: Any = None, *,
              paths: Iterable[PathLike] = (), env: Optional[Env] = None) -> "Report":
        """Check OBJECTS and PATHS with this pack (see :func:`check`)."""
        return check(objects, params, packs=[self], paths=paths, env=env)


def load_pack(path_or_name: PathLike, env: Optional[Env] = None) -> Pack:
    """Load a pack: a built-in one by name ("ray-hardening"), or a file.

    A str with a '/' or a .yaml/.yml/.json suffix, or any os.PathLike, is a
    file; anything else names a built-in pack.  ENV (optional) supplies the
    limits and the most a pack's profile may be (an ``Env("kubernetes")``
    compiles an extended pack as a Kubernetes API server would, and rejects
    what it cannot compile).  Raises PackError with file:line:column.
    """
    err = RpError()
    with _env_ptr(env) as e:
        if isinstance(path_or_name, os.PathLike) or _is_pack_file(path_or_name):
            ptr = lib.rp_pack_load_file(e, os.fsencode(path_or_name), byref(err))
        else:
            ptr = lib.rp_pack_load_builtin(e, path_or_name.encode("utf-8"), byref(err))
    if not ptr:
        raise PackError._from(err, ErrorCode.EPACK)
    return Pack(ptr)


def load_pack_string(pack_text: Union[str, bytes], source: str = "<pack>",
                     env: Optional[Env] = None) -> Pack:
    """Load a pack from YAML or JSON text; SOURCE names it in errors."""
    data = pack_text.encode("utf-8") if isinstance(pack_text, str) else bytes(pack_text)
    err = RpError()
    with _env_ptr(env) as e:
        ptr = lib.rp_pack_load_string(e, data, len(data), source.encode("utf-8"), byref(err))
    if not ptr:
        raise PackError._from(err, ErrorCode.EPACK)
    return Pack(ptr)


class _NoEnv:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        pass


def _env_ptr(env: Optional[Env]) -> Any:
    return env._handle.borrow() if env is not None else _NoEnv()


# ---- Checks -------------------------------------------------------------------------

def _as_list(objects: Optional[Objects]) -> List[Any]:
    if objects is None:
        return []
    if isinstance(objects, (Mapping, str, bytes, bytearray, os.PathLike)):
        return [objects]
    return list(objects)


def _params_text(params: Any) -> tuple:
    """(text, source) of PARAMS: a mapping, YAML/JSON text, or an os.PathLike."""
    if isinstance(params, os.PathLike):
        with open(params, "rb") as fp:
            return fp.read(), os.fsdecode(params)
    if isinstance(params, Mapping):
        return json.dumps(params).encode("utf-8"), "<params>"
    if isinstance(params, str):
        return params.encode("utf-8"), "<params>"
    if isinstance(params, (bytes, bytearray)):
        return bytes(params), "<params>"
    raise TypeError(f"params must be a mapping, text or a path, not {type(params).__name__}")


def check(objects: Optional[Objects] = None, params: Any = None, *,
          packs: Sequence[Union[Pack, str]] = ("ray-hardening",),
          paths: Iterable[PathLike] = (), env: Optional[Env] = None) -> "Report":
    """Check Kubernetes objects against PACKS and return the Report.

    OBJECTS is one of, or a list of:
      - a mapping: one object (all mappings of the list form one input,
        ``<objects>``, whose document N is the Nth mapping);
      - a str or bytes: YAML (any number of documents) or JSON text, named
        ``<input>`` (``<input 2>``, ... for later ones);
      - an os.PathLike (pathlib.Path): a file, a directory (its .yaml, .yml
        and .json files, recursively) or "-" for standard input.
    PATHS are more files or directories, given as str or os.PathLike.
    PARAMS: a mapping, YAML/JSON text or an os.PathLike of a parameter file,
    merged over every pack's defaults.  PACKS: Pack objects or names for
    :func:`load_pack`.  ENV (optional) supplies the limits within which the
    inputs and parameters are read (max_input_bytes, max_input_depth,
    max_input_documents, max_yaml_alias_nodes) and the packs named in PACKS
    are loaded; an input beyond a limit is an error of the report.

    Unreadable inputs do not raise: they are in ``Report.errors``, and every
    other document is still checked.  Raises CheckError for parameters that
    cannot be parsed, PackError for a pack that cannot be loaded or two packs
    sharing a rule ID.
    """
    with ExitStack() as stack:
        pack_ptrs = []
        for spec in packs:
            pack = spec if isinstance(spec, Pack) else load_pack(spec, env)
            if pack is not spec:
                stack.callback(pack.close)
            pack_ptrs.append(stack.enter_context(pack._handle.borrow()))
        err = RpError()
        ptr = lib.rp_checker_new_v2(stack.enter_context(_env_ptr(env)), byref(err))
        if not ptr:
            raise CheckError._from(err, ErrorCode.ENOMEM)
        stack.callback(lib.rp_checker_free, ptr)
        for pack_ptr in pack_ptrs:
            _err_check(lib.rp_checker_add_pack(ptr, pack_ptr, byref(err)), err, PackError)
        if params is not None:
            data, source = _params_text(params)
            _err_check(lib.rp_checker_set_params(ptr, data, len(data), source.encode("utf-8"),
                                                 byref(err)), err)
        _add_inputs(ptr, _as_list(objects), paths)
        rep = lib.rp_checker_run(ptr, byref(err))
        if not rep:
            raise CheckError._from(err, ErrorCode.ENOMEM)
        return Report(rep)


def _add_inputs(ptr: int, items: List[Any], paths: Iterable[PathLike]) -> None:
    mappings = [x for x in items if isinstance(x, Mapping)]
    texts = 0
    for x in items:
        err = RpError()
        if isinstance(x, Mapping):
            if x is not mappings[0]:
                continue
            # one input, one document per mapping, in list order
            data = "".join("---\n" + json.dumps(m) + "\n" for m in mappings).encode("utf-8")
            rc = lib.rp_checker_add_input(ptr, b"<objects>", data, len(data), byref(err))
        elif isinstance(x, (str, bytes, bytearray)):
            texts += 1
            data = x.encode("utf-8") if isinstance(x, str) else bytes(x)
            name = "<input>" if texts == 1 else f"<input {texts}>"
            rc = lib.rp_checker_add_input(ptr, name.encode(), data, len(data), byref(err))
        elif isinstance(x, os.PathLike):
            rc = lib.rp_checker_add_path(ptr, os.fsencode(x), byref(err))
        else:
            raise TypeError(f"cannot check a {type(x).__name__}: give mappings, "
                            "YAML/JSON text or pathlib.Path objects")
        _fatal(rc, err)
    for p in paths:
        err = RpError()
        _fatal(lib.rp_checker_add_path(ptr, os.fsencode(p), byref(err)), err)


def _fatal(rc: int, err: RpError) -> None:
    """Only misuse and out-of-memory stop a check; the rest is in the report."""
    if rc in (ErrorCode.ENOMEM, ErrorCode.EINVAL):
        raise CheckError._from(err, rc)


# ---- Reports --------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """A failing validation of one rule on one object (or a bypassed one,
    when the object is break-glassed)."""

    rule: str
    severity: str            # critical | high | medium | low | info
    action: str              # deny | warn | audit
    message: str
    file: str
    document: int            # 0-based index of the document in its file
    line: int                # 1-based; 0 unknown
    api_version: str
    kind: str
    namespace: Optional[str]
    name: str
    path: Optional[str]      # the offending field, when the rule names one
    bypassed: bool
    break_glass: Optional[str]  # the bypass reason


@dataclass(frozen=True)
class Problem:
    """An entry of Report.errors: an input that could not be read, a bad
    parameter, a pack problem or a rule that could not be evaluated.  (A
    record, not an exception.)"""

    kind: str                # input | params | pack | eval
    file: Optional[str]
    line: int                # 1-based; 0 unknown
    column: int
    message: str


class Report:
    """The outcome of a check: ``findings``, ``errors`` and the report in
    the four formats.  Its data is read once; ``close()`` (or the garbage
    collector) frees the C report, after which only the formats fail."""

    def __init__(self, ptr: int) -> None:
        self._handle = Handle(ptr, lib.rp_report_free, "report")
        self._finalizer = weakref.finalize(self, self._handle.close)
        get = lib.rp_report_finding_get

        def s(i: int, f: int) -> str:
            return text(get(ptr, i, f)) or ""

        self.findings: List[Finding] = [
            Finding(rule=s(i, _F_RULE), severity=s(i, _F_SEVERITY), action=s(i, _F_ACTION),
                    message=s(i, _F_MESSAGE), file=s(i, _F_FILE),
                    document=lib.rp_report_finding_document(ptr, i),
                    line=lib.rp_report_finding_line(ptr, i),
                    api_version=s(i, _F_API_VERSION), kind=s(i, _F_KIND),
                    namespace=text(get(ptr, i, _F_NAMESPACE)), name=s(i, _F_NAME),
                    path=text(get(ptr, i, _F_PATH)),
                    bypassed=bool(lib.rp_report_finding_bypassed(ptr, i)),
                    break_glass=text(get(ptr, i, _F_BREAK_GLASS)))
            for i in range(lib.rp_report_finding_count(ptr))]
        self.errors: List[Problem] = [
            Problem(kind=text(lib.rp_report_error_kind(ptr, i)) or "",
                    file=text(lib.rp_report_error_file(ptr, i)),
                    line=lib.rp_report_error_line(ptr, i),
                    column=lib.rp_report_error_column(ptr, i),
                    message=text(lib.rp_report_error_message(ptr, i)) or "")
            for i in range(lib.rp_report_error_count(ptr))]

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> "Report":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<raypolicy.Report {len(self.findings)} findings, {len(self.errors)} errors>"

    def fails(self, fail_on: Optional[str] = None) -> bool:
        """Whether the check fails: a finding that is not bypassed whose rule's
        action is deny (FAIL_ON None), or whose severity is FAIL_ON or worse.
        (Evaluation errors are in ``errors``; rpeval check fails on them too.)"""
        with self._handle.borrow() as r:
            rc = lib.rp_report_fails(r, fail_on.encode() if fail_on is not None else None)
        if rc < 0:
            raise ValueError(f"unknown severity {fail_on!r} "
                             "(want critical, high, medium, low or info)")
        return bool(rc)

    def _render(self, fmt: int, flags: int = 0) -> str:
        with self._handle.borrow() as r:
            out = take_string(lib.rp_report_render(r, fmt, flags))
        if out is None:
            raise MemoryError("rp_report_render")
        return out

    def to_text(self, color: bool = False) -> str:
        """For people: grouped by file and object, with a summary line."""
        return self._render(_TEXT, _REPORT_COLOR if color else 0)

    def to_json(self) -> str:
        """{"findings": [...], "errors": [...], "results": [...], "summary": {...}}."""
        return self._render(_JSON)

    def to_sarif(self) -> str:
        """SARIF 2.1.0."""
        return self._render(_SARIF)

    def to_junit(self) -> str:
        """JUnit XML: one test case per object and rule."""
        return self._render(_JUNIT)

    @property
    def summary(self) -> dict:
        """The "summary" object of the JSON report."""
        return json.loads(self.to_json())["summary"]


# ---- Policy test suites -----------------------------------------------------------------

@dataclass(frozen=True)
class TestCase:
    """One case of a policy test suite."""

    __test__ = False  # not a pytest test class
    name: str
    passed: bool
    detail: Optional[str]  # why it failed (file:line, objects, what happened)


@dataclass(frozen=True)
class TestRun:
    """The outcome of one policy test suite (docs/policy-tests.md)."""

    __test__ = False
    suite: str
    cases: List[TestCase] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)


def run_tests(path: PathLike, env: Optional[Env] = None) -> TestRun:
    """Run the policy test suite in file PATH.  Raises PackError when it
    cannot run (ENOTFOUND: the file is YAML but not a PolicyTest)."""
    err = RpError()
    with _env_ptr(env) as e:
        ptr = lib.rp_test_suite_run(e, os.fsencode(path), byref(err))
    if not ptr:
        raise PackError._from(err, ErrorCode.EPACK)
    try:
        cases = [TestCase(name=text(lib.rp_test_run_case_name(ptr, i)) or "",
                          passed=bool(lib.rp_test_run_case_passed(ptr, i)),
                          detail=text(lib.rp_test_run_case_detail(ptr, i)))
                 for i in range(lib.rp_test_run_case_count(ptr))]
        return TestRun(suite=text(lib.rp_test_run_suite_name(ptr)) or "", cases=cases)
    finally:
        lib.rp_test_run_free(ptr)


__all__ = ["Pack", "load_pack", "load_pack_string", "builtin_pack_names", "check", "Report",
           "Finding", "Problem", "TestCase", "TestRun",
           "run_tests"]
