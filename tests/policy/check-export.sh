#!/bin/sh
# check-export.sh -- `rpeval export --format vap` end to end.
#
# Exports tests/data/packs/demo.yaml, tests/data/packs/export.yaml and (when
# it exists and loads) packs/ray-hardening.yaml, then checks (an embedded
# Python script):
#   - every exported expression (matchConditions, variables, validations,
#     messageExpressions) compiles with `rpeval eval --batch --profile
#     kubernetes` (a compile error fails; evaluation errors -- nothing is
#     bound -- are expected), none reads inventory, and no matchCondition
#     reads variables (an API server compiles matchConditions without them);
#   - every object has the required fields of its schema:
#     ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
#     CustomResourceDefinition and the parameter object;
#   - the YAML holds the same documents as the JSON form, and every rule of
#     the pack is either exported or named in a comment.
# Also: exit statuses, --output, --params (merged, unknown names and wrong
# types rejected).
set -u
. "${top_srcdir:-.}/tests/policy/tap.sh"

# The checks of one export, in Python (stdlib only): argv = rpeval, pack
# file, JSON export, YAML export.  Prints the problems and exits 1, or
# prints a one-line summary.
cat >"$tmp/check.py" <<'PY'
import json, os, re, subprocess, sys, tempfile

rpeval, pack_file, json_file, yaml_file = sys.argv[1:5]
objs = json.load(open(json_file))
yaml_text = open(yaml_file).read()
problems = []

def fail(msg):
    problems.append(msg)

DNS_SUB = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
CEL_IDENT = re.compile(r"^[_A-Za-z][_A-Za-z0-9]*$")

def need(obj, path, typ, where):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            fail(f"{where}: missing {path}")
            return None
        cur = cur[part]
    if typ is not None and not isinstance(cur, typ):
        fail(f"{where}: {path} is {type(cur).__name__}, want {typ.__name__}")
        return None
    if typ in (str, list) and len(cur) == 0:
        fail(f"{where}: {path} is empty")
        return None
    return cur

def strings(v, where, what):
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        fail(f"{where}: {what} must be a non-empty list of strings: {v!r}")
        return
    if "*" in v and len(v) > 1:
        fail(f"{where}: {what}: '*' must stand alone")

def selector(sel, where):
    for i, e in enumerate(sel.get("matchExpressions", [])):
        w = f"{where}.matchExpressions[{i}]"
        need(e, "key", str, w)
        op = need(e, "operator", str, w)
        if op in ("In", "NotIn"):
            strings(e.get("values"), w, "values")
        elif op in ("Exists", "DoesNotExist"):
            if e.get("values"):
                fail(f"{w}: values must be empty for {op}")
        else:
            fail(f"{w}: unknown operator {op!r}")

# --- the CustomResourceDefinition
crds = [o for o in objs if o.get("kind") == "CustomResourceDefinition"]
if len(crds) != 1:
    fail(f"want one CustomResourceDefinition, have {len(crds)}")
    crds = [{}]
crd = crds[0]
w = "CustomResourceDefinition"
if crd.get("apiVersion") != "apiextensions.k8s.io/v1":
    fail(f"{w}: apiVersion {crd.get('apiVersion')!r}")
group = need(crd, "spec.group", str, w) or ""
plural = need(crd, "spec.names.plural", str, w) or ""
singular = need(crd, "spec.names.singular", str, w) or ""
kind = need(crd, "spec.names.kind", str, w) or ""
if crd.get("metadata", {}).get("name") != f"{plural}.{group}":
    fail(f"{w}: metadata.name must be {plural}.{group}")
for v in (plural, singular):
    if not re.match(r"^[a-z]([-a-z0-9]*[a-z0-9])?$", v) or len(v) > 63:
        fail(f"{w}: {v!r} is not a DNS-1035 label")
if need(crd, "spec.scope", str, w) not in ("Namespaced", "Cluster"):
    fail(f"{w}: scope")
