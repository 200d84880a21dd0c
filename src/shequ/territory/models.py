from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.bounds import LATITUDE, LONGITUDE
from shequ.core.fields import PathField, path_ids, path_index
from shequ.core.models import TimeStampedModel
from shequ.core.querysets import RestrictedQuerySet
from shequ.core.text import pinyin_of


class Kind(models.TextChoices):
    CITY = "city", _("city")
    DISTRICT = "district", _("district")
    STREET = "street", _("street")
    COMMUNITY = "community", _("community")
    GRID = "grid", _("grid")
    ESTATE = "estate", _("residential area")
    BUILDING = "building", _("building")
    UNIT = "unit", _("unit")


KIND_ORDER = [k.value for k in Kind]

# Which kinds may stand directly under which.  The administrative levels (city,
# district, street, community) cannot be skipped; below a community a building may
# stand in a grid, a residential area or the community itself.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    Kind.CITY: {None},
    Kind.DISTRICT: {Kind.CITY},
    Kind.STREET: {Kind.DISTRICT},
    Kind.COMMUNITY: {Kind.STREET},
    Kind.GRID: {Kind.COMMUNITY},
    Kind.ESTATE: {Kind.COMMUNITY, Kind.GRID},
    Kind.BUILDING: {Kind.COMMUNITY, Kind.GRID, Kind.ESTATE},
    Kind.UNIT: {Kind.BUILDING},
}


class NodeQuerySet(RestrictedQuerySet):
    def active(self) -> NodeQuerySet:
        return self.filter(retired=False)


class Node(TimeStampedModel):
    """One place in the territory: city, district, street, community, grid, residential area, building, unit."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("National administrative division code or 12-digit statistical code."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=LATITUDE)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=LONGITUDE)
    boundary = models.JSONField(_("boundary"), null=True, blank=True, help_text=_("GeoJSON geometry."))
    is_county = models.BooleanField(
        _("county"),
        default=False,
        help_text=_("Only for a district: it is a county (service housing 20 m² per 100 households, not 25 per 150)."),
    )
    path = PathField()
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    pinyin = models.CharField(max_length=255, blank=True, editable=False)
    initials = models.CharField(max_length=100, blank=True, editable=False)
    retired = models.BooleanField(_("retired"), default=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_reason = models.CharField(_("reason for retiring"), max_length=200, blank=True)
    # Active places under this one, by kind (see territory.counts); empty for a retired node.
    subtree_counts = models.JSONField(default=dict, editable=False)

    objects = NodeQuerySet.as_manager()
    # Set by queries.children_with_counts: active places under this one, by kind, and their sum.
    counts: dict[str, int]
    total: int
    search_fields = ("name__icontains", "pinyin__startswith", "initials__startswith", "code__startswith")

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="territory_node_name_per_parent"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent=None), name="territory_node_root_name"),
        ]
        indexes = [
            path_index("territory_node_path", "path"),
            models.Index(fields=["kind", "path"], name="territory_node_kind_path"),
            models.Index(fields=["pinyin"], name="territory_node_pinyin"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.pinyin, self.initials = pinyin_of(self.name)
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            # The rollup is written only by territory.counts, under lock: never from a stale copy.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "subtree_counts"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("territory:node_detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        """Stored with each audit entry, so the audit log is scoped like the node."""
        return {"path": self.path}

    @property
    def node(self) -> Node:
        return self

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)[:-1]

    def ancestors(self) -> list[Node]:
        ids = self.ancestor_ids()
        by_id = {n.pk: n for n in Node.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]

    def descendants(self) -> NodeQuerySet:
        return Node.objects.within(self.path).exclude(pk=self.pk)

    @property
    def kind_rank(self) -> int:
        return KIND_ORDER.index(self.kind)

    @property
    def geometry(self) -> dict | None:
        if self.boundary:
            return self.boundary
        if self.latitude is not None and self.longitude is not None:
            return {"type": "Point", "coordinates": [self.longitude, self.latitude]}
        return None
