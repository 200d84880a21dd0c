"""Home visits, "three must-arrive, five must-visit" (000 §10): each member of the two committees answers for
3–5 households (``HouseholdLink``); households of the must-visit kinds (drawn from the people app's care tags)
are visited at an interval the community sets (``VisitRule``); emergencies, dissatisfaction and family
disputes make a must-arrive task (``MustArriveTask``, a workflow with a deadline in hours); every visit and
arrival is logged (``Visit``), with photos.

Every record sits on the household's node (a unit or building), so a grid worker sees their grid's.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import CaseModel, ScopedModel, StoredFile, TimelineEntry, import_job_field
from shequ.core.querysets import RestrictedQuerySet

# The five must-visit kinds (care tags' codes) and how often, in days, unless the community says otherwise:
# families in difficulty, hospitalized patients, laid-off and unemployed people, released persons monthly;
# lonely elderly weekly.
DEFAULT_INTERVALS: dict[str, int] = {
    "hardship": 30,
    "hospitalized": 30,
    "unemployed": 30,
    "released": 30,
    "elderly_alone": 7,
}
MIN_LINKS, MAX_LINKS = 3, 5


class VisitRule(ScopedModel):
    """A community's interval for a must-visit kind (a care tag), replacing the default (or adding a kind)."""

    tag = models.ForeignKey(
        "people.CareTag", verbose_name=_("special-care tag"), on_delete=models.PROTECT, related_name="+"
    )
    interval_days = models.PositiveSmallIntegerField(
        _("visit at least every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    active = models.BooleanField(
        _("must be visited"), default=True, help_text=_("Untick to take this kind off the must-visit list.")
    )

    class Meta:
        verbose_name = _("visit interval")
        verbose_name_plural = _("visit intervals")
        ordering = ["path", "tag__name"]
        constraints = [models.UniqueConstraint(fields=["node", "tag"], name="visits_rule_unique")]
        indexes = [path_index("visits_rule_path", "path")]

    def __str__(self) -> str:
        return f"{self.node.name} · {self.tag.name}"

    def get_absolute_url(self) -> str:
        return reverse("visits:visitrule_detail", args=[self.pk])


class HouseholdLink(ScopedModel):
    """A member of the two committees (a resident holding a committee post in the community) answering for a
    household, from when to when.  ``node``/``path``: the household's place."""

    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="links"
    )
    member = models.ForeignKey(
        "people.Resident", verbose_name=_("committee member"), on_delete=models.PROTECT, related_name="household_links"
    )
    community = models.ForeignKey(
        "territory.Node", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while the link holds."))
    import_job = import_job_field()

    class Meta:
        verbose_name = _("household link")
        verbose_name_plural = _("household links")
        ordering = ["path", "household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "household"], condition=Q(ended_on__isnull=True), name="visits_link_current"
            ),
        ]
        indexes = [
            path_index("visits_link_path", "path"),
            models.Index(fields=["member", "ended_on"], name="visits_link_member"),
            models.Index(fields=["community", "ended_on"], name="visits_link_community"),
            models.Index(fields=["household", "ended_on"], name="visits_link_household"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} → {self.household}"

    def get_absolute_url(self) -> str:
        return reverse("visits:householdlink_detail", args=[self.pk])


class ArrivalReason(models.TextChoices):
    EMERGENCY = "emergency", _("emergency")
    DISSATISFACTION = "dissatisfaction", _("dissatisfaction")
    DISPUTE = "dispute", _("family dispute")


# Hours allowed to arrive, by reason (around the clock: an emergency does not wait for a holiday).
ARRIVE_HOURS: dict[str, int] = {
    ArrivalReason.EMERGENCY: 2,
    ArrivalReason.DISSATISFACTION: 24,
    ArrivalReason.DISPUTE: 24,
}


class TaskStatus(models.TextChoices):
    OPEN = "open", _("to arrive")
    ARRIVED = "arrived", _("arrived")
    CANCELLED = "cancelled", _("cancelled")


class MustArriveTask(CaseModel):
    """Someone must arrive at a household: its linked member, within a deadline in hours."""

    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    reason = models.CharField(_("reason"), max_length=20, choices=ArrivalReason.choices)
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="must_arrive_tasks",
    )
    member = models.ForeignKey(
        "people.Resident",
        verbose_name=_("committee member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="must_arrive_tasks",
    )
    description = models.CharField(_("what happened"), max_length=500)
    request = models.ForeignKey(
        "services.ServiceRequest",
        verbose_name=_("residents' request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hours = models.PositiveSmallIntegerField(
        _("arrive within (hours)"), validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("must-arrive task")
        verbose_name_plural = _("must-arrive tasks")
        ordering = ["-created", "-id"]
        indexes = [
            path_index("visits_task_path", "path", "is_open"),
            models.Index(fields=["is_open", "deadline"], name="visits_task_deadline"),
            models.Index(fields=["request"], name="visits_task_request"),
        ]

    def __str__(self) -> str:
        where = str(self.household) if self.household_id else self.node.name
        return f"{self.get_reason_display()} · {where}"

    def get_absolute_url(self) -> str:
        return reverse("visits:mustarrivetask_detail", args=[self.pk])


class TaskEvent(TimelineEntry):
    task = models.ForeignKey(MustArriveTask, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("task event")
        verbose_name_plural = _("task events")


class VisitKind(models.TextChoices):
    VISIT = "visit", _("visit")
    ARRIVAL = "arrival", _("arrival")


class Visit(ScopedModel):
    """A visit to (or an arrival at) a household: who, when, what was found, what is needed, the follow-up
    (which may become a residents' request)."""

    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    member = models.ForeignKey(
        "people.Resident",
        verbose_name=_("committee member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits_made",
        help_text=_("The member of the two committees who visited (empty: the person recording it)."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices, default=VisitKind.VISIT)
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    task = models.ForeignKey(
        MustArriveTask,
        verbose_name=_("must-arrive task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    findings = models.CharField(_("findings"), max_length=1000)
    needs = models.CharField(_("needs"), max_length=1000, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=1000, blank=True)
    request = models.ForeignKey(
        "services.ServiceRequest",
        verbose_name=_("follow-up request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_job = import_job_field()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            path_index("visits_visit_path", "path", "visited_at"),
            models.Index(fields=["household", "visited_at"], name="visits_visit_household"),
            models.Index(fields=["member", "visited_at"], name="visits_visit_member"),
            models.Index(fields=["-visited_at", "-id"], name="visits_visit_order"),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {timezone.localtime(self.visited_at):%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("visits:visit_detail", args=[self.pk])


class VisitPhoto(StoredFile):
    """A photo of a visit, stored encrypted outside the web root (``core.files``)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")

    objects = RestrictedQuerySet.as_manager()
    scope_field = "visit__path"

    class Meta(StoredFile.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
