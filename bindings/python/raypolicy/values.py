"""values.py -- CEL values to Python and Python values to CEL.

Results (rp_value) become Python values:

  ====================  =============================================
  CEL                   Python
  ====================  =============================================
  null                  None
  bool                  bool
  int                   int
  uint                  Uint (a subclass of int)
  double                float
  string                str
  bytes                 bytes
  list                  list
  map                   dict (CEL keeps the keys true and 1 apart, a
                        Python dict does not: such a map keeps one)
  timestamp             datetime.datetime, aware, in UTC (microseconds:
                        nanoseconds are truncated)
  duration              datetime.timedelta (microseconds, truncated)
  optional              its value, or None for optional.none()
  type                  Type (``Type("int")``; ``str()`` gives the name)
  Quantity, IP, ...     Opaque (the type's name only: the C API does not
                        expose their contents; convert in the expression,
                        string(ip(...)), quantity(...).asInteger(), ...)
  ====================  =============================================

Variables are passed the other way round through the cel.expr.Value JSON
form (rp_activation_bind_typed_json), so that every CEL type arrives intact:
int (within int64; above it, up to 2**64-1, uint), Uint, float (NaN and
infinities too), str, bytes/bytearray/memoryview, bool, None, list/tuple,
dict/Mapping (keys str, int, Uint or bool), aware datetime, timedelta and
Type.  A :class:`Json` holds JSON text that is bound as it is (the plain
JSON rule: integral numbers are int, others double), which is the fastest
way to pass a large document such as a manifest read from a file.
"""

from __future__ import annotations

import base64
import ctypes
import datetime as _dt
import json
import math
import re
from collections.abc import Mapping
from ctypes import byref, c_double, c_int, c_int64, c_size_t, c_uint64, c_void_p
from typing import Any, Union

from ._lib import lib, take_string

# rp_kind
_NULL, _BOOL, _INT, _UINT, _DOUBLE, _STRING, _BYTES, _LIST, _MAP, _TYPE, _TIMESTAMP, \
    _DURATION, _OPTIONAL, _OPAQUE = range(14)
_JSON_TYPED = 0x1

INT64_MIN, INT64_MAX, UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1

TIMESTAMP_TYPE = "type.googleapis.com/google.protobuf.Timestamp"
DURATION_TYPE = "type.googleapis.com/google.protobuf.Duration"


class Uint(int):
    """A CEL uint: an int that is passed to CEL, and comes back, as uint."""

    def __new__(cls, value: int = 0) -> "Uint":
        v = int.__new__(cls, value)
        if not 0 <= v <= UINT64_MAX:
            raise OverflowError(f"{value} is not a uint64")
        return v

    def __repr__(self) -> str:
        return f"Uint({int(self)})"


class Type:
    """A CEL type value, such as the result of ``type(1)``: ``Type("int")``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Type) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("raypolicy.Type", self.name))

    def __repr__(self) -> str:
        return f"Type({self.name!r})"

    def __str__(self) -> str:
        return self.name


class Opaque:
    """A value of a Kubernetes library type (Quantity, IP, CIDR, URL,
    Semver, ...) returned as a result.  Only its type name is known."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.type_name == self.type_name

    def __hash__(self) -> int:
        return hash(("raypolicy.Opaque", self.type_name))

    def __repr__(self) -> str:
        return f"Opaque({self.type_name!r})"


class Json:
    """JSON text to bind as it is, e.g. ``program.eval(object=Json(text))``.

    The text is parsed once by the library and evaluated in place; JSON
    numbers are CEL int when integral and within int64, else double.
    """

    __slots__ = ("text",)

    def __init__(self, text: Union[str, bytes]) -> None:
        self.text = text.encode("utf-8") if isinstance(text, str) else bytes(text)

    def __repr__(self) -> str:
        t = self.text[:40].decode("utf-8", "replace")
        return f"Json({t + ('...' if len(self.text) > 40 else '')!r})"


# ---- Python -> cel.expr.Value JSON -----------------------------------------------------

def _timestamp_text(d: _dt.datetime) -> str:
    if d.tzinfo is None or d.utcoffset() is None:
        raise ValueError(f"a naive datetime cannot be a CEL timestamp: {d!r} "
                         "(give it a tzinfo, e.g. datetime.timezone.utc)")
    u = d.astimezone(_dt.timezone.utc)
    frac = f".{u.microsecond:06d}" if u.microsecond else ""
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
            f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}{frac}Z")


