"""test_threads.py -- one Program evaluated by many threads at once, each
with its own bindings; packs checked in parallel."""
import threading

import raypolicy

THREADS = 8
EVALS = 1000


def test_one_program_many_threads():
    with raypolicy.Env("cel", variables=["x", "name"]) as env:
        prog = env.compile("{'twice': x * 2, 'greeting': 'hello ' + name, 'big': x > 500}")
        failures = []
        start = threading.Barrier(THREADS)

        def worker(t: int) -> None:
            start.wait()
            try:
                for i in range(EVALS):
                    x = t * EVALS + i
                    got = prog.eval(x=x, name=f"t{t}-{i}")
                    want = {"twice": 2 * x, "greeting": f"hello t{t}-{i}", "big": x > 500}
                    if got != want:
                        failures.append((t, i, got))
                        return
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append((t, repr(e)))

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert failures == []


def test_errors_in_threads_do_not_leak_into_others():
    with raypolicy.Env("cel", variables=["x"]) as env:
        prog = env.compile("10 / x")
        results = {}

        def worker(t: int) -> None:
            out = []
            for i in range(200):
                x = (t + i) % 3
                try:
                    got = prog.eval(x=x)
                    out.append(x != 0 and got == 10 // x)
                except raypolicy.EvalError as e:
                    out.append(x == 0 and "division by zero" in e.message)
            results[t] = all(out)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert results == {t: True for t in range(THREADS)}


def test_checks_in_parallel(data):
    with raypolicy.load_pack(data / "packs" / "demo.yaml") as pack:
        counts = []

        def worker() -> None:
            for _ in range(20):
                r = pack.check(paths=[data / "manifests" / "mixed.yaml"])
                counts.append(len(r.findings))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert counts == [3] * 80
