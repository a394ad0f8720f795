"""test_policy.py -- packs, checks, reports and test suites.  The expected
findings of tests/data/packs/demo.yaml on tests/data/manifests/mixed.yaml are
those tests/unit/test_engine.c derives from reading the pack and manifests."""
import json
import pathlib
import xml.etree.ElementTree as ET

import pytest

import raypolicy
from raypolicy import Finding, PackError


@pytest.fixture
def mixed(demo_pack, data):
    with demo_pack.check(paths=[data / "manifests" / "mixed.yaml"]) as report:
        yield report


def test_builtin_pack(top):
    assert "ray-hardening" in raypolicy.builtin_pack_names()
    with raypolicy.load_pack("ray-hardening") as pack:
        assert pack.name == "ray-hardening" and len(pack.rule_ids) == 45
        report = pack.check(top / "examples" / "raycluster.json")
    # the README's quick start: six findings, 4 high and 2 medium
    assert len(report.findings) == 6
    assert sorted(f.severity for f in report.findings) == ["high"] * 4 + ["medium"] * 2
    assert {f.name for f in report.findings} == {"raycluster-prod"}
    assert report.errors == [] and report.fails()
    assert any(f.rule == "RAY-NET-004" for f in report.findings)
    assert report.to_text().rstrip().endswith(
        "1 object, 45 rules: 0 critical, 4 high, 2 medium, 0 low findings; "
        "0 bypassed; 0 errors")


def test_hardened_example_has_no_finding(top):
    report = raypolicy.check(paths=[top / "examples" / "ray-team-a-hardened.yaml"])
    assert report.findings == [] and report.errors == [] and not report.fails()


def test_demo_pack_loads(demo_pack, data):
    assert demo_pack.name == "demo" and demo_pack.version == "0.1.0"
    assert demo_pack.profile == "kubernetes"
    assert demo_pack.rule_ids == ["DEMO-IMG-001", "DEMO-SVC-001", "DEMO-DEP-001",
                                  "DEMO-NS-001", "DEMO-ERR-001"]
    assert demo_pack.source == str(data / "packs" / "demo.yaml")
    assert demo_pack.lint() == []


def test_findings_of_the_mixed_manifest(mixed, data):
    by = {(f.rule, f.name): f for f in mixed.findings}
    assert set(by) == {("DEMO-IMG-001", "bad"), ("DEMO-SVC-001", "head"), ("DEMO-DEP-001", "big")}
    assert by[("DEMO-IMG-001", "bad")] == Finding(
        rule="DEMO-IMG-001", severity="high", action="deny",
        message="container sidecar uses image docker.io/evil:latest",
        file=str(data / "manifests" / "mixed.yaml"), document=1, line=19, api_version="v1",
        kind="Pod", namespace="team-a", name="bad", path="spec.containers", bypassed=False,
        break_glass=None)
    head = by[("DEMO-SVC-001", "head")]
    assert head.bypassed and head.break_glass == "INC-42 temporary demo"
    assert head.severity == "critical"
    assert by[("DEMO-DEP-001", "big")].message == "replicas is 5, above 3"
    assert by[("DEMO-DEP-001", "big")].namespace == "team-b"
    # Secret s has no data: an evaluation error, not a pass
    assert len(mixed.errors) == 1
    e = mixed.errors[0]
    assert e.kind == "eval" and "no such key: data" in e.message
    assert e.file == str(data / "manifests" / "mixed.yaml")


def test_fails(mixed):
    assert mixed.fails() is True
    assert mixed.fails("critical") is False  # the critical finding is bypassed
    assert mixed.fails("medium") is True
    with pytest.raises(ValueError):
        mixed.fails("urgent")


def test_report_formats(mixed):
    doc = json.loads(mixed.to_json())
    assert {(x["rule"], x["name"]) for x in doc["findings"]} == \
        {("DEMO-IMG-001", "bad"), ("DEMO-SVC-001", "head"), ("DEMO-DEP-001", "big")}
    assert len(doc["errors"]) == 1
    assert mixed.summary == doc["summary"]
    sarif = json.loads(mixed.to_sarif())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"DEMO-IMG-001", "DEMO-DEP-001"}
    junit = ET.fromstring(mixed.to_junit())
    assert junit.tag in ("testsuites", "testsuite")
    assert any(tc.find("failure") is not None for tc in junit.iter("testcase"))
    text = mixed.to_text()
    assert "container sidecar uses image docker.io/evil:latest" in text
    assert "\033[" not in text and "\033[" in mixed.to_text(color=True)


