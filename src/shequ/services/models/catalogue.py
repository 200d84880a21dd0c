"""The service catalogue: categories (with typed extra questions and a deadline tier) and routing rules."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.fields import path_index
from shequ.core.models import ScopedModel, TimeStampedModel
from shequ.core.querysets import TerritoryListQuerySet


def public_q(prefix: str = "") -> Q:
    """The public categories (the category and its parent are public); with ``prefix="category__"``, the
    requests of public categories: the only ones a public feed may show."""
    return Q(**{f"{prefix}public": True}) & (
        Q(**{f"{prefix}parent__isnull": True}) | Q(**{f"{prefix}parent__public": True})
    )


class CatalogueQuerySet(TerritoryListQuerySet):
    """One catalogue for the whole territory: whoever may view requests sees it; changing it takes the
    right on the whole territory (a superuser, or a grant on the city itself)."""


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("hours, around the clock")
    WORKING_HOURS = "working_hours", _("working hours (only working days count)")
    WORKING_DAYS = "working_days", _("working days (to the end of the last one)")


class DeadlineTier(TimeStampedModel):
    """How long a category may take: emergency 2 hours, utilities 24 hours, general 7 days, complex 15 days."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(pgettext_lazy("time", "unit"), max_length=16, choices=DeadlineUnit.choices)
    search_fields = ("name__icontains", "code__startswith")
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the time used)"),
        default=80,
        help_text=_("The handler is warned when this share is used."),
    )

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline tier")
        verbose_name_plural = _("deadline tiers")
        ordering = ["amount", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.amount} {self.get_unit_display()})"

    def get_absolute_url(self) -> str:
        return reverse("services:deadlinetier_detail", args=[self.pk])


class ServiceCategory(TimeStampedModel):
    """A kind of matter residents raise (water, power, heating …); a sub-category has a parent.

    ``code`` is the Open311 ``service_code``.  A sub-category without a tier uses its parent's.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("The Open311 service code."))
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True, help_text=_("Separated by commas."))
    tier = models.ForeignKey(
        DeadlineTier, verbose_name=_("deadline tier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_(
            "Requests of a category that is not public (social assistance, disputes, health, anything naming a"
            " person) appear in no public list or map: the public figures only count them, and the resident"
            " follows their own with the tracking code. A sub-category of a category that is not public is not"
            " public either."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CatalogueQuerySet.as_manager()
    search_fields = ("name__icontains", "code__startswith", "keywords__icontains")

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        if self.parent_id and self.parent is not None:
            return f"{self.parent.name} / {self.name}"
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:servicecategory_detail", args=[self.pk])

    def effective_tier(self) -> DeadlineTier | None:
        if self.tier_id:
            return self.tier
        if self.parent_id and self.parent is not None:
            return self.parent.tier
        return None

    @property
    def is_public(self) -> bool:
        """Its requests may be shown to anyone: the category and its parent are both public."""
        if not self.public:
            return False
        return not (self.parent_id and self.parent is not None and not self.parent.public)

    @property
    def group(self) -> str:
        """The Open311 ``group``: the top-level category's name."""
        return self.parent.name if self.parent_id and self.parent is not None else self.name


class Datatype(models.TextChoices):
    # The Open311 GeoReport v2 attribute datatypes, by their names in the specification.
    STRING = "string", _("short text")
    NUMBER = "number", _("number")
    DATETIME = "datetime", _("date and time")
    TEXT = "text", _("long text")
    SINGLEVALUELIST = "singlevaluelist", _("one choice from a list")
    MULTIVALUELIST = "multivaluelist", _("several choices from a list")


class ServiceAttribute(TimeStampedModel):
    """An extra question of a category ("Which floor?", "Since when?"), typed as in Open311."""

    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("question"), max_length=200)
    datatype = models.CharField(_("type"), max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("help text"), max_length=200, blank=True)
    values = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_('For lists: [{"key": "...", "name": "..."}, …].')
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CatalogueQuerySet.as_manager()
    search_fields = ("label__icontains", "code__startswith")

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="services_attribute_code")]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("services:serviceattribute_detail", args=[self.pk])

    def choice_keys(self) -> list[str]:
        return [str(v.get("key")) for v in self.values or [] if isinstance(v, dict)]

    def display(self, answer: Any) -> str:
        """An answer as people read it: the names of the chosen entries of a list, never their keys."""
        entries = [v for v in self.values or [] if isinstance(v, dict)]
        names = {str(v.get("key")): str(v.get("name") or v.get("key")) for v in entries}
        chosen = answer if isinstance(answer, list) else [answer]
        return "、".join(names.get(str(item), str(item)) for item in chosen)


class RoutingRule(ScopedModel):
    """Category × node → the responsible organization (or post).  For a request, the rule at the nearest
    node up the tree wins; at one node, a rule for the sub-category beats one for its parent, which beats
    one for every category (category empty)."""

    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Empty: every category without a rule of its own."),
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("responsible organization"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        "orgs.Post",
        verbose_name=_("responsible post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional: the post in that organization who handles it."),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    search_fields = ("organization__name__icontains", "node__name__icontains", "category__name__icontains")

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["path", "category_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "category"], condition=Q(category__isnull=False), name="services_rule_node_category"
            ),
            models.UniqueConstraint(fields=["node"], condition=Q(category__isnull=True), name="services_rule_node_any"),
        ]
        indexes = [path_index("services_rule_path", "path")]

    def __str__(self) -> str:
        what = self.category.name if self.category_id and self.category else _("every category")
        return f"{self.node.name} · {what} → {self.organization.name}"

    def get_absolute_url(self) -> str:
        return reverse("services:routingrule_detail", args=[self.pk])
