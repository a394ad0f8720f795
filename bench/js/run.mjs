// run.mjs -- the npm CEL engines on libraypolicy's benchmark workload.
//
//   node run.mjs [--expressions ../expressions.json] [--min-time MS] [--check]
//
// For each engine (@marcbachmann/cel-js and @bufbuild/cel, the versions
// package-lock.json pins) and each of the fifteen expressions of
// bench/expressions.json: compile (timed), evaluate once and compare the
// result with `expected`, then time evaluation with the method of
// `rpeval bench`: batches calibrated to last at least MS/10 ms / 2, run 11
// times, median, minimum and maximum ns per evaluation.  Prints one JSON
// document on standard output.  --check stops after the result check.
//
// The data are bound as an embedder of each engine would: object and
// params are parsed once (JSON integers become BigInt, which both engines
// take as CEL int, as Kubernetes' structural schemas make them) and the same
// JS objects are passed to every evaluation.
//
// Compile is what must happen once before an expression can be evaluated
// repeatedly: cel-js parse() and its type check (which parse() defers to the
// first evaluation when not called), bufbuild parse() and plan().
//
// sum() is the Kubernetes lists library's, which neither engine has: it is
// registered as a custom function (list of int -> int, with int64 overflow
// checked, as Kubernetes does) and the results say so.  An expression an
// engine cannot compile or evaluate correctly is reported as unsupported
// with the reason, never timed.
import fs from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import {fileURLToPath} from 'node:url'

const REPEATS = 11
const here = path.dirname(fileURLToPath(import.meta.url))

function parseArgs(argv) {
  const a = {expressions: path.join(here, '..', 'expressions.json'), minTime: 200, check: false}
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]
    if (k === '--expressions') a.expressions = argv[++i]
    else if (k === '--min-time') a.minTime = Number(argv[++i])
    else if (k === '--check') a.check = true
    else throw new Error(`run.mjs: unknown argument ${k}`)
  }
  if (!(a.minTime > 0)) throw new Error('run.mjs: --min-time wants milliseconds')
  return a
}

// JSON integers as BigInt (CEL int), everything else as JSON.parse gives it.
function toCel(v) {
  if (Array.isArray(v)) return v.map(toCel)
  if (v !== null && typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = toCel(x)
    return o
  }
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  return v
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

// Kubernetes' list<int>.sum(): 0 for an empty list, an error on overflow.
function sumInts(list) {
  let s = 0n
  for (const x of list) {
    if (typeof x !== 'bigint') throw new Error('sum(): not a list of int')
    s += x
    if (s < INT64_MIN || s > INT64_MAX) throw new Error('sum(): integer overflow')
  }
  return s
}

function packageVersion(name) {
  try {
    const p = path.join(here, 'node_modules', ...name.split('/'), 'package.json')
    return JSON.parse(fs.readFileSync(p, 'utf8')).version
  } catch {
    return 'unknown'
  }
}

// A result as cel.expr.Value JSON, for comparison with `expected`.
function typed(v) {
  switch (typeof v) {
    case 'boolean':
      return {boolValue: v}
    case 'bigint':
      return {int64Value: v.toString()}
    case 'string':
      return {stringValue: v}
    case 'number':
      return {doubleValue: v}
    default:
      return {unexpected: String(v)}
  }
}

function sameJson(a, b) {
  const keys = (o) => Object.keys(o).sort()
  if (typeof a !== typeof b) return false
  if (a === null || typeof a !== 'object') return a === b
  const ka = keys(a)
  const kb = keys(b)
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJson(a[k], b[k]))
}

function now() {
  return process.hrtime.bigint()
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y)
  return {median: s[s.length >> 1], min: s[0], max: s[s.length - 1]}
}

let sink = 0

// Time FN the way rpeval bench does: calibrate a batch, then REPEATS batches.
function timeEval(fn, minTimeMs) {
  const budget = BigInt(Math.round((minTimeMs * 1e6) / 10))
  let batch = 1
  for (;;) {
    const s = now()
    for (let i = 0; i < batch; i++) if (fn() === true) sink++
    if (now() - s >= budget / 2n || batch >= 1 << 24) break
    batch *= 2
  }
  const per = []
  for (let k = 0; k < REPEATS; k++) {
    const s = now()
    for (let i = 0; i < batch; i++) if (fn() === true) sink++
    per.push(Number(now() - s) / batch)
  }
  return median(per)
}

