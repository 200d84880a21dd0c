"""The development pipeline: applicant → activist → development target → probationary → full member."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import ScopedModel
from shequ.core.querysets import RestrictedQuerySet

from .common import PersonFields, add_years


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    ACTIVIST = "activist", _("activist")
    TARGET = "target", _("development target")
    PROBATIONARY = "probationary", _("probationary member")
    FULL = "full", _("full member")
    STOPPED = "stopped", _("development stopped")


# Stages before admission: the person is not a member yet and the record is open.
OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET)


class DevelopmentQuerySet(RestrictedQuerySet):
    def due(self, on: date | None = None) -> DevelopmentQuerySet:
        """The records whose next step may be taken on *on* (today): applicants and development targets, and
        activists of a full year.  The home page counts these and the list's ``due`` filter shows them."""
        on = on or timezone.localdate()
        return self.filter(
            Q(stage__in=(Stage.APPLICANT, Stage.TARGET)) | Q(stage=Stage.ACTIVIST, activist_on__lte=add_years(on, -1))
        )


class DevelopmentRecord(PersonFields, ScopedModel):
    """One person's way into the Party, kept by the branch developing them (``node``/``path`` are the branch's)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("party organization"),
        on_delete=models.PROTECT,
        related_name="development_records",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT)
    applied_on = models.DateField(_("applied on"))
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    target_on = models.DateField(_("development target since"), null=True, blank=True)
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    converted_on = models.DateField(_("full member since"), null=True, blank=True)
    contact_1 = models.ForeignKey(
        "PartyMember",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A full member who guides the activist."),
    )
    contact_2 = models.ForeignKey(
        "PartyMember",
        verbose_name=_("second contact person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    introducer_1 = models.ForeignKey(
        "PartyMember",
        verbose_name=_("introducer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    introducer_2 = models.ForeignKey(
        "PartyMember",
        verbose_name=_("second introducer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.OneToOneField(
        "PartyMember",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development",
    )
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stopped_reason = models.CharField(_("reason stopped"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = DevelopmentQuerySet.as_manager()  # type: ignore[assignment,misc]
    org_scope_field = "organization"
    search_fields = ("name__icontains", "pinyin__startswith", "initials__startswith", "id_hash__identity")

    class Meta:
        verbose_name = _("development record")
        verbose_name_plural = _("development records")
        ordering = ["path", "applied_on", "id"]
        constraints = [
            # One open way into the Party per person.
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=Q(id_hash__isnull=False, stage__in=OPEN_STAGES),
                name="party_development_open_id_hash",
            ),
        ]
        indexes = [
            path_index("party_development_path", "path"),
            models.Index(fields=["organization", "stage"], name="party_development_org_stage"),
            models.Index(fields=["pinyin"], name="party_development_pinyin"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_stage_display()}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.node_id = self.organization.node_id
        self.node = self.organization.node
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("party:developmentrecord_detail", args=[self.pk])
