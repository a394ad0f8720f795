"""test_lifetime.py -- handles are freed once, deterministically or by the
garbage collector, and a closed handle raises instead of crashing."""
import gc
import threading
import weakref

import pytest

import raypolicy
from raypolicy import ClosedError


def test_close_twice_and_use_after_close():
    env = raypolicy.Env("cel")
    prog = env.compile("1 + 1")
    assert prog.eval() == 2
    prog.close()
    prog.close()
    assert prog.closed
    with pytest.raises(ClosedError):
        prog.eval()
    with pytest.raises(ClosedError):
        prog.disassemble()
    env.close()
    env.close()
    with pytest.raises(ClosedError):
        env.compile("1")


def test_closed_error_is_a_value_error():
    env = raypolicy.Env("cel")
    env.close()
    with pytest.raises(ValueError, match="environment is closed"):
        env.compile("1")


def test_closing_the_env_closes_its_programs():
    with raypolicy.Env("cel") as env:
        progs = [env.compile(f"{i} * 2") for i in range(5)]
        assert [p.eval() for p in progs] == [0, 2, 4, 6, 8]
    assert env.closed and all(p.closed for p in progs)
    with pytest.raises(ClosedError):
        progs[0].eval()


def test_context_managers():
    with raypolicy.Env("cel") as env, env.compile("'a'") as prog:
        assert prog.eval() == "a"
    assert prog.closed
    with raypolicy.load_pack("ray-hardening") as pack:
        with pack.check([]) as report:
            assert report.findings == []
        assert report.closed
        with pytest.raises(ClosedError):
            report.to_json()
        assert report.findings == []  # already read
    with pytest.raises(ClosedError):
        pack.check([])


def test_garbage_collection_frees_handles():
    env = raypolicy.Env("cel")
    prog = env.compile("1")
    handle = prog._handle
    ref = weakref.ref(prog)
    del prog
    gc.collect()
    assert ref() is None and handle.closed and handle.ptr == 0
    # a program keeps its environment alive, whatever the order of collection
    prog = env.compile("2")
    env_handle = env._handle
    del env
    gc.collect()
    assert prog.eval() == 2 and not env_handle.closed
    del prog
    gc.collect()
    assert env_handle.closed and env_handle.ptr == 0


def test_cycles_are_collected():
    class Holder:
        pass
    h = Holder()
    h.env = raypolicy.Env("cel")
    h.prog = h.env.compile("3")
    h.self = h
    handles = (h.env._handle, h.prog._handle)
    del h
    gc.collect()
    assert all(x.closed and x.ptr == 0 for x in handles)


def test_close_while_other_threads_evaluate():
    env = raypolicy.Env("cel", variables=["x"])
    prog = env.compile("[x, x, x].map(i, i * i)")
    started = threading.Event()
    outcomes = []

    def worker() -> None:
        n = 0
        while True:
            try:
                assert prog.eval(x=3) == [9, 9, 9]
            except ClosedError:
                outcomes.append(("closed", n))
                return
            n += 1
            started.set()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    started.wait()
    env.close()
    for th in threads:
        th.join()
    assert len(outcomes) == 4
    assert env._handle.ptr == 0 and prog._handle.ptr == 0


def test_many_programs_do_not_accumulate():
    with raypolicy.Env("cel", variables=["x"]) as env:
        for i in range(2000):
            assert env.compile(f"x + {i}").eval(x=1) == i + 1
        gc.collect()
        assert len(env._handle._children) < 50  # activations and live programs only
