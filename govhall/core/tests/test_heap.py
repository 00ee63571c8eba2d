"""govhall.core.heap: the heap frozen at start and after the warm-up requests."""

import gc
import weakref

import pytest

from govhall.core.heap import freeze_long_lived, freezing_after_warmup


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run keeps a normal collector


def test_freeze_long_lived_moves_objects_out_of_the_collectors_walk(unfrozen):
    assert gc.get_freeze_count() == 0
    probe = [[]]  # a container the collector tracks, alive across the freeze
    assert any(o is probe for o in gc.get_objects())
    frozen = freeze_long_lived()
    # (Not compared with a second get_freeze_count(): frozen objects are still freed by
    # reference counting, and another thread of the test run may drop one in between.)
    assert frozen > 1000
    assert not any(o is probe for o in gc.get_objects())  # no collection walks it now


def test_freeze_long_lived_frees_garbage_cycles_first(unfrozen):
    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    gone = weakref.ref(a)
    gc.disable()  # no automatic collection in between: the freeze's own one frees them
    try:
        del a, b
        assert gone() is not None
        freeze_long_lived()
        assert gone() is None  # freed, not frozen for the life of the process
    finally:
        gc.enable()


def test_the_wrapped_application_freezes_again_after_the_warm_up(unfrozen):
    calls = []

    def inner(environ, start_response):
        calls.append(environ["n"])
        start_response("200 OK", [])
        return [b"ok"]

    app = freezing_after_warmup(inner, requests=3)
    at_start = gc.get_freeze_count()
    assert at_start > 0
    # Frozen objects freed since (by reference counting) leave the count, so it is compared
    # with a margin, not for equality.
    loaded_meanwhile = [object.__new__(type("Loaded", (), {})) for _ in range(500)]
    for n in range(1, 3):
        assert app({"n": n}, lambda status, headers: None) == [b"ok"]
    before_third = gc.get_freeze_count()
    assert before_third < at_start + len(loaded_meanwhile)  # not frozen before the third
    app({"n": 3}, lambda status, headers: None)
    assert gc.get_freeze_count() - before_third >= len(loaded_meanwhile)
    app({"n": 4}, lambda status, headers: None)
    assert calls == [1, 2, 3, 4]
