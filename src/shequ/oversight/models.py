"""Oversight and co-construction (000 §7, §8, §19): property companies' entry into a residential area, year-end
evaluation campaigns answered by households (one answer each, on the portal or on paper), the contract-termination
case a property company's failed evaluation opens, resident units' co-construction agreements with measurable
commitments, public-policy hearings and the consent of the community party organization to demolition and road
reconstruction.

Cases (entry applications, campaigns, termination cases, consent requests) run on the shared workflow of core
(``core.workflow``); their steps are declared in ``actions``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import CaseModel, ScopedModel, TimelineEntry

# Property-company satisfaction below this share (per cent) opens a contract-termination case (000 §7).
SATISFACTION_TARGET = 50
MIN_YEAR, MAX_YEAR = 2000, 2100
year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


def _org(related_name: str, verbose: Any, kinds: tuple[str, ...], **kw: object) -> Any:
    return models.ForeignKey(
        "orgs.Organization",
        verbose_name=verbose,
        on_delete=models.PROTECT,
        related_name=related_name,
        limit_choices_to={"kind__in": kinds},
        **kw,  # type: ignore[arg-type]
    )


# -- property companies: entry into a residential area ----------------------------------------------------------


class EntryStatus(models.TextChoices):
    APPLIED = "applied", _("awaiting review")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class EntryApplication(CaseModel):
    """A property company applies to serve a residential area; the community party organization approves or
    refuses it (000 §7).  ``node``: the residential area."""

    status = models.CharField(_("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.APPLIED)
    company = _org("entry_applications", _("property company"), ("property_company",))
    contract_start = models.DateField(_("contract start"))
    contract_end = models.DateField(_("contract end"))
    scope = models.CharField(_("scope of service"), max_length=500)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("entry application")
        verbose_name_plural = _("entry applications")
        ordering = ["-created", "-id"]
        indexes = [path_index("oversight_entry_path", "path", "is_open")]

    def __str__(self) -> str:
        return f"{self.company} → {self.node.name}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:entryapplication_detail", args=[self.pk])


class EntryEvent(TimelineEntry):
    case = models.ForeignKey(EntryApplication, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("entry application event")
        verbose_name_plural = _("entry application events")


# -- evaluations -------------------------------------------------------------------------------------------------


class SubjectKind(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("property company")
    RESIDENT_UNIT = "resident_unit", _("resident unit")
    MUNICIPAL_UNIT = "municipal_unit", _("municipal unit")
    SOCIAL = "social", _("social organization")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee")


# The organization kinds each subject kind may name.
SUBJECT_ORG_KINDS: dict[str, tuple[str, ...]] = {
    SubjectKind.PROPERTY_COMPANY: ("property_company",),
    SubjectKind.RESIDENT_UNIT: ("resident_unit",),
    SubjectKind.MUNICIPAL_UNIT: ("resident_unit", "other"),
    SubjectKind.SOCIAL: ("social", "new_social_org"),
    SubjectKind.OWNERS_COMMITTEE: ("owners_committee",),
}


class Evaluators(models.TextChoices):
    OWNERS_COMMITTEE = "owners_committee", _("the owners' committee")
    REPRESENTATIVES = "representatives", _("residents' representatives")
    HOUSEHOLDS = "households", _("households, by survey")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("open for answers")
    CLOSED = "closed", _("closed")


class Campaign(CaseModel):
    """A year-end evaluation of one subject (a company, unit, organization or committee) by the evaluators of a
    place (``node``: the residential area or community whose households, committee or representatives answer),
    with a questionnaire of items each rated satisfied / basically satisfied / dissatisfied."""

    status = models.CharField(_("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    subject_kind = models.CharField(_("subject kind"), max_length=20, choices=SubjectKind.choices)
    subject = _org("evaluations", _("evaluated"), tuple(k for ks in SUBJECT_ORG_KINDS.values() for k in ks))
    evaluators = models.CharField(_("evaluators"), max_length=20, choices=Evaluators.choices)
    items = models.TextField(
        _("questionnaire items"), max_length=2000, help_text=_("One question per line (at most 20).")
    )
    expected = models.PositiveIntegerField(
        _("expected answers"),
        validators=[MaxValueValidator(10_000_000)],
        default=0,
        help_text=_("Households: counted when the campaign opens; otherwise the number of evaluators."),
    )
    # Results: the sums of the answers' counts, kept by ``results.refresh_counts`` (on closing, on opening the
    # campaign's page, before the figures are computed and every minute by ``shequ tick``) — not by each answer,
    # which would make every answer of a survey wait for the same row.
    answers_count = models.PositiveIntegerField(_("answers"), default=0, editable=False)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0, editable=False)
    basic = models.PositiveIntegerField(_("basically satisfied"), default=0, editable=False)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied"), default=0, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        ordering = ["-year", "path", "-id"]
        indexes = [
            path_index("oversight_campaign_path", "path", "year"),
            models.Index(fields=["subject", "year"], name="oversight_campaign_subject"),
        ]

    def __str__(self) -> str:
        return _("%(year)d evaluation of %(subject)s") % {"year": self.year, "subject": self.subject}

    def get_absolute_url(self) -> str:
        return reverse("oversight:campaign_detail", args=[self.pk])

    @property
    def item_list(self) -> list[str]:
        return [line.strip() for line in (self.items or "").splitlines() if line.strip()]

    @property
    def satisfaction(self) -> float | None:
        """Share of ratings satisfied or basically satisfied, in per cent (None before any answer)."""
        total = self.satisfied + self.basic + self.dissatisfied
        return round((self.satisfied + self.basic) * 100 / total, 1) if total else None

    @property
    def response_rate(self) -> float | None:
        return round(self.answers_count * 100 / self.expected, 1) if self.expected else None


class CampaignEvent(TimelineEntry):
    case = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")


class Rating(models.IntegerChoices):
    SATISFIED = 1, _("satisfied")
    BASIC = 2, _("basically satisfied")
    DISSATISFIED = 3, _("dissatisfied")


class AnswerChannel(models.TextChoices):
    PORTAL = "portal", _("on the portal")
    PAPER = "paper", _("on paper, entered by staff")


class Answer(models.Model):
    """One household's (or evaluator's) answer: a rating per item (``ratings``: one digit per item, 1 satisfied,
    2 basically satisfied, 3 dissatisfied) and comments.  Anonymous to the evaluated party: the household is
    kept only so that it answers once, and no page shows it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="answers")
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ratings = models.CharField(_("ratings"), max_length=20)
    comments = models.CharField(_("comments"), max_length=1000, blank=True)
    # How many items this answer rated each way (the results are their sums).
    satisfied = models.PositiveSmallIntegerField(default=0)
    basic = models.PositiveSmallIntegerField(default=0)
    dissatisfied = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(_("channel"), max_length=10, choices=AnswerChannel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=Q(household__isnull=False),
                name="oversight_answer_once",
                violation_error_message=_("This household has already answered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.pk}"


# -- contract termination ----------------------------------------------------------------------------------------


class TerminationStatus(models.TextChoices):
    OPENED = "opened", _("to notify the owners' committee")
    NOTIFIED = "notified", _("awaiting the company's response")
    RESPONDED = "responded", _("awaiting the decision")
    TERMINATED = "terminated", _("terminated: awaiting the new company")
    CONTINUED = "continued", _("contract continued")
    REPLACED = "replaced", _("new company approved")


class TerminationCase(CaseModel):
    """A property company's satisfaction fell below 50 %: the steps the law asks before its service contract for
    a residential area (``node``) ends — notice to the owners' committee, the company's response, the decision,
    the new company's entry approval.  The platform never terminates silently: every step is on the timeline."""

    status = models.CharField(
        _("status"), max_length=12, choices=TerminationStatus.choices, default=TerminationStatus.OPENED
    )
    company = _org("termination_cases", _("property company"), ("property_company",))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="termination_cases"
    )
    satisfaction = models.DecimalField(_("satisfaction (%)"), max_digits=4, decimal_places=1)
    notice = models.TextField(_("notice to the owners' committee"), max_length=2000, blank=True)
    response = models.TextField(_("company's response"), max_length=2000, blank=True)
    decision = models.TextField(_("decision"), max_length=2000, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    new_entry = models.ForeignKey(
        EntryApplication,
        verbose_name=_("new company's entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contract-termination case")
        verbose_name_plural = _("contract-termination cases")
        ordering = ["-created", "-id"]
        indexes = [path_index("oversight_termination_path", "path", "is_open")]

    def __str__(self) -> str:
        return _("Termination: %(company)s at %(estate)s") % {"company": self.company, "estate": self.node.name}

    def get_absolute_url(self) -> str:
        return reverse("oversight:terminationcase_detail", args=[self.pk])


class TerminationEvent(TimelineEntry):
    case = models.ForeignKey(TerminationCase, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("termination event")
        verbose_name_plural = _("termination events")


# -- co-construction ---------------------------------------------------------------------------------------------


class Agreement(ScopedModel):
    """A resident unit's co-construction agreement with the community (``node``) for a year (000 §8)."""

    unit = _org("agreements", _("resident unit"), ("resident_unit",))
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    signed_on = models.DateField(_("signed on"))
    contribution = models.CharField(_("year-end evaluation of the contribution"), max_length=500, blank=True)
    grade = models.CharField(
        _("grade"),
        max_length=12,
        blank=True,
        choices=[("excellent", _("excellent")), ("good", _("good")), ("fair", _("fair")), ("poor", _("poor"))],
    )

    class Meta:
        verbose_name = _("co-construction agreement")
        verbose_name_plural = _("co-construction agreements")
        ordering = ["-year", "path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "node", "year"],
                name="oversight_agreement_once",
                violation_error_message=_("This unit has already signed an agreement with this community this year."),
            )
        ]
        indexes = [path_index("oversight_agreement_path", "path", "year")]

    def __str__(self) -> str:
        return f"{self.year} · {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:agreement_detail", args=[self.pk])

    def clean(self) -> None:
        node = self.node if self.node_id else None
        if node is not None and node.kind != "community":
            raise ValidationError({"node": _("An agreement is signed with a community.")})
        unit = self.unit if self.unit_id else None
        if node is not None and unit is not None and not unit.path.startswith(node.path):
            raise ValidationError(
                {
                    "unit": _(
                        "“%(unit)s” sits in %(where)s, outside %(community)s: it cannot sign with this community."
                    )
                    % {"unit": unit.name, "where": unit.node.name, "community": node.name}
                }
            )
        if self.year and self.signed_on and self.signed_on.year not in (self.year - 1, self.year):
            raise ValidationError(
                {
                    "signed_on": _("An agreement for %(year)d is signed that year or the year before.")
                    % {"year": self.year}
                }
            )


class CommitmentKind(models.TextChoices):
    RESOURCES = "resources", _("resources shared")
    PLACES = "places", _("places opened to residents")
    VOLUNTEER_HOURS = "volunteer_hours", _("volunteer hours")
    FUNDS = "funds", _("funds")
    JOBS = "jobs", _("jobs")


class Commitment(ScopedModel):
    """One commitment of an agreement with a measurable target, and what has been done so far."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind.choices)
    description = models.CharField(_("description"), max_length=300)
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_label = models.CharField(_("unit of measure"), max_length=20, help_text=_("e.g. hours, yuan, places"))
    achieved = models.DecimalField(
        _("achieved"), max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["agreement_id", "id"]
        indexes = [path_index("oversight_commitment_path", "path")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:commitment_detail", args=[self.pk])

    @property
    def fulfilled(self) -> bool:
        return self.achieved >= self.target


# -- supervision -------------------------------------------------------------------------------------------------


class Hearing(ScopedModel):
    """A public-policy hearing in the community (000 §19)."""

    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participants"), max_length=2000)
    opinions = models.TextField(_("opinions"), max_length=5000)
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("public-policy hearing")
        verbose_name_plural = _("public-policy hearings")
        ordering = ["-held_on", "-id"]
        indexes = [path_index("oversight_hearing_path", "path", "held_on")]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("oversight:hearing_detail", args=[self.pk])


class ConsentKind(models.TextChoices):
    DEMOLITION = "demolition", _("urban demolition")
    ROAD = "road", _("road reconstruction")


class ConsentStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting the opinion")
    OPINION = "opinion", _("opinion given, awaiting the decision")
    CONSENTED = "consented", _("consented")
    REFUSED = "refused", _("refused")


class ConsentRequest(CaseModel):
    """Urban demolition or road reconstruction in the community needs the community party organization's
    consent (000 §19): request → opinion → consent or refusal with reasons, with the documents."""

    status = models.CharField(
        _("status"), max_length=12, choices=ConsentStatus.choices, default=ConsentStatus.REQUESTED
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ConsentKind.choices)
    title = models.CharField(_("project"), max_length=200)
    applicant = models.CharField(_("applicant"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    documents = models.TextField(
        _("documents"),
        max_length=2000,
        blank=True,
        help_text=_("The documents submitted, one per line (title and number)."),
    )
    opinion = models.TextField(_("opinion"), max_length=2000, blank=True)
    reasons = models.TextField(_("reasons"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("consent request")
        verbose_name_plural = _("consent requests")
        ordering = ["-created", "-id"]
        indexes = [path_index("oversight_consent_path", "path", "is_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:consentrequest_detail", args=[self.pk])


class ConsentEvent(TimelineEntry):
    case = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")


from .models_documents import ConsentDocument  # noqa: E402, F401 - the consent's uploaded documents
from .models_meetings import (  # noqa: E402,F401  (the app's models live in two modules)
    ActionItem,
    JointActivity,
    JointMeeting,
    SupervisionNote,
    Supervisor,
)
from .models_opinions import PromotionEvent, PromotionOpinion  # noqa: E402, F401 - confidential promotion opinions
