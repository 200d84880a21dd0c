"""On-the-job members reporting to the community where they live ("dual organizational life", 000 §10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import ScopedModel
from shequ.core.querysets import RestrictedQuerySet


class CommunityReport(ScopedModel):
    """An on-the-job member registered with their home community (``node``: the community), assigned to
    the residential-area branch there.  Ended when they move or retire; one open report per member."""

    member = models.ForeignKey(
        "PartyMember", verbose_name=_("party member"), on_delete=models.PROTECT, related_name="community_reports"
    )
    branch = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("residential-area branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_members",
    )
    registered_on = models.DateField(_("reported on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    # A branch secretary's grant reaches the members reporting to the branch.
    org_scope_field = "branch"

    class Meta:
        verbose_name = _("report to the home community")
        verbose_name_plural = _("reports to the home community")
        ordering = ["path", "-registered_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_on__isnull=True), name="party_report_one_open"
            ),
        ]
        indexes = [path_index("party_report_path", "path")]

    def __str__(self) -> str:
        return f"{self.member} · {self.node}"

    def get_absolute_url(self) -> str:
        return reverse("party:communityreport_detail", args=[self.pk])


class ReportActivity(models.Model):
    """An activity a reported member took part in, with the hours (volunteering, meetings, duty …)."""

    report = models.ForeignKey(
        CommunityReport,
        verbose_name=_("report to the home community"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    on = models.DateField(_("date"))
    title = models.CharField(_("activity"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
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
    scope_field = "report__path"
    org_scope_field = "report__branch"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.title}"

    def get_additional_data(self) -> dict:
        return {"path": self.report.path if self.report_id else ""}


class OutstandingSelection(models.Model):
    """The yearly selection of outstanding on-the-job members (around 1 July), by the home community."""

    report = models.ForeignKey(
        CommunityReport,
        verbose_name=_("report to the home community"),
        on_delete=models.CASCADE,
        related_name="selections",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    citation = models.CharField(_("citation"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "report__path"
    org_scope_field = "report__branch"

    class Meta:
        verbose_name = _("outstanding on-the-job member")
        verbose_name_plural = _("outstanding on-the-job members")
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "year"], name="party_selection_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.report.member}"
