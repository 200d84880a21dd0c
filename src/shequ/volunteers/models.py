"""Volunteers (000 §4): the registry, team memberships, activities and sign-ups, the ledger of service hours
and its rollups.

Teams and stations are the ``VOLUNTEER_TEAM`` / ``VOLUNTEER_STATION`` organizations of ``orgs`` (a team's
station is the one of its community).  A volunteer is always a resident of the platform (perhaps of another
community); ``node`` is the community where they registered.  Hours are credited only once confirmed: the
volunteer's total and star level and the per team and year rollup (``VolunteerYear``) change in the same
transaction as the confirmation, so no page ever sums the ledger.
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
from shequ.core.models import CaseModel, ScopedModel, TimelineEntry, TimeStampedModel, import_job_field
from shequ.core.querysets import RestrictedQuerySet
from shequ.people.models import CareTagQuerySet

# Cumulative confirmed hours for each star level (the usual 星级志愿者 thresholds).
STAR_THRESHOLDS = ((5, Decimal(1500)), (4, Decimal(1000)), (3, Decimal(600)), (2, Decimal(300)), (1, Decimal(100)))
MAX_HOURS_A_DAY = Decimal(24)


def star_level(total: Decimal | float | int) -> int:
    """The star level of *total* confirmed hours (0 below 100 h)."""
    total = Decimal(str(total))
    return next((stars for stars, hours in STAR_THRESHOLDS if total >= hours), 0)


def next_star(total: Decimal) -> tuple[int, Decimal] | None:
    """The next star level and the hours still missing (None at five stars)."""
    for stars, hours in reversed(STAR_THRESHOLDS):
        if total < hours:
            return stars, hours - total
    return None


class Skill(TimeStampedModel):
    """An editable list of skills (first aid, tutoring, repairs …): one list for the whole territory."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    active = models.BooleanField(_("active"), default=True)

    objects = CareTagQuerySet.as_manager()
    search_fields = ("name__icontains", "code__startswith")

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("volunteers:skill_detail", args=[self.pk])


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    LEFT = "left", _("left")


class VolunteerQuerySet(RestrictedQuerySet):
    def active(self) -> VolunteerQuerySet:
        return self.filter(status=VolunteerStatus.ACTIVE)


