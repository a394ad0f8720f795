"""test_values.py -- every CEL type into and out of Python.  Expected values
are the CEL definitions (cel-spec langdef.md), not this library's output."""
import datetime as dt
import math

import pytest

import raypolicy
from raypolicy import Json, Opaque, Type, Uint

UTC = dt.timezone.utc


def ev(env, expr, **kw):
    return env.compile(expr).eval(**kw)


# ---- results -------------------------------------------------------------------

@pytest.mark.parametrize("expr, want", [
    ("null", None),
    ("true", True),
    ("1 > 2", False),
    ("-7", -7),
    ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -2**63),
    ("2.5", 2.5),
    ("1e100", 1e100),
    ("'héllo'", "héllo"),
    ("''", ""),
    ("b'\\x00\\xffa'", b"\x00\xffa"),
    ("b''", b""),
    ("[1, 'a', [true]]", [1, "a", [True]]),
    ("[]", []),
    ("{'a': 1, 'b': [2.5]}", {"a": 1, "b": [2.5]}),
    ("{}", {}),
    ("{1: 'one', false: 'no'}", {1: "one", False: "no"}),
    ("type(1)", Type("int")),
    ("type('a')", Type("string")),
    ("type(null)", Type("null_type")),
    ("double", Type("double")),
    ("type(type(1))", Type("type")),
])
def test_scalar_and_aggregate_results(cel, expr, want):
    got = ev(cel, expr)
    assert got == want
    assert type(got) is type(want)


def test_int_results_are_int_and_bool_is_not_int(cel):
    assert type(ev(cel, "1")) is int
    assert type(ev(cel, "true")) is bool


def test_uint_is_an_int_subclass(cel):
    got = ev(cel, "18446744073709551615u")
    assert isinstance(got, Uint) and isinstance(got, int)
    assert got == 2**64 - 1
    assert repr(got) == "Uint(18446744073709551615)"
    assert ev(cel, "[1u, 2u]") == [Uint(1), Uint(2)]


def test_special_doubles(cel):
    assert math.isnan(ev(cel, "double('NaN')"))
    assert ev(cel, "double('Infinity')") == math.inf
    assert ev(cel, "-double('Infinity')") == -math.inf
    assert ev(cel, "-0.0") == 0.0 and math.copysign(1, ev(cel, "-0.0")) == -1


def test_map_key_kinds(cel):
    got = ev(cel, "{1u: 'u', -1: 'i', false: 'b', 's': 's'}")
    assert got == {1: "u", -1: "i", False: "b", "s": "s"}
    assert any(isinstance(k, Uint) for k in got)


