"""``shequ recount_tree``: rebuild the per-node counts of places from the tree itself (repair)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from shequ.territory.counts import recount_all


class Command(BaseCommand):
    help = "Rebuild every node's counts of the active places under it."

    def handle(self, *args: Any, **opts: Any) -> None:
        with transaction.atomic():
            changed = recount_all()
        self.stdout.write(f"{changed} nodes corrected.")
