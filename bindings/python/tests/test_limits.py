"""test_limits.py -- the limits of docs/limits.md through the binding: set
by name on an Env, reported as ELIMIT with the option's name, and applied
to the packs and checks run with that Env."""
import pytest

import raypolicy
from raypolicy import CompileError, ErrorCode, EvalError, RaypolicyError


def test_limit_names_follow_the_header():
    assert raypolicy.LIMIT_NAMES[:4] == ("max_expression_length", "max_nesting_depth",
                                         "cost_budget", "max_eval_memory")
    assert raypolicy.LIMIT_NAMES[-1] == "max_pack_bytes"
    assert "regex_match_limit" in raypolicy.LIMIT_NAMES


def test_a_limit_set_by_name_names_itself_when_hit():
    with raypolicy.Env("kubernetes", max_string_size=8) as env:
        assert env.compile("'abcd' + 'efgh'").eval() == "abcdefgh"
        with pytest.raises(EvalError) as e:
            env.compile("'abcd' + 'efghi'").eval()
        assert e.value.code == ErrorCode.ELIMIT
        assert "max_string_size (8 bytes)" in e.value.message


def test_compile_time_limits():
    with raypolicy.Env("cel", max_ast_nodes=5) as env:
        with pytest.raises(CompileError) as e:
            env.compile("[1, 2, 3, 4, 5, 6]")
        assert e.value.code == ErrorCode.ELIMIT
        assert "max_ast_nodes (5 nodes)" in e.value.message


def test_bad_limits():
    with pytest.raises(TypeError):
        raypolicy.Env(max_strings=1)
    with pytest.raises(TypeError):
        raypolicy.Env(max_list_size=-1)
    with pytest.raises(RaypolicyError) as e:
        raypolicy.Env(max_input_depth=20000)
    assert e.value.code == ErrorCode.EINVAL
    assert "max_input_depth" in e.value.message


def test_bound_json_within_the_input_limits():
    with raypolicy.Env("cel", variables=["x"], max_input_depth=3) as env:
        prog = env.compile("size(x)")
        assert prog.eval(x=raypolicy.Json("[[[1]]]")) == 1
        with pytest.raises(RaypolicyError) as e:
            prog.eval(x=raypolicy.Json("[[[[1]]]]"))
        assert e.value.code == ErrorCode.ELIMIT
        assert "max_input_depth (3)" in e.value.message


def test_a_check_reads_its_inputs_within_the_env_limits():
    text = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n" * 3
    with raypolicy.Env("kubernetes", max_input_documents=2) as env:
        report = raypolicy.check(text, env=env)
    assert [p.kind for p in report.errors] == ["input"]
    assert "max_input_documents (2)" in report.errors[0].message
    # without the env, the defaults: all three objects are read
    assert raypolicy.check(text).errors == []
