"""Community workers (000 §13–§17, 003, 004): the worker's file with source, contract and reserve-pool
membership; training courses and attendance (≥ 160 h a year); social-work qualifications (+5/10/15 % pay);
"three posts, eighteen grades" pay (a table per place and year, each worker's grade); yearly assessments
(a workflow) and rewards or punishments.

Pay tables, grades, assessments and rewards are confidential (``accounts.roles.CONFIDENTIAL``): only the
organization departments (``organization_officer``) and the worker themself (``Cadre.user``) see them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import CaseModel, ScopedModel, TimelineEntry, import_job_field
from shequ.core.querysets import RestrictedQuerySet
from shequ.people.models import Education, Gender, PoliticalStatus

HOURS_TARGET = 160  # training hours per worker per year (000 §14)
MAX_GRADE = 18
MAX_HOURS_A_DAY = 24


class Source(models.TextChoices):
    ELECTED = "elected", _("selected by election")
    RECRUITED = "recruited", _("publicly recruited")
    SENT_DOWN = "sent_down", _("sent down")
    FIRST_SECRETARY = "first_secretary", _("first secretary")
    GRADUATE = "graduate", _("university graduate")
    VETERAN = "veteran", _("veteran")
    OTHER = "other", _("other")


class Degree(models.TextChoices):
    COLLEGE = "college", _("junior college in social work")
    BACHELOR = "bachelor", _("bachelor in social work")
    MASTER = "master", _("master in social work")


class PostCategory(models.TextChoices):
    """The three posts of "three posts, eighteen grades" (004)."""

    HEAD = "head", _("secretary or director")
    DEPUTY = "deputy", _("deputy")
    OTHER = "other", _("other community worker")


class Cadre(ScopedModel):
    """A community worker (a resident of the platform or not) and where they work (``node``)."""

    number = models.CharField(
        _("worker number"), max_length=30, unique=True, help_text=_("The number on the worker's file.")
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre_files",
        help_text=_("When the worker is also a resident registered here."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("own account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre_files",
        help_text=_("The worker's account: they see their own pay and assessments."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    contract_start = models.DateField(_("contract from"), null=True, blank=True)
    contract_end = models.DateField(_("contract to"), null=True, blank=True)
    service_start = models.DateField(
        _("community work since"), null=True, blank=True, help_text=_("For the years of service.")
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    degree = models.CharField(_("degree in social work"), max_length=10, choices=Degree.choices, blank=True)
    reserve = models.BooleanField(_("reserve cadre"), default=False)
    reserve_for = models.CharField(
        _("post prepared for"), max_length=50, blank=True, help_text=_("For a reserve cadre: e.g. secretary.")
    )
    pension = models.BooleanField(_("pension insurance"), default=False)
    medical = models.BooleanField(_("medical insurance"), default=False)
    unemployment = models.BooleanField(_("unemployment insurance"), default=False)
    injury = models.BooleanField(_("work-injury insurance"), default=False)
    maternity = models.BooleanField(_("maternity insurance"), default=False)
    housing_fund = models.BooleanField(_("housing fund"), default=False)
    last_exam_on = models.DateField(_("last physical examination"), null=True, blank=True)
    active = models.BooleanField(_("in service"), default=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    search_fields = ("name__icontains", "number__icontains")

    class Meta:
        verbose_name = _("community worker")
        verbose_name_plural = _("community workers")
        ordering = ["path", "name", "id"]
        indexes = [path_index("cadres_cadre_path", "path", "active")]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"

    def get_absolute_url(self) -> str:
        return reverse("cadres:cadre_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            errors["contract_end"] = _("The contract cannot end before it starts.")
        if self.reserve and not self.reserve_for.strip():
            errors["reserve_for"] = _("Say which post the reserve cadre prepares for.")
        if errors:
            raise ValidationError(errors)

    @property
    def insured(self) -> bool:
        return all((self.pension, self.medical, self.unemployment, self.injury, self.maternity))


class CourseKind(models.TextChoices):
    ROTATION = "rotation", _("annual rotation")
    ONLINE = "online", _("online")
    SOCIAL_WORK = "social_work", _("social-work continuing education")
    OTHER = "other", _("other")


class Course(ScopedModel):
    """A training course: who organises it, what kind, when, how many hours."""

    title = models.CharField(_("course"), max_length=100)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CourseKind.choices, default=CourseKind.ROTATION)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("9999"))],
    )

    search_fields = ("title__icontains", "organiser__icontains")

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "title", "id"]
        indexes = [path_index("cadres_course_path", "path", "starts_on")]

    def __str__(self) -> str:
        return f"{self.title}（{self.starts_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("cadres:course_detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": _("A course cannot end before it starts.")})
            days = (self.ends_on - self.starts_on).days + 1
            if self.hours is not None and self.hours > MAX_HOURS_A_DAY * days:
                raise ValidationError(
                    {
                        "hours": _("%(hours)s hours in %(days)d days: more than 24 hours a day.")
                        % {"hours": self.hours, "days": days}
                    }
                )


class TrainingRecord(ScopedModel):
    """A worker's attendance of a course on one day (``node``: the worker's place)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("community worker"), on_delete=models.CASCADE, related_name="training"
    )
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="records")
    attended_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(MAX_HOURS_A_DAY))],
    )
    import_job = import_job_field()

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        ordering = ["-attended_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "course", "attended_on"], name="cadres_training_unique"),
        ]
        indexes = [
            path_index("cadres_training_path", "path", "attended_on"),
            models.Index(fields=["cadre", "attended_on"], name="cadres_training_cadre"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.course.title} · {self.attended_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("cadres:trainingrecord_detail", args=[self.pk])


class Level(models.TextChoices):
    ASSISTANT = "assistant", _("assistant social worker")
    SOCIAL_WORKER = "social_worker", _("social worker")
    SENIOR = "senior", _("senior social worker")


# The pay allowance of each qualification level, in % (000 §14).
ALLOWANCE_PERCENT: dict[str, int] = {Level.ASSISTANT: 5, Level.SOCIAL_WORKER: 10, Level.SENIOR: 15}


class Qualification(ScopedModel):
    """A social-work qualification held by a worker, with its certificate (no certificate, no allowance)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("community worker"), on_delete=models.CASCADE, related_name="qualifications"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    certificate_no = models.CharField(_("certificate number"), max_length=50)
    obtained_on = models.DateField(_("obtained on"))

    class Meta:
        verbose_name = _("social-work qualification")
        verbose_name_plural = _("social-work qualifications")
        ordering = ["path", "cadre_id", "level"]
        constraints = [models.UniqueConstraint(fields=["cadre", "level"], name="cadres_qualification_unique")]
        indexes = [path_index("cadres_qualification_path", "path")]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("cadres:qualification_detail", args=[self.pk])

    def clean(self) -> None:
        if not (self.certificate_no or "").strip():
            raise ValidationError({"certificate_no": _("A qualification without a certificate earns no allowance.")})


# -- pay (confidential) ----------------------------------------------------------------------------------------------


class PayTable(ScopedModel):
    """The pay table of a place (a city, or a district or street with its own) for a year, with the local average
    wage of the previous year that every worker's pay must reach (000 §16), and the city's share of the pay (the
    district pays the rest; 003: 5:5)."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    average_wage = models.DecimalField(
        _("local average wage of the previous year (yuan a year)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    city_share = models.PositiveSmallIntegerField(
        _("city's share (%)"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The district pays the rest."),
    )
    import_job = import_job_field()

    class Meta:
        verbose_name = _("pay table")
        verbose_name_plural = _("pay tables")
        ordering = ["-year", "path"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="cadres_paytable_unique")]
        indexes = [path_index("cadres_paytable_path", "path", "year")]

    def __str__(self) -> str:
        return _("%(place)s pay table %(year)d") % {"place": self.node.name, "year": self.year}

    def get_absolute_url(self) -> str:
        return reverse("cadres:paytable_detail", args=[self.pk])


class PayRate(models.Model):
    """The monthly base pay of one post category and grade in a pay table."""

    table = models.ForeignKey(PayTable, verbose_name=_("pay table"), on_delete=models.CASCADE, related_name="rates")
    category = models.CharField(_("post category"), max_length=10, choices=PostCategory.choices)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(MAX_GRADE)]
    )
    amount = models.DecimalField(
        _("monthly base pay (yuan)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("999999"))],
    )

    objects = RestrictedQuerySet.as_manager()
    scope_field = "table__path"

    class Meta:
        verbose_name = _("pay rate")
        verbose_name_plural = _("pay rates")
        ordering = ["table_id", "category", "grade"]
        constraints = [models.UniqueConstraint(fields=["table", "category", "grade"], name="cadres_payrate_unique")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.grade}"


class GradeReason(models.TextChoices):
    APPOINTED = "appointed", _("appointment")
    SENIORITY = "seniority", _("years of service")
    ASSESSMENT = "assessment", _("assessment result")
    ADJUSTED = "adjusted", _("adjustment")


class PayGrade(ScopedModel):
    """A worker's post category and grade from a date (the newest is the one in force)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("community worker"), on_delete=models.CASCADE, related_name="grades"
    )
    category = models.CharField(_("post category"), max_length=10, choices=PostCategory.choices)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(MAX_GRADE)]
    )
    since = models.DateField(_("from"))
    reason = models.CharField(_("reason"), max_length=20, choices=GradeReason.choices, default=GradeReason.APPOINTED)

    class Meta:
        verbose_name = _("pay grade")
        verbose_name_plural = _("pay grades")
        ordering = ["path", "cadre_id", "-since", "-id"]
        constraints = [models.UniqueConstraint(fields=["cadre", "since"], name="cadres_paygrade_unique")]
        indexes = [
            path_index("cadres_paygrade_path", "path"),
            models.Index(fields=["cadre", "since"], name="cadres_paygrade_cadre"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.get_category_display()} {self.grade}"

    def get_absolute_url(self) -> str:
        return reverse("cadres:paygrade_detail", args=[self.pk])


# -- assessment and rewards (confidential) ---------------------------------------------------------------------------


class Result(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    COMPETENT = "competent", _("competent")
    BASIC = "basic", _("basically competent")
    INCOMPETENT = "incompetent", _("incompetent")


class Use(models.TextChoices):
    NONE = "none", _("recorded only")
    GRADE_RISE = "grade_rise", _("grade rise")
    REWARD = "reward", _("reward")
    WARNING = "warning", _("warning")


class AssessmentStatus(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    CONFIRMED = "confirmed", _("confirmed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Assessment(CaseModel):
    """The yearly assessment of a worker or of a community's organization; confirmed with how its result is used."""

    status = models.CharField(
        _("status"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.RECORDED
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("community worker"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    use = models.CharField(_("result used for"), max_length=20, choices=Use.choices, default=Use.NONE)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "year"],
                condition=Q(cadre__isnull=False) & ~Q(status="withdrawn"),
                name="cadres_assessment_cadre_year",
            ),
            models.UniqueConstraint(
                fields=["organization", "year"],
                condition=Q(organization__isnull=False) & ~Q(status="withdrawn"),
                name="cadres_assessment_org_year",
            ),
            models.CheckConstraint(
                condition=Q(cadre__isnull=False, organization__isnull=True)
                | Q(cadre__isnull=True, organization__isnull=False),
                name="cadres_assessment_subject",
            ),
        ]
        indexes = [path_index("cadres_assessment_path", "path", "year")]

    def __str__(self) -> str:
        subject = self.cadre.name if self.cadre_id and self.cadre else str(self.organization or "")
        return f"{self.year} · {subject} · {self.get_result_display()}"

    def get_absolute_url(self) -> str:
        return reverse("cadres:assessment_detail", args=[self.pk])

    @property
    def subject(self) -> str:
        return self.cadre.name if self.cadre_id and self.cadre else str(self.organization or "")


class AssessmentEvent(TimelineEntry):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")


class SanctionKind(models.TextChoices):
    REWARD = "reward", _("reward")
    PUNISHMENT = "punishment", _("punishment")


class Sanction(ScopedModel):
    """A reward or a punishment of a worker or an organization, with the document that decided it."""

    kind = models.CharField(_("kind"), max_length=12, choices=SanctionKind.choices)
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("community worker"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sanctions",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("what"), max_length=200)
    document_no = models.CharField(_("document number"), max_length=100)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by"), max_length=100, blank=True)
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sanctions",
    )

    class Meta:
        verbose_name = _("reward or punishment")
        verbose_name_plural = _("rewards and punishments")
        ordering = ["-decided_on", "-id"]
        indexes = [path_index("cadres_sanction_path", "path", "decided_on")]

    def __str__(self) -> str:
        subject = self.cadre.name if self.cadre_id and self.cadre else str(self.organization or "")
        return f"{self.get_kind_display()} · {subject} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cadres:sanction_detail", args=[self.pk])

    def clean(self) -> None:
        if bool(self.cadre_id) == bool(self.organization_id):
            raise ValidationError(_("Choose either a community worker or an organization."))