def test_timestamps_are_aware_utc_datetimes(cel):
    got = ev(cel, "timestamp('2023-01-02T03:04:05.123456789Z')")
    assert got == dt.datetime(2023, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)  # ns truncated
    assert got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)
    # an offset in the text is the same instant, returned in UTC
    assert ev(cel, "timestamp('2023-01-02T03:04:05+02:00')") == \
        dt.datetime(2023, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert ev(cel, "timestamp('0001-01-01T00:00:00Z')") == dt.datetime(1, 1, 1, tzinfo=UTC)
    assert ev(cel, "timestamp('9999-12-31T23:59:59.999999999Z')") == \
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert ev(cel, "timestamp(0)") == dt.datetime(1970, 1, 1, tzinfo=UTC)


def test_durations_are_timedeltas(cel):
    assert ev(cel, "duration('1.5s')") == dt.timedelta(seconds=1.5)
    assert ev(cel, "duration('1h2m3s')") == dt.timedelta(hours=1, minutes=2, seconds=3)
    assert ev(cel, "duration('-90m')") == dt.timedelta(minutes=-90)
    assert ev(cel, "duration('1us')") == dt.timedelta(microseconds=1)
    assert ev(cel, "duration('1ns')") == dt.timedelta(0)  # below a microsecond
    assert ev(cel, "duration('-1.000001s')") == dt.timedelta(seconds=-1, microseconds=-1)
    assert ev(cel, "timestamp('2024-01-01T00:00:00Z') - timestamp('2023-12-31T00:00:00Z')") \
        == dt.timedelta(days=1)


def test_optionals_are_their_value_or_none(ext):
    assert ev(ext, "optional.of(1)") == 1
    assert ev(ext, "optional.none()") is None
    assert ev(ext, "{'a': 1}.?b") is None
    assert ev(ext, "{'a': {'b': 'c'}}.?a.b") == "c"
    assert ev(ext, "[optional.of(2u), optional.none()]") == [Uint(2), None]
    assert ev(ext, "optional.of(timestamp('2020-01-01T00:00:00Z'))") == \
        dt.datetime(2020, 1, 1, tzinfo=UTC)
    assert ev(ext, "optional.of(b'\\x01')") == b"\x01"


def test_library_types_are_opaque(ext):
    q = ev(ext, "quantity('1Gi')")
    assert isinstance(q, Opaque) and q.type_name == "kubernetes.Quantity"
    assert isinstance(ev(ext, "ip('10.0.0.1')"), Opaque)
    # their text comes through string()
    assert ev(ext, "string(ip('10.0.0.1'))") == "10.0.0.1"


def test_large_nested_result(cel):
    got = ev(cel, "[1, 2, 3].map(i, {'i': i, 'sq': i * i, 'l': [i, string(i)]})")
    assert got == [{"i": i, "sq": i * i, "l": [i, str(i)]} for i in (1, 2, 3)]


# ---- variables -----------------------------------------------------------------------

@pytest.mark.parametrize("value, expr, want", [
    (None, "x == null", True),
    (True, "x && true", True),
    (41, "x + 1", 42),
    (-2**63, "x", -2**63),
    (2**63, "type(x) == uint", True),  # above int64: uint
    (Uint(3), "x + 1u", Uint(4)),
    (Uint(3), "type(x)", Type("uint")),
    (1.5, "x * 2.0", 3.0),
    (2.0, "type(x)", Type("double")),  # a float stays double
    ("str", "x + '!'", "str!"),
    ('{"a": 1}', "size(x)", 8),  # a str is a CEL string, not JSON
    (b"\x00\x01", "size(x)", 2),
    (bytearray(b"ab"), "x == b'ab'", True),
    ([1, "a"], "x[1]", "a"),
    ((1, 2), "size(x)", 2),
    ({"a": {"b": [1, 2]}}, "x.a.b[1]", 2),
    ({1: "one"}, "x[1]", "one"),  # int keys stay int
    ({True: 1}, "x[true]", 1),
    (Type("int"), "x == int", True),
    (dt.datetime(2020, 5, 6, 7, 8, 9, 10, tzinfo=UTC), "x.getFullYear()", 2020),
    (dt.datetime(2020, 5, 6, 7, 8, 9, 10, tzinfo=UTC), "x.getMilliseconds()", 0),
    (dt.datetime(2020, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     "string(x)", "2019-12-31T23:00:00Z"),
    (dt.timedelta(minutes=2, microseconds=5), "x.getSeconds()", 120),
    (dt.timedelta(milliseconds=-1500), "string(x)", "-1.5s"),  # cel-go: FormatFloat(secs)
    (Json('{"a": [1, 2.5]}'), "x.a", [1, 2.5]),
    (Json(b'[1, 2.0]'), "type(x[1])", Type("double")),
])
def test_variables(cel, value, expr, want):
    got = ev(cel, expr, x=value)
    assert got == want and type(got) is type(want)


def test_special_double_variables(cel):
    assert ev(cel, "x != x", x=math.nan) is True
    assert ev(cel, "x > 1e308", x=math.inf) is True
    assert ev(cel, "x < -1e308", x=-math.inf) is True


def test_round_trip_of_every_type(cel):
    values = [None, True, 7, Uint(7), 7.5, "s", b"b", [1, [2]], {"k": {"n": None}}, Type("bool"),
              dt.datetime(2021, 2, 3, 4, 5, 6, 789000, tzinfo=UTC), dt.timedelta(seconds=-3.25)]
    prog = cel.compile("x")
    for v in values:
        got = prog.eval(x=v)
        assert got == v and type(got) is type(v), v


def test_mapping_or_keywords(cel):
    prog = cel.compile("x - y")
    assert prog.eval({"x": 5, "y": 2}) == 3
    assert prog.eval({"x": 5}, y=4) == 1


def test_bad_variables():
    with raypolicy.Env("cel", variables=["x"]) as env:
        prog = env.compile("x")
        with pytest.raises(OverflowError):
            prog.eval(x=2**64)
        with pytest.raises(TypeError):
            prog.eval(x=object())
        with pytest.raises(ValueError, match="naive"):
            prog.eval(x=dt.datetime(2020, 1, 1))
        with pytest.raises(raypolicy.EvalError) as e:
            prog.eval(x=Json("{not json"))
        assert e.value.code == raypolicy.ErrorCode.EJSON
        with pytest.raises(OverflowError):
            Uint(-1)
        # the program still works afterwards
        assert prog.eval(x=1) == 1
