"""raypolicy -- Python binding of libraypolicy, over its C ABI (ctypes).

libraypolicy compiles Common Expression Language (CEL) expressions, in the
dialect Kubernetes uses for ValidatingAdmissionPolicy, and evaluates them
against JSON; its policy layer checks Kubernetes manifests against packs of
rules.

    import raypolicy
    env = raypolicy.Env()                                  # the kubernetes profile
    prog = env.compile("object.spec.replicas <= 3")
    prog.eval(object={"spec": {"replicas": 5}})            # False

    pack = raypolicy.load_pack("ray-hardening")
    report = pack.check(paths=["manifests/"])
    print(report.to_text())

The shared library is found through RAYPOLICY_LIBRARY, the build tree, the
directory it was installed in, or the system's loader (raypolicy._lib).
Env, Program, Pack and Report free their C handles on close(), at the end of
a ``with`` block, or when garbage-collected.  A Program may be evaluated by
any number of threads at once.
"""

from ._lib import LIMIT_NAMES, library_version
from .errors import (CheckError, ClosedError, CompileError, ErrorCode, EvalError, PackError,
                     RaypolicyError)
from .expr import PROFILES, Env, Program
from .policy import (Finding, Pack, Problem, Report, TestCase, TestRun, builtin_pack_names, check,
                     load_pack, load_pack_string, run_tests)
from .values import Json, Opaque, Type, Uint

__version__: str = library_version()
"""The version of the loaded library (rp_version())."""

__all__ = [
    "__version__", "Env", "Program", "PROFILES", "LIMIT_NAMES", "Json", "Uint", "Type", "Opaque",
    "Pack", "load_pack", "load_pack_string", "builtin_pack_names", "check", "Report", "Finding",
    "Problem", "TestRun", "TestCase", "run_tests",
    "RaypolicyError", "CompileError", "EvalError", "PackError", "CheckError", "ClosedError",
    "ErrorCode",
]
