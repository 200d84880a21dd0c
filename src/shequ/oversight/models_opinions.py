"""Opinions on the promotion of civil servants living in the community (000 §19): the employer asks the community
party organization's opinion of a resident it means to promote; the organization answers within a deadline in
working days.  Confidential (``accounts.roles.CONFIDENTIAL``, ``NAMED_ONLY``): only the community party secretary and
the organization departments above see them — not the community's workers, not the street's officers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import CaseModel, TimelineEntry

# The employer gives the organization this many working days to answer, unless it says otherwise.
ANSWER_DAYS = 10
MAX_ANSWER_DAYS = 60


class OpinionStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting the answer")
    ANSWERED = "answered", _("answered")


class Conclusion(models.TextChoices):
    AGREE = "agree", _("agree")
    REMARKS = "remarks", _("agree, with remarks")
    DISAGREE = "disagree", _("disagree")


class PromotionOpinion(CaseModel):
    """The employer's request for the community party organization's opinion on promoting a civil servant who lives
    in the community, and the answer.  ``node``: the community."""

    status = models.CharField(
        _("status"), max_length=12, choices=OpinionStatus.choices, default=OpinionStatus.REQUESTED
    )
    employer = models.CharField(_("employer"), max_length=200)
    person = models.ForeignKey(
        "people.Resident", verbose_name=_("person"), on_delete=models.PROTECT, related_name="promotion_opinions"
    )
    post_sought = models.CharField(_("post sought"), max_length=200)
    requested_on = models.DateField(_("requested on"))
    answer_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=ANSWER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ANSWER_DAYS)],
    )
    opinion = models.TextField(_("opinion"), max_length=3000, blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=Conclusion.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("promotion opinion")
        verbose_name_plural = _("promotion opinions")
        ordering = ["-requested_on", "-id"]
        indexes = [path_index("oversight_promotion_path", "path", "is_open")]

    def __str__(self) -> str:
        return f"{self.employer} · {self.post_sought}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:promotionopinion_detail", args=[self.pk])


class PromotionEvent(TimelineEntry):
    case = models.ForeignKey(PromotionOpinion, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("promotion opinion event")
        verbose_name_plural = _("promotion opinion events")