def _duration_text(d: _dt.timedelta) -> str:
    us = (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
    sign, us = ("-", -us) if us < 0 else ("", us)
    return f"{sign}{us // 1_000_000}.{us % 1_000_000:06d}s"


def to_typed(v: Any) -> Any:
    """V as a cel.expr.Value JSON tree (dicts and lists, ready for json.dumps)."""
    if v is None:
        return {"nullValue": None}
    if v is True or v is False:
        return {"boolValue": v}
    if isinstance(v, Uint):
        return {"uint64Value": str(int(v))}
    if isinstance(v, int):
        if INT64_MIN <= v <= INT64_MAX:
            return {"int64Value": str(int(v))}
        if 0 <= v <= UINT64_MAX:
            return {"uint64Value": str(int(v))}
        raise OverflowError(f"{v} does not fit a CEL int or uint")
    if isinstance(v, float):
        if math.isnan(v):
            return {"doubleValue": "NaN"}
        if math.isinf(v):
            return {"doubleValue": "Infinity" if v > 0 else "-Infinity"}
        return {"doubleValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"bytesValue": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, Mapping):
        return {"mapValue": {"entries": [{"key": to_typed(k), "value": to_typed(x)}
                                         for k, x in v.items()]}}
    if isinstance(v, (list, tuple)):
        return {"listValue": {"values": [to_typed(x) for x in v]}}
    if isinstance(v, _dt.datetime):
        return {"objectValue": {"@type": TIMESTAMP_TYPE, "value": _timestamp_text(v)}}
    if isinstance(v, _dt.timedelta):
        return {"objectValue": {"@type": DURATION_TYPE, "value": _duration_text(v)}}
    if isinstance(v, Type):
        return {"typeValue": v.name}
    if isinstance(v, Json):
        return to_typed(json.loads(v.text))
    raise TypeError(f"cannot pass a {type(v).__name__} to CEL")


def typed_text(v: Any) -> bytes:
    """V as cel.expr.Value JSON text."""
    return json.dumps(to_typed(v), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---- cel.expr.Value JSON -> Python -------------------------------------------------------

_TS = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")
_DUR = re.compile(r"^(-)?(\d+)(?:\.(\d{1,9}))?s$")


def parse_timestamp(s: str) -> _dt.datetime:
    """An RFC 3339 UTC timestamp ("...Z", up to 9 fraction digits), truncated
    to microseconds."""
    m = _TS.match(s)
    if not m:
        raise ValueError(f"unexpected timestamp text {s!r}")
    y, mo, d, h, mi, sec = (int(x) for x in m.group(1, 2, 3, 4, 5, 6))
    us = int((m.group(7) or "").ljust(6, "0")[:6])
    return _dt.datetime(y, mo, d, h, mi, sec, us, tzinfo=_dt.timezone.utc)


def parse_duration(s: str) -> _dt.timedelta:
    """A protobuf JSON duration ("-1.5s"), truncated toward zero to microseconds."""
    m = _DUR.match(s)
    if not m:
        raise ValueError(f"unexpected duration text {s!r}")
    us = int(m.group(2)) * 1_000_000 + int((m.group(3) or "").ljust(6, "0")[:6])
    return _dt.timedelta(microseconds=-us if m.group(1) else us)


def from_typed(j: Any) -> Any:
    """A cel.expr.Value JSON tree as a Python value (the table above)."""
    ((k, x),) = j.items()
    if k == "nullValue":
        return None
    if k == "boolValue":
        return bool(x)
    if k == "int64Value":
        return int(x)
    if k == "uint64Value":
        return Uint(int(x))
    if k == "doubleValue":
        return float(x)  # float("NaN"), float("Infinity") work as well
    if k == "stringValue":
        return x
    if k == "bytesValue":
        return base64.b64decode(x)
    if k == "listValue":
        return [from_typed(e) for e in x.get("values", [])]
    if k == "mapValue":
        return {from_typed(e["key"]): from_typed(e["value"]) for e in x.get("entries", [])}
    if k == "typeValue":
        return Type(x)
    if k == "objectValue":
        t = x.get("@type", "")
        if t.endswith("google.protobuf.Timestamp"):
            return parse_timestamp(x["value"])
        if t.endswith("google.protobuf.Duration"):
            return parse_duration(x["value"])
    raise ValueError(f"unexpected cel.expr.Value {j!r}")


# ---- rp_value -> Python ---------------------------------------------------------------------

def _typed_json_of(ptr: int) -> Any:
    text = take_string(lib.rp_value_to_json(ptr, _JSON_TYPED))
    if text is None:
        raise MemoryError("rp_value_to_json")
    return json.loads(text)


def from_value(ptr: int) -> Any:
    """The rp_value at PTR (borrowed) as a Python value."""
    kind = lib.rp_value_kind(ptr)
    if kind == _STRING:
        p, n = c_void_p(), c_size_t()
        lib.rp_value_string(ptr, byref(p), byref(n))
        return ctypes.string_at(p.value, n.value).decode("utf-8", "surrogateescape") \
            if n.value else ""
    if kind == _INT:
        i = c_int64()
        lib.rp_value_int(ptr, byref(i))
        return i.value
    if kind == _BOOL:
        b = c_int()
        lib.rp_value_bool(ptr, byref(b))
        return bool(b.value)
    if kind == _NULL:
        return None
    if kind == _DOUBLE:
        d = c_double()
        lib.rp_value_double(ptr, byref(d))
        return d.value
    if kind == _UINT:
        u = c_uint64()
        lib.rp_value_uint(ptr, byref(u))
        return Uint(u.value)
    if kind == _LIST:
        return [from_value(lib.rp_value_list_at(ptr, i)) for i in range(lib.rp_value_count(ptr))]
    if kind == _MAP:
        return {from_value(lib.rp_value_map_key_at(ptr, i)):
                from_value(lib.rp_value_map_value_at(ptr, i))
                for i in range(lib.rp_value_count(ptr))}
    if kind == _BYTES:
        p, n = c_void_p(), c_size_t()
        lib.rp_value_string(ptr, byref(p), byref(n))
        return ctypes.string_at(p.value, n.value) if n.value else b""
    if kind == _TYPE:
        p, n = c_void_p(), c_size_t()
        lib.rp_value_string(ptr, byref(p), byref(n))
        return Type(ctypes.string_at(p.value, n.value).decode("utf-8"))
    if kind == _OPAQUE:
        return Opaque(_typed_json_of(ptr).get("stringValue", ""))
    # timestamp, duration and optional have no accessor: their typed JSON
    return from_typed(_typed_json_of(ptr))