def test_objects_as_mappings_text_and_params(demo_pack):
    objs = [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": n},
             "spec": {"replicas": r}} for n, r in (("a", 2), ("b", 1), ("c", 7))]
    report = demo_pack.check(objs, params={"maxReplicas": 1})
    got = [(f.name, f.file, f.document, f.message) for f in report.findings]
    assert got == [("a", "<objects>", 0, "replicas is 2, above 1"),
                   ("c", "<objects>", 2, "replicas is 7, above 1")]
    # YAML text, with params as YAML text
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 9}\n"
    report = demo_pack.check(text, params="maxReplicas: 8\n")
    assert [(f.name, f.file, f.line) for f in report.findings] == [("web", "<input>", 4)]
    # defaults without params: 3
    assert [f.name for f in demo_pack.check(objs).findings] == ["c"]


def test_params_file_and_unknown_parameter(demo_pack, data):
    mixed = data / "manifests" / "mixed.yaml"
    good = demo_pack.check(mixed, params=data / "manifests" / "params-good.yaml")
    assert not any(f.rule == "DEMO-DEP-001" for f in good.findings)  # 5 <= 10
    unknown = demo_pack.check(mixed, params=data / "manifests" / "params-unknown.yaml")
    params = [e for e in unknown.errors if e.kind == "params"]
    assert len(params) == 1 and '"maxReplica"' in params[0].message and params[0].line == 5


def test_bad_documents_do_not_hide_good_ones(demo_pack, data):
    report = demo_pack.check(paths=[data / "manifests" / "broken.yaml", "does-not-exist.yaml"])
    assert {f.name for f in report.findings} >= {"lb", "after"}
    assert all(e.kind == "input" for e in report.errors)
    assert any("duplicate key" in e.message and e.line == 9 for e in report.errors)
    assert any(e.file == "does-not-exist.yaml" for e in report.errors)


def test_unparsable_params_raise(demo_pack):
    with pytest.raises(raypolicy.CheckError) as e:
        demo_pack.check([], params="maxReplicas: [unterminated")
    assert e.value.code == raypolicy.ErrorCode.EYAML
    assert e.value.source == "<params>" and e.value.line == 1


def test_two_packs_in_one_check(demo_pack, top):
    report = raypolicy.check(paths=[top / "examples"], packs=[demo_pack, "ray-hardening"])
    assert any(f.rule.startswith("RAY-") for f in report.findings)
    with pytest.raises(PackError):
        raypolicy.check([], packs=[demo_pack, demo_pack])  # duplicate rule IDs


def test_pack_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: x}\nspec:\n"
                   "  policies:\n  - id: X\n    title: x\n    severity: low\n"
                   "    validations: [{expression: \"1 +\"}]\n")
    with pytest.raises(PackError) as e:
        raypolicy.load_pack(bad)
    assert e.value.line == 9 and e.value.source == str(bad)
    assert e.value.code == raypolicy.ErrorCode.EPACK
    with pytest.raises(PackError) as e:
        raypolicy.load_pack("no-such-pack")
    assert e.value.code == raypolicy.ErrorCode.ENOTFOUND
    with pytest.raises(PackError) as e:
        raypolicy.load_pack(tmp_path / "missing.yaml")
    assert e.value.code == raypolicy.ErrorCode.EIO


def test_pack_from_string_and_profile_cap():
    text = ("apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: e}\nspec:\n"
            "  profile: extended\n  policies:\n  - id: E\n    title: e\n    severity: low\n"
            "    validations: [{expression: \"math.greatest(1, 2) == 2\"}]\n")
    with raypolicy.load_pack_string(text, "ext.yaml") as pack:
        assert pack.profile == "extended" and pack.source == "ext.yaml"
    with raypolicy.Env("kubernetes") as env:
        with pytest.raises(PackError) as e:
            raypolicy.load_pack_string(text, "ext.yaml", env=env)
        assert e.value.line == 10


def test_policy_test_suites(data):
    run = raypolicy.run_tests(data / "suites" / "demo.yaml")
    assert run.passed and len(run.cases) > 1
    assert all(c.passed and c.detail is None for c in run.cases)
    failing = raypolicy.run_tests(data / "suites-failing" / "wrong.yaml")
    assert not failing.passed
    assert all(c.detail for c in failing.cases if not c.passed)
    with pytest.raises(PackError) as e:
        raypolicy.run_tests(data / "manifests" / "mixed.yaml")  # YAML, not a PolicyTest
    assert e.value.code == raypolicy.ErrorCode.ENOTFOUND


def test_report_survives_its_pack(data):
    with raypolicy.load_pack(data / "packs" / "demo.yaml") as pack:
        report = pack.check(pathlib.Path(data / "manifests" / "mixed.yaml"))
    assert pack.closed
    assert "DEMO-IMG-001" in report.to_json()
