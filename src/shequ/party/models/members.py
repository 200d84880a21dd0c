"""The party member's archive: who, where (exactly one organization), status, category, and the timeline."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.fields import path_index
from shequ.core.models import ScopedModel
from shequ.core.querysets import RestrictedQuerySet

from .common import PersonFields


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("probationary member")
    FULL = "full", _("full member")
    TRANSFERRED_OUT = "transferred_out", _("transferred out")
    DECEASED = "deceased", _("deceased")
    LEFT = "left", pgettext_lazy("party member status", "left the Party")
    LOST_CONTACT = "lost_contact", _("lost contact")


# Members who belong to an organization on the platform now (the others are kept as archives).
ACTIVE_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)


class Category(models.TextChoices):
    ON_THE_JOB = "on_the_job", _("on-the-job")
    RETIRED = "retired", pgettext_lazy("party member category", "retired")
    LAID_OFF = "laid_off", _("laid-off or unemployed")
    FLOATING = "floating", _("floating")
    STUDENT = "student", pgettext_lazy("party member category", "student")
    OTHER = "other", pgettext_lazy("party member category", "other")


class MemberQuerySet(RestrictedQuerySet):
    def active(self) -> MemberQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def probation_ended(self, on: date | None = None) -> MemberQuerySet:
        """Probationary members whose probation has ended by *on* (today) without a decision yet.  The home
        page counts these and the member list's ``probation_ended`` filter shows them."""
        on = on or timezone.localdate()
        return self.filter(status=MemberStatus.PROBATIONARY, probation_ends__lte=on)


class PartyMember(PersonFields, ScopedModel):
    """A Party member's electronic archive.  ``node``/``path`` are those of the current organization.

    A member is never deleted once admitted: leaving, death or a transfer out changes the status and
    the archive stays with the last organization.
    """

    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_memberships",
        help_text=_("The resident record, when the member lives in the territory."),
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.PROBATIONARY
    )
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("party organization"),
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    joined_on = models.DateField(_("joined the Party on"), help_text=_("Admitted as a probationary member."))
    probation_ends = models.DateField(_("probation ends"), null=True, blank=True)
    probation_extended = models.BooleanField(_("probation extended"), default=False)
    converted_on = models.DateField(_("full member since"), null=True, blank=True)
    dues_base = models.DecimalField(
        _("monthly income for dues (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The base the monthly dues are computed from."),
    )
    basic_allowance = models.BooleanField(_("on basic living allowance"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    objects = MemberQuerySet.as_manager()  # type: ignore[assignment,misc]
    org_scope_field = "organization"  # a branch secretary's grant reaches the members of the branch
    search_fields = ("name__icontains", "pinyin__startswith", "initials__startswith", "id_hash__identity")

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=Q(id_hash__isnull=False), name="party_member_id_hash"
            ),
            models.UniqueConstraint(
                fields=["resident"], condition=Q(resident__isnull=False), name="party_member_resident"
            ),
        ]
        indexes = [
            path_index("party_member_path", "path"),
            path_index("party_member_path_status", "path", "status"),
            # The lists' order (see tables.PartyMemberTable), with the default operator class for ORDER BY.
            models.Index(fields=["path", "name", "id"], name="party_member_list"),
            models.Index(fields=["organization", "status"], name="party_member_org_status"),
            models.Index(fields=["pinyin"], name="party_member_pinyin"),
            models.Index(fields=["initials"], name="party_member_initials"),
            models.Index(fields=["name"], name="party_member_name"),
            models.Index(fields=["status", "probation_ends"], name="party_member_probation"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.node_id = self.organization.node_id
        self.node = self.organization.node
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("party:partymember_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def party_years(self) -> int | None:
        """Party standing counts from the conversion to full membership."""
        if self.converted_on is None or self.status != MemberStatus.FULL:
            return None
        today = timezone.localdate()
        since = self.converted_on
        return today.year - since.year - ((today.month, today.day) < (since.month, since.day))

    def probation_overdue(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status == MemberStatus.PROBATIONARY and self.probation_ends is not None and self.probation_ends < on


class EventKind(models.TextChoices):
    ADMITTED = "admitted", _("admitted as probationary member")
    CONVERTED = "converted", _("converted to full member")
    PROBATION_EXTENDED = "probation_extended", _("probation extended")
    PROBATION_CANCELLED = "probation_cancelled", _("probationary membership cancelled")
    STATUS_CHANGED = "status_changed", _("status changed")
    CATEGORY_CHANGED = "category_changed", _("category changed")
    TRANSFER = "transfer", _("organizational-relation transfer")
    POST = "post", _("post")
    TRAINING = "training", _("training")
    REPORT = "report", _("report to the home community")
    HONOUR = "honour", _("honour")
    OTHER = "other", pgettext_lazy("event kind", "other")


# What a user records by hand; the others are written by the actions.
MANUAL_EVENT_KINDS = (EventKind.POST, EventKind.TRAINING, EventKind.REPORT, EventKind.HONOUR, EventKind.OTHER)


class MemberEvent(models.Model):
    """One line of the member's timeline.  Visible to whoever may view the member."""

    member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "member__path"
    org_scope_field = "member__organization"

    class Meta:
        verbose_name = _("archive entry")
        verbose_name_plural = _("archive entries")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["member", "on"], name="party_event_member_on")]

    def __str__(self) -> str:
        return f"{self.on} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("party:partymember_detail", args=[self.member_id])

    def get_additional_data(self) -> dict:
        return {"path": self.member.path if self.member_id else ""}