versions = need(crd, "spec.versions", list, w) or []
for i, ver in enumerate(versions):
    vw = f"{w}.spec.versions[{i}]"
    need(ver, "name", str, vw)
    need(ver, "served", bool, vw)
    need(ver, "storage", bool, vw)
    need(ver, "schema.openAPIV3Schema", dict, vw)
if sum(1 for v in versions if v.get("storage")) != 1:
    fail(f"{w}: want exactly one storage version")
version = versions[0].get("name", "") if versions else ""
schema = versions[0].get("schema", {}).get("openAPIV3Schema", {}) if versions else {}

def structural(s, where):
    # a type on every node (unless it preserves unknown fields), items on
    # arrays, never properties together with additionalProperties
    if not isinstance(s, dict):
        fail(f"{where}: a schema must be a mapping")
        return
    if "type" not in s and not s.get("x-kubernetes-preserve-unknown-fields"):
        fail(f"{where}: no type")
    if s.get("type") == "array":
        if "items" not in s:
            fail(f"{where}: an array without items")
        else:
            structural(s["items"], where + ".items")
    if "properties" in s and "additionalProperties" in s:
        fail(f"{where}: properties and additionalProperties together")
    for k, sub in s.get("properties", {}).items():
        structural(sub, f"{where}.properties.{k}")
    if isinstance(s.get("additionalProperties"), dict):
        structural(s["additionalProperties"], where + ".additionalProperties")

structural(schema, "openAPIV3Schema")
if schema.get("type") != "object":
    fail("openAPIV3Schema: the root must be an object")

def conforms(v, s, where):
    if v is None:
        if not s.get("nullable"):
            fail(f"{where}: null but not nullable")
        return
    t = s.get("type")
    want = {"string": str, "boolean": bool, "array": list, "object": dict}.get(t)
    if t == "integer" and not (isinstance(v, int) and not isinstance(v, bool)):
        fail(f"{where}: not an integer: {v!r}")
    elif t == "number" and not (isinstance(v, (int, float)) and not isinstance(v, bool)):
        fail(f"{where}: not a number: {v!r}")
    elif want and not isinstance(v, want):
        fail(f"{where}: not {t}: {v!r}")
    elif t == "array":
        for i, x in enumerate(v):
            conforms(x, s["items"], f"{where}[{i}]")
    elif t == "object":
        for k, x in v.items():
            sub = s.get("properties", {}).get(k)
            if sub is None and isinstance(s.get("additionalProperties"), dict):
                sub = s["additionalProperties"]
            if sub is None:
                if not s.get("x-kubernetes-preserve-unknown-fields"):
                    fail(f"{where}.{k}: not in the schema (it would be pruned)")
            else:
                conforms(x, sub, f"{where}.{k}")

# --- the parameter object
params = [o for o in objs if o.get("kind") == kind]
if len(params) != 1:
    fail(f"want one {kind} parameter object, have {len(params)}")
    params = [{}]
param_obj = params[0]
if param_obj.get("apiVersion") != f"{group}/{version}":
    fail(f"parameter object: apiVersion {param_obj.get('apiVersion')!r}")
param_name = need(param_obj, "metadata.name", str, "parameter object") or ""
if "namespace" in param_obj.get("metadata", {}) and crd.get("spec", {}).get("scope") == "Cluster":
    fail("parameter object: a namespace on a cluster-scoped object")
# (metadata is ObjectMeta: never pruned, whatever the schema says)
conforms(param_obj.get("spec"), schema.get("properties", {}).get("spec", {}), "parameter object spec")

