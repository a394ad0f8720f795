"""_lib.py -- loading libraypolicy and declaring the C functions the binding calls.

The library is found, in order, through:

1. the environment variable ``RAYPOLICY_LIBRARY`` (a path to the shared
   library, e.g. ``build/libraypolicy/.libs/libraypolicy.so.0``);
2. the build tree, when this package is imported from its source directory
   (``bindings/python`` of a checkout that has been built in place);
3. the directory ``configure`` was told to install the library into (the
   generated ``_config.py``, written by ``make``);
4. the system's loader (``ctypes.util.find_library("raypolicy")``, then
   ``libraypolicy.so.0``), which finds a library in the ld.so cache.

Every prototype is declared here once, so that ctypes converts arguments and
results exactly as include/raypolicy.h says.  ctypes releases the GIL during
each foreign call, so evaluations in several threads run in parallel.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (POINTER, c_char, c_char_p, c_double, c_int, c_int64, c_size_t,
                    c_uint, c_uint64, c_void_p)
from typing import List, Optional

SONAME = "libraypolicy.so.0"


class RpError(ctypes.Structure):
    """struct rp_error."""

    _fields_ = [
        ("code", c_int),
        ("line", c_uint),
        ("column", c_uint),
        ("source", c_char * 256),
        ("message", c_char * 512),
    ]


class RpEnvOptions(ctypes.Structure):
    """struct rp_env_options (fields in header order; only ever appended)."""

    _fields_ = [
        ("size", c_size_t),
        ("profile", c_int),
        ("variables", POINTER(c_char_p)),
        ("allow_undeclared", c_int),
        ("disable_macros", c_int),
        ("max_expression_length", c_size_t),
        ("max_nesting_depth", c_uint),
        ("cost_budget", c_uint64),
        ("max_eval_memory", c_size_t),
        ("max_ast_nodes", c_size_t),
        ("max_program_size", c_size_t),
        ("rule_cost_budget", c_uint64),
        ("max_string_size", c_size_t),
        ("max_list_size", c_size_t),
        ("max_regex_length", c_size_t),
        ("regex_match_limit", c_uint64),
        ("max_comprehension_iterations", c_uint64),
        ("max_input_bytes", c_size_t),
        ("max_input_depth", c_uint),
        ("max_input_documents", c_size_t),
        ("max_yaml_alias_nodes", c_size_t),
        ("max_pack_bytes", c_size_t),
    ]


# The limit fields of RpEnvOptions (docs/limits.md), in header order.
LIMIT_NAMES = tuple(name for name, _ in RpEnvOptions._fields_[5:])


def _candidates() -> List[str]:
    """Where to look for the shared library, in order (module docstring)."""
    out: List[str] = []
    env = os.environ.get("RAYPOLICY_LIBRARY")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))  # .../bindings/python/raypolicy
    bindings = os.path.dirname(os.path.dirname(here))
    built = os.path.join(os.path.dirname(bindings), "libraypolicy", ".libs", SONAME)
    if os.path.basename(bindings) == "bindings" and os.path.exists(built):
        out.append(built)
    try:
        from . import _config  # written by make from _config.py.in
        libdir = getattr(_config, "LIBDIR", "")
        if libdir and "@" not in libdir:
            out.append(os.path.join(libdir, SONAME))
    except ImportError:
        pass
    found = ctypes.util.find_library("raypolicy")
    if found:
        out.append(found)
    out.append(SONAME)
    return out


def _load() -> ctypes.CDLL:
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path}: no such file")
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(str(e))
    raise ImportError("raypolicy: cannot load libraypolicy (set RAYPOLICY_LIBRARY to the path "
                      "of libraypolicy.so.0, or install the library and run ldconfig): "
                      + "; ".join(tried))


lib = _load()

# (name, result type, argument types), in the header's order.
_PROTOTYPES = [
    ("rp_version", c_char_p, []),
    ("rp_version_number", c_int, []),
    ("rp_strerror", c_char_p, [c_int]),
    ("rp_env_options_init", None, [POINTER(RpEnvOptions)]),
    ("rp_env_new", c_void_p, [POINTER(RpEnvOptions), POINTER(RpError)]),
    ("rp_env_free", None, [c_void_p]),
    ("rp_compile", c_int, [c_void_p, c_char_p, c_size_t, POINTER(c_void_p), POINTER(RpError)]),
    ("rp_program_free", None, [c_void_p]),
    ("rp_program_disassemble", c_void_p, [c_void_p]),
    ("rp_activation_new", c_void_p, [c_void_p, POINTER(RpError)]),
    ("rp_activation_free", None, [c_void_p]),
    ("rp_activation_bind_json", c_int, [c_void_p, c_char_p, c_char_p, c_size_t, POINTER(RpError)]),
    ("rp_activation_bind_typed_json", c_int,
     [c_void_p, c_char_p, c_char_p, c_size_t, POINTER(RpError)]),
    ("rp_activation_clear", None, [c_void_p]),
    ("rp_eval", c_int, [c_void_p, c_void_p, POINTER(c_void_p), POINTER(RpError)]),
    ("rp_value_free", None, [c_void_p]),
    ("rp_value_kind", c_int, [c_void_p]),
    ("rp_value_bool", c_int, [c_void_p, POINTER(c_int)]),
    ("rp_value_int", c_int, [c_void_p, POINTER(c_int64)]),
    ("rp_value_uint", c_int, [c_void_p, POINTER(c_uint64)]),
    ("rp_value_double", c_int, [c_void_p, POINTER(c_double)]),
    ("rp_value_string", c_int, [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]),
    ("rp_value_count", c_size_t, [c_void_p]),
    ("rp_value_list_at", c_void_p, [c_void_p, c_size_t]),
    ("rp_value_map_key_at", c_void_p, [c_void_p, c_size_t]),
    ("rp_value_map_value_at", c_void_p, [c_void_p, c_size_t]),
    ("rp_value_to_json", c_void_p, [c_void_p, c_uint]),
    ("rp_free", None, [c_void_p]),
    ("rp_pack_load_file", c_void_p, [c_void_p, c_char_p, POINTER(RpError)]),
    ("rp_pack_load_string", c_void_p, [c_void_p, c_char_p, c_size_t, c_char_p, POINTER(RpError)]),
    ("rp_pack_load_builtin", c_void_p, [c_void_p, c_char_p, POINTER(RpError)]),
    ("rp_pack_builtin_names", POINTER(c_char_p), []),
    ("rp_pack_free", None, [c_void_p]),
    ("rp_pack_name", c_char_p, [c_void_p]),
    ("rp_pack_version", c_char_p, [c_void_p]),
    ("rp_pack_source", c_char_p, [c_void_p]),
    ("rp_pack_profile", c_int, [c_void_p]),
    ("rp_pack_rule_count", c_size_t, [c_void_p]),
    ("rp_pack_rule_id", c_char_p, [c_void_p, c_size_t]),
    ("rp_checker_new", c_void_p, [POINTER(RpError)]),
    ("rp_checker_new_v2", c_void_p, [c_void_p, POINTER(RpError)]),
    ("rp_checker_free", None, [c_void_p]),
    ("rp_checker_add_pack", c_int, [c_void_p, c_void_p, POINTER(RpError)]),
    ("rp_checker_set_params", c_int, [c_void_p, c_char_p, c_size_t, c_char_p, POINTER(RpError)]),
    ("rp_checker_add_input", c_int, [c_void_p, c_char_p, c_char_p, c_size_t, POINTER(RpError)]),
    ("rp_checker_add_path", c_int, [c_void_p, c_char_p, POINTER(RpError)]),
    ("rp_checker_run", c_void_p, [c_void_p, POINTER(RpError)]),
    ("rp_report_free", None, [c_void_p]),
    ("rp_report_render", c_void_p, [c_void_p, c_int, c_uint]),
    ("rp_report_finding_count", c_size_t, [c_void_p]),
    ("rp_report_finding_get", c_char_p, [c_void_p, c_size_t, c_int]),
    ("rp_report_finding_document", c_uint, [c_void_p, c_size_t]),
    ("rp_report_finding_line", c_uint, [c_void_p, c_size_t]),
    ("rp_report_finding_bypassed", c_int, [c_void_p, c_size_t]),
    ("rp_report_error_count", c_size_t, [c_void_p]),
    ("rp_report_error_message", c_char_p, [c_void_p, c_size_t]),
    ("rp_report_error_kind", c_char_p, [c_void_p, c_size_t]),
    ("rp_report_error_file", c_char_p, [c_void_p, c_size_t]),
    ("rp_report_error_line", c_uint, [c_void_p, c_size_t]),
    ("rp_report_error_column", c_uint, [c_void_p, c_size_t]),
    ("rp_report_fails", c_int, [c_void_p, c_char_p]),
    ("rp_pack_lint", c_void_p, [c_void_p]),
    ("rp_test_suite_run", c_void_p, [c_void_p, c_char_p, POINTER(RpError)]),
    ("rp_test_run_free", None, [c_void_p]),
    ("rp_test_run_suite_name", c_char_p, [c_void_p]),
    ("rp_test_run_case_count", c_size_t, [c_void_p]),
    ("rp_test_run_case_name", c_char_p, [c_void_p, c_size_t]),
    ("rp_test_run_case_passed", c_int, [c_void_p, c_size_t]),
    ("rp_test_run_case_detail", c_char_p, [c_void_p, c_size_t]),
]

for _name, _res, _args in _PROTOTYPES:
    _fn = getattr(lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args


def library_version() -> str:
    """rp_version(): the version of the library actually loaded."""
    return lib.rp_version().decode()


def text(p: Optional[bytes]) -> Optional[str]:
    """A borrowed C string as str (None stays None); invalid UTF-8 is replaced."""
    return None if p is None else p.decode("utf-8", "replace")


def take_string(p: Optional[int]) -> Optional[str]:
    """A `char *` the library allocated, as str; frees it with rp_free()."""
    if not p:
        return None
    try:
        return ctypes.string_at(p).decode("utf-8", "replace")
    finally:
        lib.rp_free(p)
