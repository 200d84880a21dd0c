"""Positions (阵地), standards, culture and the work-fund ledger of each community (000 §11, §12, §20; 001 §4.4;
002 §11; 003).

- ``Facility``: a community's service places (the service centre with its rooms "five rooms, three stations,
  one place"), outdoor leisure squares and fitness paths (a point, a path also a line).
- ``StandardCheck``: the yearly "six haves" inspection of a community's party organization, with evidence.
- ``CommunityStandard``: the rollup per community kept by the actions (service area and its class, the
  nearest leisure square and fitness path, six haves of the year) — the standards page reads only this.
- ``CulturalBrand`` / ``CulturalEvent``: the community's cultural brands and events.
- ``FundAccount`` (the special bank account), ``LedgerEntry`` (allocations, spending, reimbursements; approved
  entries never change, corrections are reversing entries), ``FundYear`` (rollup per community, year and book,
  kept by the actions) and ``Statement`` (the quarterly statement published on the portal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import PathField, path_index
from shequ.core.models import CaseModel, ScopedModel, StoredFile, TimelineEntry
from shequ.core.querysets import RestrictedQuerySet

# Service-area classes (002 §11): standard ≥ 300 m², boutique ≥ 500 m², demonstration ≥ 1,000 m².
STANDARD_AREA, BOUTIQUE_AREA, DEMONSTRATION_AREA = 300, 500, 1000
SQUARE_RADIUS_M, PATH_RADIUS_M = 2000, 1000
WORK_FUNDS_TARGET = 50_000
WORK_FUNDS_PER_THOUSAND_HOUSEHOLDS = 10_000  # 003: 10,000 yuan a year per thousand households
PARTY_FUNDS_PER_MEMBER = 50
MAX_AREA = Decimal("100000")
MAX_AMOUNT = Decimal("100000000")


class AreaClass(models.TextChoices):
    NONE = "none", _("below standard")
    STANDARD = "standard", _("standard")
    BOUTIQUE = "boutique", _("boutique")
    DEMONSTRATION = "demonstration", _("demonstration")


def area_class(area: Decimal | float | int | None) -> str:
    value = float(area or 0)
    if value >= DEMONSTRATION_AREA:
        return AreaClass.DEMONSTRATION
    if value >= BOUTIQUE_AREA:
        return AreaClass.BOUTIQUE
    if value >= STANDARD_AREA:
        return AreaClass.STANDARD
    return AreaClass.NONE


def housing_required(households: int, county: bool = False) -> Decimal:
    """Service housing a community needs (001 §4.4): 25 m² per 150 households in a city, 20 m² per 100 in a
    county, never less than 100 m²."""
    need = Decimal(households) * (Decimal(20) / 100 if county else Decimal(25) / 150)
    return max(Decimal(100), need.quantize(Decimal("0.1")))


class FacilityKind(models.TextChoices):
    SERVICE_CENTRE = "service_centre", _("community service centre")
    LEISURE_SQUARE = "leisure_square", _("outdoor leisure square")
    FITNESS_PATH = "fitness_path", _("fitness path")
    OTHER = "other", _("other place")


class Room(models.TextChoices):
    """ "Five rooms, three stations, one place" (001 §4.4)."""

    OFFICE = "office", _("office")
    POLICE = "police", _("police room")
    PARTY = "party", _("party-member activity room")
    YOUTH = "youth", _("youth room")
    ELDERLY = "elderly", _("elderly room")
    LABOUR = "labour", _("labour and social-security station")
    HEALTH = "health", _("health and family-planning station")
    SERVICE = "service", _("community service station")
    CULTURE = "culture", _("place for cultural and sports activities")


class Facility(ScopedModel):
    node = models.ForeignKey("territory.Node", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.DecimalField(
        _("area (m²)"),
        max_digits=9,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AREA)],
    )
    housing_area = models.DecimalField(
        _("service housing (m²)"),
        max_digits=9,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AREA)],
        help_text=_("The part of the area used as service housing."),
    )
    rooms = models.JSONField(_("rooms and stations"), default=list, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)], null=True, blank=True
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)], null=True, blank=True
    )
    line = models.JSONField(
        _("line"), null=True, blank=True, help_text=_("A fitness path's course: GeoJSON LineString.")
    )
    active = models.BooleanField(_("in use"), default=True)

    search_fields = ("name__icontains",)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["path", "kind", "name"]
        indexes = [path_index("positions_facility_path", "path"), models.Index(fields=["kind", "latitude"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("positions:facility_detail", args=[self.pk])

    def room_labels(self) -> list[str]:
        return [str(Room(r).label) for r in self.rooms if r in Room.values]


class FacilityPhoto(StoredFile):
    """A photo of a facility, stored encrypted outside the web root (``core.files``)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")

    objects = RestrictedQuerySet.as_manager()
    scope_field = "facility__path"

    class Meta(StoredFile.Meta):
        verbose_name = _("facility photo")
        verbose_name_plural = _("facility photos")


