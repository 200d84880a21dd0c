"""Oversight and co-construction records kept beside the cases (000 §7, §8): the dual supervision notes of a
property company's service in a residential area, the joint meetings of co-construction with their action items
("who does what by when"), and the joint activities of a party-building alliance.  Imported by ``models``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import ScopedModel
from shequ.core.querysets import RestrictedQuerySet


def _within(org: Any, node: Any) -> bool:
    return bool(org.path.startswith(node.path))


class WithUnitsManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """Records with the units taking part read together (lists, exports and the API list them)."""

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("units")


# -- dual supervision of property companies ----------------------------------------------------------------------


class Supervisor(models.TextChoices):
    PARTY = "party", _("the community party organization")
    OWNERS = "owners", _("the owners' committee")


class SupervisionNote(ScopedModel):
    """A note on a property company's service in a residential area (``node``), by the community party
    organization or by the owners' committee (dual supervision, 000 §7)."""

    company = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("property company"),
        on_delete=models.PROTECT,
        related_name="supervision_notes",
        limit_choices_to={"kind": "property_company"},
    )
    supervisor = models.CharField(_("noted by"), max_length=10, choices=Supervisor.choices)
    author = models.CharField(_("who"), max_length=50)
    noted_on = models.DateField(_("when"))
    finding = models.TextField(_("finding"), max_length=2000)
    follow_up = models.BooleanField(_("follow-up required"), default=False)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision note")
        verbose_name_plural = _("supervision notes")
        ordering = ["-noted_on", "-id"]
        indexes = [path_index("oversight_supnote_path", "path", "noted_on")]

    def __str__(self) -> str:
        return f"{self.noted_on} · {self.company}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:supervisionnote_detail", args=[self.pk])

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up and self.follow_up_done_on is None

    def clean(self) -> None:
        node = self.node if self.node_id else None
        if node is not None and node.kind != "estate":
            raise ValidationError({"node": _("A supervision note concerns a residential area.")})
        company = self.company if self.company_id else None
        if company is not None and company.kind != "property_company":
            raise ValidationError({"company": _("Choose a property company.")})
        if self.follow_up_done_on and not self.follow_up:
            raise ValidationError({"follow_up_done_on": _("No follow-up was required by this note.")})
        if self.follow_up_done_on and self.noted_on and self.follow_up_done_on < self.noted_on:
            raise ValidationError({"follow_up_done_on": _("The follow-up cannot be done before the note.")})


# -- joint meetings of co-construction ---------------------------------------------------------------------------


class JointMeeting(ScopedModel):
    """A joint meeting of the community (``node``) and its resident units (000 §8)."""

    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    units = models.ManyToManyField(
        "orgs.Organization",
        verbose_name=_("units attending"),
        related_name="joint_meetings",
        limit_choices_to={"kind": "resident_unit"},
        blank=True,
    )
    attendees = models.TextField(_("persons attending"), max_length=2000)
    minutes = models.TextField(_("minutes"), max_length=10000, blank=True)
    decisions = models.TextField(_("decisions"), max_length=5000, blank=True)

    objects = WithUnitsManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]
        indexes = [path_index("oversight_meeting_path", "path", "held_on")]

    def __str__(self) -> str:
        return f"{self.held_on} · {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:jointmeeting_detail", args=[self.pk])

    def clean(self) -> None:
        node = self.node if self.node_id else None
        if node is not None and node.kind != "community":
            raise ValidationError({"node": _("A joint meeting is held by a community.")})

    def units_error(self, units: Any) -> str | None:
        """Why *units* cannot attend this meeting (None: they can)."""
        for unit in units:
            if unit.kind != "resident_unit":
                return str(_("“%(unit)s” is not a resident unit.") % {"unit": unit.name})
            if not _within(unit, self.node):
                return str(
                    _("“%(unit)s” is not a resident unit of %(community)s.")
                    % {"unit": unit.name, "community": self.node.name}
                )
        return None


class ActionItem(ScopedModel):
    """Who does what by when, decided at a joint meeting."""

    meeting = models.ForeignKey(
        JointMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    unit = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "resident_unit"},
    )
    person = models.CharField(_("person"), max_length=50, blank=True)
    task = models.CharField(_("task"), max_length=300)
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        indexes = [path_index("oversight_actionitem_path", "path", "due_on")]

    def __str__(self) -> str:
        return self.task

    def get_absolute_url(self) -> str:
        return reverse("oversight:actionitem_detail", args=[self.pk])

    @property
    def who(self) -> str:
        return " · ".join(str(x) for x in (self.unit, self.person) if x)

    def clean(self) -> None:
        meeting = self.meeting if self.meeting_id else None
        if not self.unit_id and not self.person:
            raise ValidationError({"person": _("Name the unit or the person who does it.")})
        if meeting is None:
            return
        if self.due_on and self.due_on < meeting.held_on:
            raise ValidationError(
                {"due_on": _("The task is due before the meeting of %(date)s.") % {"date": meeting.held_on}}
            )
        if self.done_on and self.done_on < meeting.held_on:
            raise ValidationError({"done_on": _("The task cannot be done before the meeting.")})
        unit = self.unit if self.unit_id else None
        if unit is not None:
            error = meeting.units_error([unit])
            if error:
                raise ValidationError({"unit": error})


# -- party-building alliances ------------------------------------------------------------------------------------


class JointActivity(ScopedModel):
    """A joint activity of a party-building alliance and some of its member units; ``node``: the alliance's."""

    alliance = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("alliance"),
        on_delete=models.PROTECT,
        related_name="joint_activities",
        limit_choices_to={"kind": "alliance"},
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    units = models.ManyToManyField(
        "orgs.Organization", verbose_name=_("member units taking part"), related_name="+", blank=True
    )
    participants = models.PositiveIntegerField(_("participants"), validators=[MaxValueValidator(100_000)])
    description = models.TextField(_("description"), max_length=5000, blank=True)

    objects = WithUnitsManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("joint activity")
        verbose_name_plural = _("joint activities")
        ordering = ["-held_on", "-id"]
        indexes = [path_index("oversight_jointact_path", "path", "held_on")]

    def __str__(self) -> str:
        return f"{self.held_on} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:jointactivity_detail", args=[self.pk])

    def clean(self) -> None:
        alliance = self.alliance if self.alliance_id else None
        if alliance is not None and alliance.kind != "alliance":
            raise ValidationError({"alliance": _("Choose a party-building alliance.")})

    def units_error(self, units: Any) -> str | None:
        members = set(self.alliance.members.values_list("pk", flat=True))
        for unit in units:
            if unit.pk not in members:
                return str(
                    _("“%(unit)s” is not a member unit of %(alliance)s.")
                    % {"unit": unit.name, "alliance": self.alliance.name}
                )
        return None