# --- policies and bindings
policies = {o["metadata"]["name"]: o for o in objs if o.get("kind") == "ValidatingAdmissionPolicy"}
bindings = [o for o in objs if o.get("kind") == "ValidatingAdmissionPolicyBinding"]
exprs = []  # (where, text, is a matchCondition)
for name, p in policies.items():
    w = f"ValidatingAdmissionPolicy {name}"
    if p.get("apiVersion") != "admissionregistration.k8s.io/v1":
        fail(f"{w}: apiVersion")
    if not DNS_SUB.match(name) or len(name) > 253:
        fail(f"{w}: the name is not a DNS subdomain")
    if need(p, "spec.failurePolicy", str, w) not in ("Fail", "Ignore"):
        fail(f"{w}: failurePolicy")
    if p["spec"].get("paramKind") != {"apiVersion": f"{group}/{version}", "kind": kind}:
        fail(f"{w}: paramKind {p['spec'].get('paramKind')!r}")
    for i, r in enumerate(need(p, "spec.matchConstraints.resourceRules", list, w) or []):
        rw = f"{w}.resourceRules[{i}]"
        for f in ("apiGroups", "apiVersions", "resources", "operations"):
            strings(r.get(f), rw, f)
        for op in r.get("operations", []):
            if op not in ("*", "CREATE", "UPDATE", "DELETE", "CONNECT"):
                fail(f"{rw}: operation {op!r}")
        for res in r.get("resources", []):
            if res != "*" and not re.match(r"^[a-z0-9]+$", res):
                fail(f"{rw}: resource {res!r} is not a lower-case plural")
    mc = p["spec"].get("matchConstraints", {})
    for sel in ("namespaceSelector", "objectSelector"):
        if sel in mc:
            selector(mc[sel], f"{w}.{sel}")
    seen = set()
    for i, c in enumerate(p["spec"].get("matchConditions", [])):
        cw = f"{w}.matchConditions[{i}]"
        cn = need(c, "name", str, cw)
        if cn and (not QUALIFIED.match(cn) or len(cn) > 63 or cn in seen):
            fail(f"{cw}: name {cn!r} is not a unique qualified name")
        seen.add(cn)
        e = need(c, "expression", str, cw)
        if e:
            exprs.append((cw, e, True))
    for i, v in enumerate(p["spec"].get("variables", [])):
        vw = f"{w}.variables[{i}]"
        vn = need(v, "name", str, vw)
        if vn and not CEL_IDENT.match(vn):
            fail(f"{vw}: name {vn!r} is not a CEL identifier")
        e = need(v, "expression", str, vw)
        if e:
            exprs.append((vw, e, False))
    for i, v in enumerate(need(p, "spec.validations", list, w) or []):
        vw = f"{w}.validations[{i}]"
        e = need(v, "expression", str, vw)
        if e:
            exprs.append((vw + ".expression", e, False))
        if "messageExpression" in v:
            exprs.append((vw + ".messageExpression", v["messageExpression"], False))
        if "message" in v and ("\n" in v["message"] or not v["message"].strip()):
            fail(f"{vw}: message must be one non-empty line")
        if "reason" in v and v["reason"] not in ("Forbidden", "Invalid", "RequestEntityTooLarge"):
            fail(f"{vw}: reason {v['reason']!r}")
bound = set()
for b in bindings:
    w = f"ValidatingAdmissionPolicyBinding {b.get('metadata', {}).get('name')}"
    pn = need(b, "spec.policyName", str, w)
    if pn not in policies:
        fail(f"{w}: policyName {pn!r} names no exported policy")
    bound.add(pn)
    acts = need(b, "spec.validationActions", list, w) or []
    if (not set(acts) <= {"Deny", "Warn", "Audit"} or len(set(acts)) != len(acts)
            or {"Deny", "Warn"} <= set(acts)):
        fail(f"{w}: validationActions {acts!r}")
    if need(b, "spec.paramRef.name", str, w) != param_name:
        fail(f"{w}: paramRef.name is not the parameter object's name")
    if need(b, "spec.paramRef.parameterNotFoundAction", str, w) not in ("Allow", "Deny"):
        fail(f"{w}: parameterNotFoundAction")