class StandardCheck(ScopedModel):
    """The yearly "six haves" inspection (000 §11) of a community's party organization."""

    node = models.ForeignKey("territory.Node", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    checked_on = models.DateField(_("inspected on"))
    activity_place = models.BooleanField(_("fixed activity place"), default=False)
    service_window = models.BooleanField(_("one-stop service window"), default=False)
    office_facilities = models.BooleanField(_("modern office facilities"), default=False)
    distance_education = models.BooleanField(_("distance-education equipment"), default=False)
    rules = models.BooleanField(_("complete rules and regulations"), default=False)
    archives = models.BooleanField(_("complete archives"), default=False)
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    inspector = models.CharField(_("inspector"), max_length=50, blank=True)

    HAVES = ("activity_place", "service_window", "office_facilities", "distance_education", "rules", "archives")

    class Meta:
        verbose_name = _("six-haves inspection")
        verbose_name_plural = _("six-haves inspections")
        ordering = ["-year", "path"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="positions_check_node_year")]
        indexes = [path_index("positions_check_path", "path")]

    def __str__(self) -> str:
        return f"{self.node.name} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("positions:standardcheck_detail", args=[self.pk])

    @property
    def compliant(self) -> bool:
        return all(getattr(self, name) for name in self.HAVES)

    def missing(self) -> list[str]:
        return [
            str(getattr(self._meta.get_field(name), "verbose_name", name))
            for name in self.HAVES
            if not getattr(self, name)
        ]


class CommunityStandard(models.Model):
    """Per community, kept current by the actions: its service area and class, the distance to the nearest
    leisure square and fitness path, and the six haves of the latest inspection."""

    node = models.OneToOneField("territory.Node", on_delete=models.CASCADE, related_name="+", primary_key=True)
    path = PathField()
    service_area = models.DecimalField(max_digits=10, decimal_places=1, default=Decimal(0))
    housing_area = models.DecimalField(max_digits=10, decimal_places=1, default=Decimal(0))
    area_class = models.CharField(max_length=16, choices=AreaClass.choices, default=AreaClass.NONE)
    rooms = models.PositiveSmallIntegerField(default=0)
    square_m = models.FloatField(null=True)
    path_m = models.FloatField(null=True)
    six_haves_year = models.PositiveSmallIntegerField(null=True)
    six_haves = models.BooleanField(default=False)

    class Meta:
        indexes = [path_index("positions_standard_path", "path")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.area_class}"

    @property
    def covered(self) -> bool:
        return (
            self.square_m is not None
            and self.square_m <= SQUARE_RADIUS_M
            and self.path_m is not None
            and self.path_m <= PATH_RADIUS_M
        )