class Volunteer(ScopedModel):
    """A resident registered as a volunteer at a community's volunteer service station."""

    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="volunteer_records"
    )
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text=_("For the one-time codes of the public portal.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        help_text=_("An account of the platform, to sign up to activities without a one-time code."),
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="volunteers")
    weekdays = models.BooleanField(_("available on weekdays"), default=False)
    evenings = models.BooleanField(_("available in the evenings"), default=False)
    weekends = models.BooleanField(_("available at weekends"), default=True)
    consent_on = models.DateField(
        _("consent given on"), help_text=_("The volunteer agreed to the use of their personal information.")
    )
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(
        _("status"), max_length=12, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    total_hours = models.DecimalField(
        _("confirmed hours"), max_digits=9, decimal_places=1, default=Decimal(0), editable=False
    )
    stars = models.PositiveSmallIntegerField(_("star level"), default=0, editable=False)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    import_job = import_job_field()

    objects = VolunteerQuerySet.as_manager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["path", "id"]
        constraints = [models.UniqueConstraint(fields=["resident"], name="volunteers_volunteer_resident")]
        indexes = [
            path_index("volunteers_volunteer_path", "path", "status"),
            # The lists' order (Meta.ordering) for a street's first page without sorting it all.
            models.Index(fields=["path", "id"], name="volunteers_volunteer_order"),
            models.Index(fields=["phone"], name="volunteers_volunteer_phone"),
        ]

    def __str__(self) -> str:
        return self.resident.name

    def get_absolute_url(self) -> str:
        return reverse("volunteers:volunteer_detail", args=[self.pk])

    @classmethod
    def org_scope_q(cls, reach: Any) -> Q:
        """A team captain's grant reaches the volunteers who are, or were, members of the team."""
        return Q(pk__in=TeamMembership.objects.filter(team_id__in=sorted(reach.orgs)).values("volunteer_id"))

    @property
    def star_display(self) -> str:
        return "★" * self.stars

    @property
    def next_star(self) -> tuple[int, Decimal] | None:
        return next_star(self.total_hours)

    @property
    def availability(self) -> str:
        parts = [
            str(label)
            for flag, label in (
                (self.weekdays, _("weekdays")),
                (self.evenings, _("evenings")),
                (self.weekends, _("weekends")),
            )
            if flag
        ]
        return "、".join(parts)


class TeamMembership(ScopedModel):
    """A volunteer in a team, from when to when (end empty: a member now).  ``node`` is the team's."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="memberships"
    )
    team = models.ForeignKey(
        "orgs.Organization", verbose_name=_("volunteer team"), on_delete=models.PROTECT, related_name="team_members"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while a member."))
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    import_job = import_job_field()

    org_scope_field = "team"

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["path", "team_id", "-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "team"], condition=Q(ended_on__isnull=True), name="volunteers_membership_current"
            ),
        ]
        indexes = [
            path_index("volunteers_membership_path", "path"),
            models.Index(fields=["team", "ended_on"], name="volunteers_membership_team"),
            models.Index(fields=["volunteer", "ended_on"], name="volunteers_membership_vol"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.team}"

    def get_absolute_url(self) -> str:
        return reverse("volunteers:teammembership_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        from django.utils import timezone

        return self.ended_on is None or self.ended_on > timezone.localdate()


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")


class Activity(ScopedModel):
    """A team's activity: when, where (a place node and an address), how many places, which skills.
    ``node`` is the team's (its scope); ``place`` is where it happens."""

    team = models.ForeignKey(
        "orgs.Organization", verbose_name=_("volunteer team"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    place = models.ForeignKey("territory.Node", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    places = models.PositiveSmallIntegerField(
        _("places available"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    taken = models.PositiveSmallIntegerField(_("places taken"), default=0, editable=False)
    hours = models.DecimalField(
        _("hours credited"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_A_DAY)],
        help_text=_("Credited to each volunteer whose attendance is confirmed."),
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills wanted"), blank=True, related_name="activities")
    public = models.BooleanField(_("open to sign-ups on the public portal"), default=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    org_scope_field = "team"
    search_fields = ("title__icontains",)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "id"]
        indexes = [
            path_index("volunteers_activity_path", "path", "starts_at"),
            models.Index(fields=["team", "starts_at"], name="volunteers_activity_team"),
            models.Index(fields=["status", "public", "starts_at"], name="volunteers_activity_portal"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("volunteers:activity_detail", args=[self.pk])

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.taken)


class SignUpStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("signed up")
    ATTENDED = "attended", _("attended")
    ABSENT = "absent", _("absent")
    CANCELLED = "cancelled", _("cancelled")


# Sign-ups that hold a place (and clash with another activity at the same time).
HOLDING = (SignUpStatus.SIGNED_UP, SignUpStatus.ATTENDED)


class SignUpChannel(models.TextChoices):
    STAFF = "staff", _("by staff")
    PORTAL = "portal", _("on the public portal (one-time code)")
    ACCOUNT = "account", _("with an account")


class SignUp(models.Model):
    """A volunteer's sign-up to an activity; the organiser confirms attendance (then the hours are credited)."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField(_("status"), max_length=12, choices=SignUpStatus.choices, default=SignUpStatus.SIGNED_UP)
    channel = models.CharField(_("channel"), max_length=10, choices=SignUpChannel.choices, default=SignUpChannel.STAFF)
    created = models.DateTimeField(_("signed up at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "activity__path"
    org_scope_field = "activity__team"

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=~Q(status="cancelled"),
                name="volunteers_signup_once",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "status"], name="volunteers_signup_volunteer")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.activity}"

    def get_absolute_url(self) -> str:
        return reverse("volunteers:activity_detail", args=[self.activity_id])

    def get_additional_data(self) -> dict:
        return {"path": self.activity.path if self.activity_id else ""}


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REFUSED = "refused", _("refused")


class HoursSource(models.TextChoices):
    ATTENDANCE = "attendance", _("attendance of an activity")
    SELF = "self", _("logged by the volunteer")
    STAFF = "staff", _("recorded by staff")
    IMPORT = "import", _("imported (past hours)")


class ServiceHours(CaseModel):
    """One entry of the ledger of service hours: a volunteer's hours on a day for a team.  Credited only when
    confirmed; logged by the volunteer, an entry waits for the team captain's confirmation or refusal."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="hours"
    )
    team = models.ForeignKey(
        "orgs.Organization", verbose_name=_("volunteer team"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    served_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(MAX_HOURS_A_DAY)],
    )
    description = models.CharField(_("what was done"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=HoursSource.choices, default=HoursSource.SELF)
    status = models.CharField(_("status"), max_length=12, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    reason = models.CharField(_("reason refused"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_job = import_job_field()

    org_scope_field = "team"

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["path", "-served_on", "-id"]
        indexes = [
            path_index("volunteers_hours_path", "path", "status"),
            models.Index(fields=["volunteer", "served_on"], name="volunteers_hours_day"),
            models.Index(fields=["team", "status"], name="volunteers_hours_team"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.served_on} · {self.hours} h"

    def get_absolute_url(self) -> str:
        return reverse("volunteers:servicehours_detail", args=[self.pk])


class HoursEvent(TimelineEntry):
    entry = models.ForeignKey(ServiceHours, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("hours event")
        verbose_name_plural = _("hours events")


class VolunteerYear(models.Model):
    """Rollup: a volunteer's confirmed hours for a team in a year (the team's ranking, the hours per
    volunteer of an area), kept by the confirming actions.  ``path`` is the team's."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="years")
    team = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=1, default=Decimal(0))
    entries = models.PositiveIntegerField(default=0)
    path = PathField()

    objects = RestrictedQuerySet.as_manager()
    org_scope_field = "team"

    class Meta:
        verbose_name = _("hours of a year")
        verbose_name_plural = _("hours of a year")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "team", "year"], name="volunteers_year_unique"),
        ]
        indexes = [
            models.Index(fields=["team", "year", "hours"], name="volunteers_year_ranking"),
            models.Index(fields=["year", "path"], name="volunteers_year_path", opclasses=["", "varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} · {self.year}"