if bound != set(policies):
    fail(f"policies without a binding: {sorted(set(policies) - bound)}")

# --- every expression compiles in the kubernetes profile
with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
    for _, e, _ in exprs:
        f.write(json.dumps({"expr": e, "bindings": {}}) + "\n")
    batch = f.name
out = subprocess.run([rpeval, "eval", "--batch", batch, "--profile", "kubernetes"],
                     capture_output=True, text=True)
os.unlink(batch)
lines = out.stdout.splitlines()
if len(lines) != len(exprs):
    fail(f"rpeval eval --batch gave {len(lines)} lines for {len(exprs)} expressions: {out.stderr}")
STRINGS = re.compile(r"""(?s)[rRbB]{0,2}('''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")""")
for (where, e, is_cond), line in zip(exprs, lines):
    r = json.loads(line)
    if r.get("error", {}).get("kind") in ("compile", "input"):
        fail(f"{where} does not compile: {r['error']['message']}\n{e}")
    code = re.sub(r"//[^\n]*", "", STRINGS.sub("''", e))
    if re.search(r"(?<![.\w])inventory\b", code):
        fail(f"{where} reads inventory")
    if is_cond and re.search(r"(?<![.\w])variables\s*\.", code):
        fail(f"{where}: a matchCondition reads variables")
    # (unless params is a comprehension variable there: .all(params, ...))
    if (re.search(r"(?<![.\w])params\b(?!\s*\.\s*spec\b)", code)
            and not re.search(r"\(\s*params\s*,", code)):
        fail(f"{where} reads params other than as params.spec")

# --- the YAML holds the same objects; every rule is accounted for
docs = [l for l in yaml_text.splitlines() if l == "---"]
if len(docs) != len(objs):
    fail(f"the YAML has {len(docs)} documents, the JSON {len(objs)} objects")
for o in objs:
    if f"  name: {o['metadata']['name']}\n" not in yaml_text:
        fail(f"{o['metadata']['name']} is not in the YAML")
ids = re.findall(r"^\s*- id:\s*([^\s#]+)", open(pack_file).read(), re.M)
exported = {p.get("metadata", {}).get("annotations", {}).get("raypolicy.io/rule")
            for p in policies.values()}
left_out = set(re.findall(r"^# (\S+) \(.*\) is not exported:$", yaml_text, re.M))
for i in ids:
    if (i in exported) == (i in left_out):
        fail(f"rule {i} is {'both exported and left out' if i in exported else 'neither exported nor left out'}")
if not ids:
    fail("no rule ids found in the pack")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(policies)} policies and bindings, {len(exprs)} expressions compile "
      f"in the kubernetes profile, {len(left_out)} rules left out")
PY

# check_pack NAME PACK [ARGS...]: export as YAML and JSON, validate.
check_pack() {
    name=$1; pack=$2; shift 2
    expect_status 0 "$name: export yaml" $rpeval export --format vap "$@" "$pack"
    cp "$tmp/out" "$tmp/$name.yaml"
    expect_status 0 "$name: export json" $rpeval export --format vap --json "$@" "$pack"
    cp "$tmp/out" "$tmp/$name.json"
    if "$py" "$tmp/check.py" "$builddir/rpeval/rpeval" "$pack" \
        "$tmp/$name.json" "$tmp/$name.yaml" >"$tmp/v" 2>&1; then
        ok "$name: $(tail -n 1 "$tmp/v")"
    else
        bad "$name: exported objects"; sed 's/^/    /' "$tmp/v" | head -40
    fi
}

check_pack demo "$data/packs/demo.yaml"
expect_grep "DEMO-NS-001 .* is not exported" "$tmp/demo.yaml" "demo: the cross-object rule is named"
check_pack export "$data/packs/export.yaml"
expect_grep "EXP-CROSS-001 .* is not exported" "$tmp/export.yaml" "export: the cross-object rule is named"
expect_grep "EXP-MATH-001 .* is not exported" "$tmp/export.yaml" "export: math.greatest is refused"
expect_grep "undeclared reference to 'math'" "$tmp/export.yaml" "export: with the compile error"

