"""test_examples.py -- examples/python/eval.py and check.py: their output,
exit statuses, and (when tests/python/check-python.sh says where the C
examples were built, RP_EXAMPLES_DIR) that they print exactly what their C
twins examples/c/eval.c and check.c print."""
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import TOP

PY_EXAMPLES = TOP / "examples" / "python"
C_EXAMPLES = os.environ.get("RP_EXAMPLES_DIR")


def run(argv, **kw):
    return subprocess.run(argv, cwd=TOP, capture_output=True, text=True, timeout=120, **kw)


def py(script, *args):
    return run([sys.executable, str(PY_EXAMPLES / script), *args])


def test_eval_prints_the_result_as_json():
    r = py("eval.py", "object.spec.workerGroupSpecs.map(g, g.groupName)", "examples/raycluster.json")
    assert (r.returncode, r.stdout, r.stderr) == (0, '["cpu-group","gpu-group"]\n', "")
    r = py("eval.py", "object.metadata.name", "examples/raycluster.json")
    assert r.stdout == '"raycluster-prod"\n'
    r = py("eval.py", "object.spec.headGroupSpec.rayStartParams['num-cpus'] == '0'",
           "examples/raycluster.json")
    assert r.stdout == "true\n"


def test_eval_errors():
    r = py("eval.py", "object.metadata.nmae", "examples/raycluster.json")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == "<expression>:1:16: no such key: nmae\n"
    r = py("eval.py", "objet.x", "examples/raycluster.json")
    assert r.returncode == 1
    assert r.stderr == ("<expression>:1:1: undeclared reference to 'objet' (in container '')\n"
                        " | objet.x\n | ^\n")
    assert py("eval.py").returncode == 2


def test_check_prints_findings_errors_and_counts():
    r = py("check.py", "examples/")
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[-1] == "6 findings, 0 errors"
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        "examples/raycluster.json:16", "examples/raycluster.json:54",
        "examples/raycluster.json:29", "examples/raycluster.json:57",
        "examples/raycluster.json:104", "examples/raycluster.json:6"]
    assert lines[0].startswith("examples/raycluster.json:16: high RAY-NET-004 "
                               "RayCluster/raycluster-prod: ")
    r = py("check.py", "examples/ray-team-a-hardened.yaml")
    assert (r.returncode, r.stdout) == (0, "0 findings, 0 errors\n")
    r = py("check.py", "tests/data/manifests/broken.yaml", "missing.yaml")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        'tests/data/manifests/broken.yaml:9: input error: duplicate key "metadata"',
        "tests/data/manifests/broken.yaml:11: input error: the document is not a Kubernetes "
        "object (a mapping)",
        "tests/data/manifests/broken.yaml:20: input error: did not find expected ',' or ']' "
        "while parsing a flow sequence; the rest of the stream is not read",
        "missing.yaml: input error: missing.yaml: No such file or directory",
        "0 findings, 4 errors"]
    assert py("check.py").returncode == 2


@pytest.mark.skipif(not C_EXAMPLES, reason="RP_EXAMPLES_DIR (the built C examples) not set")
@pytest.mark.parametrize("name, args", [
    ("eval", ["object.spec.workerGroupSpecs.map(g, g.groupName)", "examples/raycluster.json"]),
    ("eval", ["object.spec.headGroupSpec.rayStartParams", "examples/raycluster.json"]),
    ("eval", ["object.metadata.nmae", "examples/raycluster.json"]),
    ("check", ["examples/"]),
    ("check", ["examples/ray-team-a-hardened.yaml", "tests/data/manifests/broken.yaml"]),
])
def test_python_and_c_twins_print_the_same(name, args):
    c = run([str(pathlib.Path(C_EXAMPLES) / name), *args])
    p = py(name + ".py", *args)
    assert (p.returncode, p.stdout) == (c.returncode, c.stdout)


def test_readme_python_example_prints_what_the_readme_says():
    readme = (TOP / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    code = section.split("python3 - <<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    printed = section.split("\nprints\n\n```\n", 1)[1].split("```\n", 1)[0]
    r = run([sys.executable, "-"], input=code + "\n")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == printed