// Compile with the same calibrated batches (the calibration doubles as the
// JIT's warm-up): median ns per compile.
function timeCompile(compile, minTimeMs) {
  return timeEval(compile, minTimeMs)
}

// Each engine: how to compile an expression into an evaluate(ctx) function,
// and whether an evaluation result is an error (bufbuild returns errors,
// cel-js throws them).
async function loadEngines() {
  const engines = []
  const mb = await import('@marcbachmann/cel-js')
  engines.push({
    name: '@marcbachmann/cel-js',
    version: packageVersion('@marcbachmann/cel-js'),
    setup() {
      return new mb.Environment()
        .registerVariable('object', 'dyn')
        .registerVariable('params', 'dyn')
        .registerFunction('list<int>.sum(): int', sumInts)
    },
    compile(env, expr) {
      const f = env.parse(expr)
      const c = f.check()
      if (!c.valid) throw c.error
      return f
    },
    parseOnly(env, expr) {
      return env.parse(expr)
    },
    errorOf() {
      return null
    },
  })
  const bb = await import('@bufbuild/cel')
  engines.push({
    name: '@bufbuild/cel',
    version: packageVersion('@bufbuild/cel'),
    setup() {
      const sum = bb.celMethod('sum', bb.listType(bb.CelScalar.INT), [], bb.CelScalar.INT, function () {
        return sumInts(this)
      })
      return bb.celEnv({funcs: [sum]})
    },
    compile(env, expr) {
      return bb.plan(env, bb.parse(expr))
    },
    parseOnly(env, expr) {
      return bb.parse(expr)
    },
    errorOf(v) {
      return bb.isCelError(v) ? v.message : null
    },
  })
  return engines
}

function firstLine(e) {
  return String(e && e.message !== undefined ? e.message : e).split('\n')[0]
}

function benchEngine(engine, spec, ctx, args) {
  const env = engine.setup()
  const results = []
  for (const e of spec.expressions) {
    const r = {id: e.id, ok: false, supported: false}
    if (/\.sum\(\)/.test(e.expr)) r.note = 'sum() registered as a custom function'
    results.push(r)
    let f
    try {
      f = engine.compile(env, e.expr)
    } catch (err) {
      r.detail = `does not compile: ${firstLine(err)}`
      continue
    }
    let v
    try {
      v = f(ctx)
    } catch (err) {
      r.detail = `evaluation error: ${firstLine(err)}`
      continue
    }
    const bad = engine.errorOf(v)
    if (bad !== null) {
      r.detail = `evaluation error: ${firstLine(bad)}`
      continue
    }
    const got = typed(v)
    if (!sameJson(got, e.expected)) {
      r.detail = `result ${JSON.stringify(got)} is not the expected ${JSON.stringify(e.expected)}`
      continue
    }
    r.ok = true
    r.supported = true
    if (args.check) continue
    r.compile_ns = Math.round(timeCompile(() => engine.compile(env, e.expr), args.minTime).median)
    r.parse_ns = Math.round(timeCompile(() => engine.parseOnly(env, e.expr), args.minTime).median)
    const t = timeEval(() => f(ctx), args.minTime)
    r.eval_ns = Math.round(t.median)
    r.eval_ns_min = Math.round(t.min)
    r.eval_ns_max = Math.round(t.max)
  }
  return {name: engine.name, version: engine.version, results}
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const spec = JSON.parse(fs.readFileSync(args.expressions, 'utf8'))
  const dir = path.dirname(args.expressions)
  const load = (f) => toCel(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
  const ctx = {object: load(spec.object), params: load(spec.params)}
  const out = {node: process.version, engines: []}
  for (const engine of await loadEngines()) out.engines.push(benchEngine(engine, spec, ctx, args))
  out.sink = sink
  process.stdout.write(JSON.stringify(out, null, 2) + '\n')
  const failed = out.engines.flatMap((en) => en.results.filter((r) => !r.ok).map((r) => `${en.name} ${r.id}`))
  if (failed.length) process.stderr.write(`run.mjs: not supported: ${failed.join(', ')}\n`)
}

main().catch((err) => {
  process.stderr.write(`run.mjs: ${err && err.stack ? err.stack : err}\n`)
  process.exit(2)
})