class CulturalBrand(ScopedModel):
    node = models.ForeignKey("territory.Node", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    since = models.PositiveSmallIntegerField(
        _("since (year)"), null=True, blank=True, validators=[MinValueValidator(1949), MaxValueValidator(2100)]
    )

    search_fields = ("name__icontains",)

    class Meta:
        verbose_name = _("cultural brand")
        verbose_name_plural = _("cultural brands")
        ordering = ["path", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="positions_brand_node_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("positions:culturalbrand_detail", args=[self.pk])


class CulturalEvent(ScopedModel):
    node = models.ForeignKey("territory.Node", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    brand = models.ForeignKey(
        CulturalBrand,
        verbose_name=_("cultural brand"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    title = models.CharField(_("title"), max_length=100)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0, validators=[MaxValueValidator(1_000_000)])

    search_fields = ("title__icontains",)

    class Meta:
        verbose_name = _("cultural event")
        verbose_name_plural = _("cultural events")
        ordering = ["-held_on", "path"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("positions:culturalevent_detail", args=[self.pk])


# -- funds -------------------------------------------------------------------------------------------------------


class Book(models.TextChoices):
    WORK = "work", _("work funds")
    PARTY = "party", _("party-building funds")
    UPKEEP = "upkeep", _("heating, utilities and maintenance")


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", _("allocation")
    SPENDING = "spending", _("spending")
    REVERSAL = "reversal", _("reversing entry")


class Category(models.TextChoices):
    CITY = "city", _("city allocation")
    DISTRICT = "district", _("district allocation")
    STREET = "street", _("street allocation")
    OTHER_INCOME = "other_income", _("other income")
    OFFICE = "office", _("office expenses")
    ACTIVITIES = "activities", _("activities")
    SERVICES = "services", _("resident services")
    TRAINING = "training", _("training")
    PARTY_EDUCATION = "party_education", _("party education")
    HEATING = "heating", _("heating")
    UTILITIES = "utilities", _("water and electricity")
    MAINTENANCE = "maintenance", _("maintenance")
    OTHER = "other", _("other")


ALLOCATION_CATEGORIES = (Category.CITY, Category.DISTRICT, Category.STREET, Category.OTHER_INCOME)
UPKEEP_CATEGORIES = (Category.HEATING, Category.UTILITIES, Category.MAINTENANCE)


class FundAccount(ScopedModel):
    """A community's special bank account for its work funds (one per community); its balance per book is
    the sum of its approved entries, kept by the actions."""

    node = models.OneToOneField(
        "territory.Node", verbose_name=_("community"), on_delete=models.PROTECT, related_name="fund_account"
    )
    bank = models.CharField(_("bank"), max_length=100)
    number = models.CharField(_("account number"), max_length=34)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    work_balance = models.DecimalField(
        _("work funds balance"), max_digits=14, decimal_places=2, default=Decimal(0), editable=False
    )
    party_balance = models.DecimalField(
        _("party-building funds balance"), max_digits=14, decimal_places=2, default=Decimal(0), editable=False
    )
    upkeep_balance = models.DecimalField(
        _("heating, utilities and maintenance balance"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        editable=False,
    )

    search_fields = ("node__name__icontains", "bank__icontains")

    class Meta:
        verbose_name = _("fund account")
        verbose_name_plural = _("fund accounts")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(work_balance__gte=0) & Q(party_balance__gte=0) & Q(upkeep_balance__gte=0),
                name="positions_account_never_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node.name} {self.masked_number}"

    def get_absolute_url(self) -> str:
        return reverse("positions:fundaccount_detail", args=[self.pk])

    @property
    def masked_number(self) -> str:
        return mask_account(self.number)

    def balance(self, book: str) -> Decimal:
        return Decimal(getattr(self, f"{book}_balance"))


def mask_account(number: str) -> str:
    digits = (number or "").replace(" ", "")
    if len(digits) <= 4:
        return "****"
    return "*" * 4 + " " + digits[-4:]


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class LedgerEntry(CaseModel):
    """One entry of a book of a community's fund account.  *amount* is signed: money in is positive, money out
    negative.  Once approved it never changes; a correction is a reversing entry (the opposite amount)."""

    account = models.ForeignKey(
        FundAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    book = models.CharField(_("book"), max_length=10, choices=Book.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(-MAX_AMOUNT), MaxValueValidator(MAX_AMOUNT)],
    )
    occurred_on = models.DateField(_("date"))
    voucher = models.CharField(_("voucher number"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    search_fields = ("voucher__startswith", "description__icontains")

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            path_index("positions_entry_path", "path"),
            models.Index(fields=["account", "status", "occurred_on"], name="positions_entry_account"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_category_display()} {self.amount}"  # type: ignore[attr-defined]

    def get_absolute_url(self) -> str:
        return reverse("positions:ledgerentry_detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and not self._state.adding:
            stored = LedgerEntry.objects.filter(pk=self.pk).values("status", "amount", "book", "occurred_on").first()
            if stored and stored["status"] == EntryStatus.APPROVED:
                changed = (
                    stored["amount"] != Decimal(self.amount)
                    or stored["book"] != self.book
                    or stored["occurred_on"] != self.occurred_on
                    or self.status != EntryStatus.APPROVED
                )
                if changed:
                    from shequ.core.exceptions import ActionError

                    raise ActionError(
                        _("An approved entry is never changed: record a reversing entry instead."), code="approved"
                    )
        super().save(*args, **kwargs)


class EntryAttachment(StoredFile):
    """A voucher of a ledger entry (an invoice, a receipt, a transfer slip), stored encrypted; added while the
    entry awaits approval, never changed after."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="attachments")

    objects = RestrictedQuerySet.as_manager()
    scope_field = "entry__path"

    class Meta(StoredFile.Meta):
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")


class EntryEvent(TimelineEntry):
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("ledger entry event")


class FundYear(models.Model):
    """Per community, year and book: the approved money in and out (kept by the actions)."""

    node = models.ForeignKey("territory.Node", on_delete=models.CASCADE, related_name="+")
    path = PathField()
    year = models.PositiveSmallIntegerField()
    book = models.CharField(max_length=10, choices=Book.choices)
    allocated = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "year", "book"], name="positions_fundyear_unique")]
        indexes = [models.Index(fields=["year", "book", "path"], name="positions_fundyear_path")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.year} {self.book}"


class Statement(ScopedModel):
    """The quarterly statement of a community's fund account, published on the portal: totals by book and
    category, nothing personal, the account number masked."""

    node = models.ForeignKey("territory.Node", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    bank = models.CharField(_("bank"), max_length=100)
    masked_number = models.CharField(_("account number"), max_length=40)
    totals = models.JSONField(_("totals"), default=dict)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("quarterly statement")
        verbose_name_plural = _("quarterly statements")
        ordering = ["-year", "-quarter", "path"]
        constraints = [models.UniqueConstraint(fields=["node", "year", "quarter"], name="positions_statement_unique")]

    def __str__(self) -> str:
        return f"{self.node.name} {self.year}Q{self.quarter}"

    def get_absolute_url(self) -> str:
        return reverse("positions:statement_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("positions:portal_statement", args=[self.pk])
