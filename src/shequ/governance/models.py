"""Decisions and openness (004, 000 §20; domain §4.7–§4.8).

- ``Decision``: a matter passing "four discussions, two publics" (四议两公开) on the shared workflow of core —
  the party organization proposes, the two committees discuss, the party members' meeting reviews, the
  residents' representatives' meeting decides; each step is a meeting (``DecisionStep``) with its quorum and
  votes; the resolution and then the implementation result are published (``Disclosure``).
- ``Disclosure``: an announcement on a community's public board (党务、居务、财务公开), with its publication and
  expiry dates; ``DisclosureRequirement``: what a community must publish how often (overdue → its to-do).
- ``AccessList`` / ``AccessItem``: a district's work access list (准入清单), versioned; ``Handover``: a listed
  matter a department handed to a community, with its funds ("fee follows the matter").
- ``GovernanceRules``: a community's quorums and publicity period.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import CaseModel, ScopedModel, StoredFile, TimelineEntry
from shequ.core.querysets import RestrictedQuerySet

MAX_AMOUNT = 10**10  # yuan: a bound the form, the API and the database share
MAX_PEOPLE = 100_000


class QuorumChoice(models.TextChoices):
    HALF = "1/2", _("at least half")
    TWO_THIRDS = "2/3", _("at least two thirds")
    THREE_QUARTERS = "3/4", _("at least three quarters")


def quorum_fraction(value: str) -> Fraction:
    return Fraction(value)


class GovernanceRules(ScopedModel):
    """A community's own rules for its meetings: the quorum of each meeting, the publicity period."""

    proposal_quorum = models.CharField(
        _("quorum of the party organization's meeting"),
        max_length=3,
        choices=QuorumChoice.choices,
        default=QuorumChoice.HALF,
    )
    discussion_quorum = models.CharField(
        _("quorum of the two committees' meeting"),
        max_length=3,
        choices=QuorumChoice.choices,
        default=QuorumChoice.HALF,
    )
    review_quorum = models.CharField(
        _("quorum of the party members' meeting"),
        max_length=3,
        choices=QuorumChoice.choices,
        default=QuorumChoice.HALF,
    )
    resolution_quorum = models.CharField(
        _("quorum of the residents' representatives' meeting"),
        max_length=3,
        choices=QuorumChoice.choices,
        default=QuorumChoice.TWO_THIRDS,
    )
    publicity_days = models.PositiveSmallIntegerField(
        _("resolution public for (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )

    class Meta:
        verbose_name = _("meeting rules")
        verbose_name_plural = _("meeting rules")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["node"], name="governance_rules_node")]
        indexes = [path_index("governance_rules_path", "path")]

    def __str__(self) -> str:
        return f"{self.node.name} · {self._meta.verbose_name}"

    def get_absolute_url(self) -> str:
        return reverse("governance:governancerules_detail", args=[self.pk])


class DecisionKind(models.TextChoices):
    MAJOR = "major", _("major affairs")
    FUNDS = "funds", _("use of funds")
    PROJECT = "project", _("project")
    WELFARE = "welfare", _("public welfare")
    OTHER = "other", _("other matter")


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("to be proposed")
    PROPOSED = "proposed", _("proposed")
    DISCUSSED = "discussed", _("discussed by the two committees")
    REVIEWED = "reviewed", _("reviewed by the party members")
    DECIDED = "decided", _("decided, resolution public")
    DONE = "done", _("implemented, result public")
    RETURNED = "returned", _("sent back")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_DECISION = (
    DecisionStatus.DRAFT,
    DecisionStatus.PROPOSED,
    DecisionStatus.DISCUSSED,
    DecisionStatus.REVIEWED,
    DecisionStatus.DECIDED,
    DecisionStatus.RETURNED,
)
# Open and not yet decided: a step of the four discussions is still to come (the home page's to-do).
AWAITING_DECISION = tuple(s for s in OPEN_DECISION if s != DecisionStatus.DECIDED)


class Stage(models.TextChoices):
    """The four meetings, in order."""

    PROPOSAL = "proposal", _("proposal by the party organization")
    DISCUSSION = "discussion", _("discussion by the two committees")
    REVIEW = "review", _("review by the party members' meeting")
    RESOLUTION = "resolution", _("decision by the residents' representatives' meeting")