ray="$srcdir/packs/ray-hardening.yaml"
if [ -f "$ray" ] && $rpeval lint "$ray" >/dev/null 2>&1; then
    check_pack ray "$ray"
    for id in RAY-NET-004 RAY-NET-005 RAY-RES-003 RAY-RBAC-002 RAY-RBAC-003 RAY-SEC-003 \
        RAY-TEN-002 RAY-TEN-003 RAY-OPR-001; do
        expect_grep "$id .* is not exported:" "$tmp/ray.yaml" "ray: cross-object $id left out"
    done
else
    ok "# SKIP the Ray pack: packs/ray-hardening.yaml missing or does not load"
fi

# -- parameters: merged into the parameter object
printf 'maxReplicas: 7\n' >"$tmp/p.yaml"
expect_status 0 "--params" $rpeval export --format vap --json --params "$tmp/p.yaml" "$data/packs/demo.yaml"
if "$py" -c '
import json, sys
objs = json.load(open(sys.argv[1]))
p = [o for o in objs if o["kind"] == "DemoParams"][0]
assert p["spec"] == {"allowedRegistries": ["registry.example.com/"], "maxReplicas": 7}, p
' "$tmp/out"; then ok "--params merges over the defaults"; else bad "--params merges over the defaults"; fi
printf 'apiVersion: raypolicy.io/v1\nkind: DemoParams\nspec:\n  allowedRegistries: [a/]\n' >"$tmp/p.yaml"
expect_status 0 "--params as a parameter object" $rpeval export --format vap --params "$tmp/p.yaml" "$data/packs/demo.yaml"
expect_grep "allowedRegistries: \[a/\]" "$tmp/out" "the parameter object's spec is read"
printf 'maxReplicas: 7\nnoSuchParam: 1\n' >"$tmp/p.yaml"
expect_status 2 "an unknown parameter" $rpeval export --format vap --params "$tmp/p.yaml" "$data/packs/demo.yaml"
expect_grep "p.yaml:2:1: unknown parameter \"noSuchParam\"" "$tmp/err" "named with its line"
printf 'maxReplicas: many\n' >"$tmp/p.yaml"
expect_status 2 "a parameter of the wrong type" $rpeval export --format vap --params "$tmp/p.yaml" "$data/packs/demo.yaml"
expect_grep "maxReplicas is a string; the pack's default is an integer" "$tmp/err" "the type error says both types"
expect_status 2 "an unreadable parameter file" $rpeval export --format vap --params "$tmp/none.yaml" "$data/packs/demo.yaml"

# -- usage and output
expect_status 0 "--output" $rpeval export --format vap -o "$tmp/o.yaml" "$data/packs/demo.yaml"
if [ -s "$tmp/o.yaml" ] && [ ! -s "$tmp/out" ] && cmp -s "$tmp/o.yaml" "$tmp/demo.yaml"; then
    ok "--output writes the file, nothing on stdout"; else bad "--output writes the file"; fi
expect_status 2 "no --format" $rpeval export "$data/packs/demo.yaml"
expect_status 2 "an unknown format" $rpeval export --format gatekeeper "$data/packs/demo.yaml"
expect_status 2 "no pack" $rpeval export --format vap
expect_status 2 "two packs" $rpeval export --format vap "$data/packs/demo.yaml" "$data/packs/demo.yaml"
expect_status 2 "a missing pack" $rpeval export --format vap "$tmp/none.yaml"
expect_status 2 "an unwritable output" $rpeval export --format vap -o "$tmp/no/dir/x.yaml" "$data/packs/demo.yaml"
expect_status 0 "help" $rpeval help export
expect_grep "usage: rpeval export" "$tmp/out" "help prints the usage"

tap_done
