"""test_errors.py -- compile and evaluation errors: classes, codes, positions
and cel-go's caret layout."""
import pytest

import raypolicy
from raypolicy import CompileError, ErrorCode, EvalError, RaypolicyError


def test_syntax_error_has_position_and_caret(cel):
    with pytest.raises(CompileError) as e:
        cel.compile("1 + ")
    err = e.value
    assert isinstance(err, RaypolicyError)
    assert err.code == ErrorCode.ESYNTAX == -3 and err.code.name == "ESYNTAX"
    assert err.code.description == "syntax error"
    assert (err.source, err.line, err.column) == ("<expression>", 1, 5)
    lines = str(err).split("\n")
    assert lines[0].startswith("<expression>:1:5: ")
    assert lines[1:] == [" | 1 + ", " | ....^"]


def test_undeclared_reference_is_a_check_error(cel):
    with pytest.raises(CompileError) as e:
        cel.compile("x + zz")
    err = e.value
    assert err.code == ErrorCode.ECHECK
    assert (err.line, err.column) == (1, 5)
    assert "undeclared reference to 'zz'" in err.message
    assert str(err).endswith(" | x + zz\n | ....^")


def test_position_on_a_later_line_counts_code_points(cel):
    with pytest.raises(CompileError) as e:
        cel.compile("'é' +\n  nope")
    assert (e.value.line, e.value.column) == (2, 3)


def test_kubernetes_profile_rejects_extended_functions():
    with raypolicy.Env("kubernetes") as env:
        with pytest.raises(CompileError) as e:
            env.compile("math.greatest(1, 2)")
        assert e.value.code == ErrorCode.ECHECK
    with raypolicy.Env("extended") as env:
        assert env.compile("math.greatest(1, 2)").eval() == 2


def test_length_limit():
    with raypolicy.Env("cel", max_expression_length=10) as env:
        with pytest.raises(CompileError) as e:
            env.compile("1 + 2 + 3 + 4")
        assert e.value.code == ErrorCode.ELIMIT


def test_evaluation_errors_have_message_and_position(cel):
    with pytest.raises(EvalError) as e:
        cel.compile("x / y").eval(x=1, y=0)
    err = e.value
    assert err.code == ErrorCode.EEVAL
    assert "division by zero" in err.message
    assert (err.line, err.column) == (1, 3)
    assert str(err) == "<expression>:1:3: division by zero"


def test_no_such_key(top):
    with raypolicy.Env() as env:
        prog = env.compile("object.metadata.nmae")
        with pytest.raises(EvalError) as e:
            prog.eval(object=raypolicy.Json((top / "examples" / "raycluster.json").read_bytes()))
    assert str(e.value) == "<expression>:1:16: no such key: nmae"  # as rpeval prints it


def test_cost_budget_is_a_limit_error(cel):
    with raypolicy.Env("cel", cost_budget=100) as env:
        prog = env.compile("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(i, [1, 2, 3, 4, 5].map(j, i * j))")
        with pytest.raises(EvalError) as e:
            prog.eval()
        assert e.value.code == ErrorCode.ELIMIT


def test_unbound_variable(cel):
    with pytest.raises(EvalError):
        cel.compile("x").eval()


def test_allow_undeclared_and_disable_macros():
    with raypolicy.Env("cel", allow_undeclared=True) as env:
        assert env.compile("anything + 1").eval(anything=1) == 2
    with raypolicy.Env("cel", disable_macros=True) as env:
        with pytest.raises(CompileError):
            env.compile("[1].all(x, x > 0)")


def test_bad_profile_and_unknown_error_codes():
    with pytest.raises(ValueError):
        raypolicy.Env("kubernetes-1.30")
    assert RaypolicyError(-99, "x").code == -99  # codes appended by newer libraries