# stage → (the states it is held from, the state it leads to when adopted, the rules' quorum field)
STAGES: dict[str, tuple[tuple[str, ...], str, str]] = {
    Stage.PROPOSAL: ((DecisionStatus.DRAFT, DecisionStatus.RETURNED), DecisionStatus.PROPOSED, "proposal_quorum"),
    Stage.DISCUSSION: ((DecisionStatus.PROPOSED,), DecisionStatus.DISCUSSED, "discussion_quorum"),
    Stage.REVIEW: ((DecisionStatus.DISCUSSED,), DecisionStatus.REVIEWED, "review_quorum"),
    Stage.RESOLUTION: ((DecisionStatus.REVIEWED,), DecisionStatus.DECIDED, "resolution_quorum"),
}


class Decision(CaseModel):
    """A matter the community decides by "four discussions, two publics"."""

    status = models.CharField(_("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT)
    title = models.CharField(_("matter"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=DecisionKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT - 1)],
    )
    description = models.TextField(_("what is proposed"), max_length=5000)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("proposing party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_on = models.DateField(_("proposed on"), null=True, blank=True, editable=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    resolution = models.TextField(_("resolution"), max_length=5000, blank=True, editable=False)
    public_until = models.DateField(_("resolution public until"), null=True, blank=True, editable=False)
    result = models.TextField(_("implementation result"), max_length=5000, blank=True, editable=False)
    result_published_on = models.DateField(_("result published on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-created", "-id"]
        indexes = [
            path_index("governance_decision_path", "path", "is_open"),
            models.Index(fields=["kind", "status"], name="governance_decision_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:decision_detail", args=[self.pk])

    @property
    def days_to_decide(self) -> int | None:
        if self.proposed_on and self.decided_on:
            return (self.decided_on - self.proposed_on).days
        return None


class DecisionEvent(TimelineEntry):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("decision event")
        verbose_name_plural = _("decision events")


class DecisionStep(models.Model):
    """One meeting of a decision: when, who attended (of how many entitled), the votes, the minutes."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("meeting"), max_length=12, choices=Stage.choices)
    held_on = models.DateField(_("held on"))
    entitled = models.PositiveIntegerField(
        _("members entitled to attend"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)]
    )
    present = models.PositiveIntegerField(_("present"), validators=[MaxValueValidator(MAX_PEOPLE)])
    attendees = models.TextField(_("attendees"), max_length=5000, blank=True)
    votes_for = models.PositiveIntegerField(_("for"), validators=[MaxValueValidator(MAX_PEOPLE)])
    votes_against = models.PositiveIntegerField(_("against"), validators=[MaxValueValidator(MAX_PEOPLE)])
    votes_abstaining = models.PositiveIntegerField(_("abstaining"), validators=[MaxValueValidator(MAX_PEOPLE)])
    minutes = models.TextField(_("minutes"), max_length=10000)
    adopted = models.BooleanField(_("adopted"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "decision__path"

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["decision_id", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.held_on:%Y-%m-%d}"


class DecisionAttachment(StoredFile):
    """A file of a decision (minutes signed, a budget …), stored encrypted outside the web root."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="attachments")

    objects = RestrictedQuerySet.as_manager()
    scope_field = "decision__path"

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class DisclosureKind(models.TextChoices):
    PARTY = "party", _("party affairs")
    RESIDENTS = "residents", _("residents' affairs")
    FINANCE = "finance", _("finances")
    RESOLUTION = "resolution", _("resolution")
    RESULT = "result", _("implementation result")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    HALF_YEARLY = "half_yearly", _("half-yearly")
    YEARLY = "yearly", _("yearly")


MONTHS: dict[str, int] = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6, Frequency.YEARLY: 12}


def period_end(day: date, frequency: str) -> date:
    """The last day of the period (month, quarter …) that contains *day*."""
    months = MONTHS[frequency]
    last_month = ((day.month - 1) // months + 1) * months
    following = date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


class DisclosureRequirement(ScopedModel):
    """What a community must publish how often (e.g. its finances each quarter), and by when the next one is
    due: the end of the period plus the grace days.  Publishing one of its kind moves the date on."""

    kind = models.CharField(_("kind"), max_length=12, choices=DisclosureKind.choices)
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices)
    grace_days = models.PositiveSmallIntegerField(
        _("days allowed after the period"), default=15, validators=[MaxValueValidator(90)]
    )
    next_due = models.DateField(_("next due by"), editable=False)
    last_published_on = models.DateField(_("last published on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("disclosure duty")
        verbose_name_plural = _("disclosure duties")
        ordering = ["path", "kind"]
        constraints = [models.UniqueConstraint(fields=["node", "kind"], name="governance_requirement_unique")]
        indexes = [path_index("governance_requirement_path", "path", "next_due")]

    def __str__(self) -> str:
        return f"{self.node.name} · {self.get_kind_display()} · {self.get_frequency_display()}"

    def get_absolute_url(self) -> str:
        return reverse("governance:disclosurerequirement_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.next_due < timezone.localdate()


class Disclosure(ScopedModel):
    """An announcement on a community's public board: nothing personal beyond the names of officials."""

    kind = models.CharField(_("kind"), max_length=12, choices=DisclosureKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    published_on = models.DateField(_("published on"), default=timezone.localdate)
    expires_on = models.DateField(_("on the board until"))
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
        editable=False,
    )
    due_on = models.DateField(_("was due by"), null=True, blank=True, editable=False)
    on_time = models.BooleanField(_("on time"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-published_on", "-id"]
        indexes = [path_index("governance_disclosure_path", "path", "published_on")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:disclosure_detail", args=[self.pk])

    @property
    def current(self) -> bool:
        return self.published_on <= timezone.localdate() <= self.expires_on


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_FORCE = "in_force", _("in force")
    SUPERSEDED = "superseded", _("superseded")


class AccessList(ScopedModel):
    """A version of a district's work access list: the matters higher departments may hand to communities."""

    version = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1)], editable=False)
    reference = models.CharField(_("reference"), max_length=100, help_text=_("e.g. the document number"))
    status = models.CharField(
        _("status"), max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT, editable=False
    )
    in_force_from = models.DateField(_("in force from"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("work access list")
        verbose_name_plural = _("work access lists")
        ordering = ["path", "-version"]
        constraints = [models.UniqueConstraint(fields=["node", "version"], name="governance_list_version")]
        indexes = [path_index("governance_list_path", "path", "status")]

    def __str__(self) -> str:
        return _("%(reference)s (version %(version)s)") % {"reference": self.reference, "version": self.version}

    def get_absolute_url(self) -> str:
        return reverse("governance:accesslist_detail", args=[self.pk])


class AccessItem(models.Model):
    """A matter on a version of the list: its legal basis, the department handing it, the funds per year."""

    access_list = models.ForeignKey(AccessList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="items")
    matter = models.CharField(_("matter"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    department = models.CharField(_("department"), max_length=100)
    funds_per_year = models.DecimalField(
        _("funds per community per year (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT - 1)],
    )

    objects = RestrictedQuerySet.as_manager()
    scope_field = "access_list__path"

    class Meta:
        verbose_name = _("listed matter")
        verbose_name_plural = _("listed matters")
        ordering = ["access_list_id", "department", "matter"]
        constraints = [
            models.UniqueConstraint(fields=["access_list", "department", "matter"], name="governance_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.matter}（{self.department}）"

    def get_absolute_url(self) -> str:
        return reverse("governance:accessitem_detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"path": self.access_list.path}


class Handover(ScopedModel):
    """A listed matter a department handed to a community, and the funds that came with it."""

    item = models.ForeignKey(
        AccessItem, verbose_name=_("listed matter"), on_delete=models.PROTECT, related_name="handovers"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    accepted_on = models.DateField(_("accepted on"), default=timezone.localdate)
    funds_amount = models.DecimalField(
        _("funds transferred (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT - 1)],
    )
    funds_transferred_on = models.DateField(_("funds transferred on"), null=True, blank=True)

    class Meta:
        verbose_name = _("handed matter")
        verbose_name_plural = _("handed matters")
        ordering = ["path", "-year", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "item", "year"], name="governance_handover_unique")]
        indexes = [path_index("governance_handover_path", "path", "year")]

    def __str__(self) -> str:
        return f"{self.node.name} · {self.item.matter} · {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("governance:handover_detail", args=[self.pk])

    @property
    def funded(self) -> bool:
        return self.funds_transferred_on is not None
