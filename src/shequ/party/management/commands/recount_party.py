"""``shequ recount_party``: rebuild the statistics' rollup of party members from the members (repair)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from shequ.party.tally import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the member counts the party statistics read, from the members themselves "
        "(after a place was moved from one community to another, or an organization changed its parent)."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        with transaction.atomic():
            rows = rebuild()
        self.stdout.write(f"{rows} rows of member counts written.")
