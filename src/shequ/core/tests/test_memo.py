"""``core.memo.Bounded``: each key computed once, all forgotten at the bound."""

from __future__ import annotations

from django.test import SimpleTestCase

from shequ.core.memo import Bounded


class BoundedTests(SimpleTestCase):
    def test_each_key_is_computed_once_with_its_arguments(self) -> None:
        calls: list[tuple[str, int]] = []

        def compute(text: str, times: int) -> str:
            calls.append((text, times))
            return text * times

        memo: Bounded[str, str] = Bounded(10)
        self.assertEqual(memo.get_or("a", compute, "a", 2), "aa")
        self.assertEqual(memo.get_or("a", compute, "ignored", 5), "aa")
        self.assertEqual(memo.get_or("b", compute, "b", 3), "bbb")
        self.assertEqual(calls, [("a", 2), ("b", 3)])

    def test_none_and_false_are_values_kept_like_any_other(self) -> None:
        calls: list[int] = []

        def nothing() -> None:
            calls.append(1)

        memo: Bounded[str, None] = Bounded(10)
        memo.get_or("k", nothing)
        memo.get_or("k", nothing)
        self.assertEqual(len(calls), 1)

    def test_at_the_bound_all_are_forgotten_and_the_new_one_kept(self) -> None:
        memo: Bounded[int, int] = Bounded(3)
        for key in range(3):
            memo.get_or(key, int, key)
        self.assertEqual(len(memo), 3)
        self.assertEqual(memo.get_or(9, int, 9), 9)
        self.assertEqual(dict(memo), {9: 9})
        calls: list[int] = []

        def zero() -> int:
            calls.append(0)
            return 0

        memo.get_or(0, zero)
        self.assertEqual(calls, [0])  # computed again after the clear
