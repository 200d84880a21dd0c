"""People's mediation (000 §18): mediation committees and workstations (``orgs.Organization``) keep a roster of
mediators (``Mediator``); a dispute becomes a ``MediationCase`` (from a residents' request, a visit or directly)
with its parties, sessions, the agreement (``Agreement``) and the follow-up, on the shared workflow of core.

Cases are sensitive: only the committee's mediators (``mediator`` role granted with the committee), the
community's party secretary and higher officers reach them (``accounts.roles.CONFIDENTIAL``).  Every record
sits on the committee's node; a grant limited to a committee reaches its cases through ``org_scope_field``.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.crypto import EncryptedTextField
from shequ.core.fields import path_index
from shequ.core.models import CaseModel, ScopedModel, TimelineEntry
from shequ.core.querysets import RestrictedQuerySet

# The kinds of organization that mediate (``orgs.OrgKind``).
COMMITTEE_KINDS = ("mediation_committee", "mediation_station")
# The usual term to conclude (People's Mediation Law art. 28 practice), the extension allowed once, the
# window to apply for judicial confirmation and the follow-up after an agreement, in calendar days.
TERM_DAYS = 30
MAX_EXTENSION_DAYS = 30
CONFIRMATION_DAYS = 30
FOLLOW_UP_DAYS = 30


class Background(models.TextChoices):
    FIVE_ELDERS = "five_elders", _("one of the “five elders”")
    PARTY_MEMBER = "party_member", _("on-the-job party member")
    RETIRED_JUDGE = "retired_judge", _("retired judge")
    RETIRED_PROSECUTOR = "retired_prosecutor", _("retired prosecutor")
    RETIRED_POLICE = "retired_police", _("retired police officer")
    LAWYER = "lawyer", _("lawyer")
    OTHER = "other", _("other")


class Category(models.TextChoices):
    DOCTOR_PATIENT = "doctor_patient", _("doctor–patient")
    LABOUR = "labour", _("labour")
    LAND = "land", _("land acquisition and demolition")
    ENVIRONMENT = "environment", _("environmental pollution")
    TRAFFIC = "traffic", _("traffic accident")
    PROPERTY = "property", _("property management")
    NEIGHBOUR = "neighbour", _("neighbours")
    FAMILY = "family", _("family")
    OTHER = "other", _("other dispute")


class Mediator(ScopedModel):
    """A mediator on the roster of a mediation committee or workstation (``node``/``path``: the committee's)."""

    committee = models.ForeignKey(
        "orgs.Organization", verbose_name=_("mediation committee"), on_delete=models.PROTECT, related_name="mediators"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A registered resident; otherwise type the name."),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    background = models.CharField(_("background"), max_length=20, choices=Background.choices)
    specialities = models.CharField(
        _("specialities"), max_length=200, blank=True, help_text=_("Kinds of dispute they are good at.")
    )
    training_hours = models.DecimalField(
        _("training hours"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(9999)],
    )
    available = models.BooleanField(_("available"), default=True)
    # Kept by the actions (accept, conclusion): the load and the record shown on the roster and the figures.
    open_cases = models.PositiveIntegerField(_("open cases"), default=0, editable=False)
    cases_handled = models.PositiveIntegerField(_("cases handled"), default=0, editable=False)
    post = models.ForeignKey(
        "orgs.Post", verbose_name=_("post"), null=True, blank=True, editable=False, on_delete=models.SET_NULL
    )

    org_scope_field = "committee"

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["path", "committee_id", "name", "id"]
        indexes = [path_index("mediation_mediator_path", "path")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.node_id = self.committee.node_id
        self.node = self.committee.node
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("mediation:mediator_detail", args=[self.pk])


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ACCEPTED = "accepted", _("being mediated")
    DECLINED = "declined", pgettext_lazy("mediation case", "declined")
    AGREED = "agreed", _("agreement reached")
    FAILED = "failed", _("mediation failed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    FOLLOWED_UP = "followed_up", _("followed up")
    CLOSED = "closed", _("closed")


# The clock of one month runs while the case is registered or being mediated.
OPEN_STATES = (CaseStatus.REGISTERED, CaseStatus.ACCEPTED)
# A case that is concluded (for the figures): agreement, failure, withdrawal, and what follows an agreement.
CONCLUDED_STATES = (
    CaseStatus.AGREED,
    CaseStatus.FAILED,
    CaseStatus.WITHDRAWN,
    CaseStatus.FOLLOWED_UP,
    CaseStatus.CLOSED,
)


class Result(models.TextChoices):
    """How a case ended (kept when it is closed)."""

    AGREED = "agreed", _("agreement reached")
    FAILED = "failed", _("mediation failed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    DECLINED = "declined", pgettext_lazy("mediation case", "declined")


class Risk(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Source(models.TextChoices):
    REQUEST = "request", _("residents' request")
    VISIT = "visit", _("home visit")
    DIRECT = "direct", _("registered directly")


class Honoured(models.TextChoices):
    YES = "yes", _("honoured")
    PARTLY = "partly", _("partly honoured")
    NO = "no", _("not honoured")


class MediationCase(CaseModel):
    """A dispute brought to a mediation committee: parties, matter, risk, sessions, agreement, follow-up."""

    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    code = models.CharField(_("case number"), max_length=20, blank=True, editable=False)
    committee = models.ForeignKey(
        "orgs.Organization", verbose_name=_("mediation committee"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("kind of dispute"), max_length=20, choices=Category.choices)
    summary = models.CharField(_("what the dispute is about"), max_length=2000)
    amount = models.DecimalField(
        _("amount in dispute (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(9_999_999_999)],
    )
    risk = models.CharField(
        _("risk level"),
        max_length=10,
        choices=Risk.choices,
        default=Risk.LOW,
        help_text=_("High: the dispute may turn violent or into a mass incident; the street is alerted at once."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.DIRECT)
    request = models.ForeignKey(
        "services.ServiceRequest",
        verbose_name=_("residents' request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_cases",
    )
    visit = models.ForeignKey(
        "visits.Visit", verbose_name=_("visit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mediators = models.ManyToManyField(Mediator, verbose_name=_("mediators"), blank=True, related_name="cases")
    # The parties, sorted (``actions.parties_key``): the same parties' cases (duplicates, repeat disputes).
    parties_key = models.CharField(max_length=255, editable=False, db_index=True)
    # An earlier case between the same parties exists (a repeat dispute), set at registration.
    repeat = models.BooleanField(_("repeat dispute"), default=False, editable=False)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True, editable=False)
    on_time = models.BooleanField(_("concluded on time"), null=True, editable=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    extended = models.BooleanField(_("term extended"), default=False, editable=False)
    extension_reason = models.CharField(_("reason for the extension"), max_length=500, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    honoured = models.CharField(_("agreement honoured"), max_length=10, choices=Honoured.choices, blank=True)
    follow_up_note = models.CharField(_("follow-up"), max_length=1000, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    org_scope_field = "committee"

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-registered_at", "-id"]
        indexes = [
            path_index("mediation_case_path", "path", "registered_at"),
            models.Index(fields=["is_open", "deadline"], name="mediation_case_deadline"),
            models.Index(fields=["-registered_at", "-id"], name="mediation_case_order"),
            models.Index(fields=["committee", "status"], name="mediation_case_committee"),
        ]

    def __str__(self) -> str:
        return f"{self.code or self.pk} · {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("mediation:mediationcase_detail", args=[self.pk])


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", pgettext_lazy("mediation party", "applicant")
    RESPONDENT = "respondent", pgettext_lazy("mediation party", "respondent")


class Party(models.Model):
    """A party to a case: a resident of the platform, or an outside person (name, identity number, phone)."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("identity number"), blank=True)
    id_masked = models.CharField(_("identity number"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "case__path"
    org_scope_field = "case__committee"

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case_id", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Session(models.Model):
    """A mediation session: when, where, which mediators, who attended, the minutes."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    mediators = models.ManyToManyField(Mediator, verbose_name=_("mediators"), related_name="sessions")
    attendees = models.CharField(_("attendees"), max_length=500)
    minutes = models.CharField(_("minutes"), max_length=4000)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "case__path"
    org_scope_field = "case__committee"

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case_id", "held_at", "id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.held_at):%Y-%m-%d %H:%M} · {self.place}"


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("written agreement")
    ORAL = "oral", _("oral agreement")


class Agreement(models.Model):
    """The mediation agreement (调解协议书): facts, agreed terms, how and when they are performed; oral ones are
    recorded too.  The parties may apply for judicial confirmation within 30 days of signing."""

    case = models.OneToOneField(MediationCase, on_delete=models.CASCADE, related_name="agreement")
    form = models.CharField(_("form"), max_length=10, choices=AgreementForm.choices, default=AgreementForm.WRITTEN)
    facts = models.CharField(_("facts and matters in dispute"), max_length=4000)
    terms = models.CharField(_("agreed terms"), max_length=4000)
    performance = models.CharField(_("performance: how and by when"), max_length=1000)
    signed_on = models.DateField(_("signed on"))
    confirmation_applied_on = models.DateField(_("judicial confirmation applied for on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "case__path"
    org_scope_field = "case__committee"

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_form_display()}"

    @property
    def confirmation_by(self):  # type: ignore[no-untyped-def]
        """The last day to apply for judicial confirmation."""
        return self.signed_on + timedelta(days=CONFIRMATION_DAYS)


class EventKind(models.TextChoices):
    STATUS = "status", _("step")
    COMMENT = "comment", _("comment")
    SESSION = "session", _("mediation session")
    WARNING = "warning", _("deadline warning")
    ESCALATION = "escalation", _("escalation")
    DEADLINE = "deadline", _("deadline changed")


class CaseEvent(TimelineEntry):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)

    class Meta(TimelineEntry.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
