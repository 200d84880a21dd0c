"""Shared test data: valid identity numbers on demand and residents made through the actions."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from typing import Any

from stdnum.cn import ric

from shequ.accounts.models import User
from shequ.core.testing import World
from shequ.people.actions import do_create_household, do_create_resident
from shequ.people.models import Household, Resident
from shequ.territory.models import Node

_sequence = itertools.count(11)


# An identity number's shape: what must never appear in an address or a page that masks numbers.
ID_SHAPE = re.compile(r"\d{17}[\dXx]")
# The keyed hash that stands for a number in an address: 64 hex digits, which by chance may hold 18
# decimal digits in a row (about one key in a hundred).
HASH_TOKEN = re.compile(r"idh=[0-9a-f]{64}")


def id_number_shapes(text: str) -> list[str]:
    """Identity-number shapes in ``text``, outside the keyed hashes."""
    return ID_SHAPE.findall(HASH_TOKEN.sub("idh=…", text))


def make_id(born: date | None = None, gender: str = "M", region: str = "420102", seq: int | None = None) -> str:
    """A valid identity number (correct check digit); each call gives a new one unless *seq* is given.  The new
    ones are born a day later per 500 (from 1985-03-03, unless *born* is given), so that they never repeat a
    number a test asked for by *seq* (born 1985-03-02 unless given; which comes first depends on the tests run
    before in the same process)."""
    n = seq if seq is not None else next(_sequence)
    if seq is None:
        born = born or date(1985, 3, 3) + timedelta(days=n // 500)
    born = born or date(1985, 3, 2)
    order = (n % 500) * 2 + (1 if gender == "M" else 0)
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def dwelling(world: World, node: Node) -> Node:
    """The grid under a street of the World: a place where people live."""
    return world.grid_a if node == world.street_a or node.path.startswith(world.street_a.path) else world.grid_b


def community_worker(world: World, node: Node | None = None, username: str = "worker_a") -> User:
    return world.user(username, "community_worker", node or world.community_a)


def grid_worker(world: World, node: Node | None = None, username: str = "gridder_a") -> User:
    return world.user(username, "grid_worker", node or world.grid_a)


_names = itertools.count(1)


def resident(world: World, node: Node | None = None, **fields: Any) -> Resident:
    node = node or world.grid_a
    fields.setdefault("name", f"张{'一二三四五六七八九十'[next(_names) % 10]}{next(_names)}")
    fields.setdefault("id_number", make_id())
    return do_create_resident(acting_user=world.admin, node=node, **fields)


def household(world: World, node: Node | None = None, **fields: Any) -> Household:
    return do_create_household(acting_user=world.admin, node=node or world.grid_a, **fields)
