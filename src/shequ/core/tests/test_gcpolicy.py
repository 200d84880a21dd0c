"""The worker's garbage collection policy (``core.gcpolicy``), through gunicorn's own hooks."""

from __future__ import annotations

import contextlib
import gc
import runpy
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase

from shequ.core import gcpolicy

CONF = Path(__file__).resolve().parents[4] / "gunicorn.conf.py"


class Node:
    def __init__(self) -> None:
        self.other: Any = None


def cycles(n: int) -> weakref.ref[Node]:
    """*n* pairs of objects in cycles, unreachable once made; a weak reference to the first."""
    first = None
    for _ in range(n):
        a, b = Node(), Node()
        a.other, b.other = b, a
        first = first or weakref.ref(a)
    assert first is not None
    return first


@contextlib.contextmanager
def collections() -> Iterator[list[int]]:
    """The generation of each collection that starts inside the block."""
    generations: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        yield generations
    finally:
        gc.callbacks.remove(seen)


class GcPolicyTests(SimpleTestCase):
    def setUp(self) -> None:
        self.threshold = gc.get_threshold()
        self.addCleanup(gc.set_threshold, *self.threshold)
        self.addCleanup(gc.unfreeze)
        self.hooks = runpy.run_path(str(CONF))

    def test_gunicorn_hooks_start_the_policy_and_collect_after_a_request(self) -> None:
        self.hooks["post_worker_init"](None)
        self.assertEqual(gc.get_threshold()[0], gcpolicy.YOUNG_THRESHOLD)
        self.assertGreater(gc.get_freeze_count(), 0)
        garbage = cycles(1_000)  # a page's worth: below the raised threshold, so nothing collects it on its way
        self.assertIsNotNone(garbage())
        self.hooks["post_request"](None, None, {}, None)
        self.assertIsNone(garbage())

    def test_a_light_request_collects_nothing(self) -> None:
        gcpolicy.worker_started()
        gc.collect()
        garbage = cycles(10)
        gcpolicy.request_done()
        self.assertIsNotNone(garbage())

    def test_a_heavy_request_is_still_collected_on_its_way(self) -> None:
        gcpolicy.worker_started()
        with collections() as generations:
            cycles(gcpolicy.YOUNG_THRESHOLD)
        self.assertTrue(generations)

    def test_every_so_often_the_whole_heap(self) -> None:
        gcpolicy.worker_started()
        with collections() as generations:
            for _ in range(gcpolicy.FULL_EVERY):
                cycles(gcpolicy.YOUNG_AFTER_REQUEST)
                gcpolicy.request_done()
        self.assertEqual(generations.count(2), 1)
        self.assertEqual(generations.count(1), gcpolicy.FULL_EVERY - 1)
