"""The rollup the statistics read: member counts per place from the city down to the communities.

Each row counts the members of one place's subtree (the city, a district, a street, a community) with one
value of one dimension, active (probationary or full) or not: the statistics of any of those places are
the few hundred rows of its own path.  The members of one community (or of a street's own organizations)
are also counted per organization ("org") and per organization above theirs ("under": the members in an
organization and below it).  ``party.tally`` keeps the rows current and rebuilds them on demand.
"""

from __future__ import annotations

from django.db import models

from shequ.core.fields import PathField, path_index
from shequ.core.querysets import RestrictedQuerySet


class MemberTally(models.Model):
    path = PathField()  # the place's; rewritten with the territory's paths when a node moves
    dimension = models.CharField(max_length=12)
    key = models.CharField(max_length=24, blank=True)
    active = models.BooleanField()
    # Changed by adding deltas (an upsert): never checked, a drift shows up as a difference to a rebuild.
    count = models.IntegerField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "member tally"
        constraints = [
            models.UniqueConstraint(fields=["path", "dimension", "key", "active"], name="party_tally_unique"),
        ]
        indexes = [
            path_index("party_tally_path", "path", "dimension"),
            models.Index(
                fields=["dimension", "key", "path"],
                name="party_tally_key_path",
                opclasses=["", "", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.dimension}={self.key} ({'active' if self.active else 'other'}): {self.count}"
