"""Residents' requests (民情直通车 / 一口受理): the request, its case file, sub-tasks, attachments, notifications."""

from __future__ import annotations

import secrets
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.bounds import LATITUDE, LONGITUDE
from shequ.core.fields import PathField, path_index
from shequ.core.models import CaseModel, ScopedModel, StoredFile, TimelineEntry
from shequ.core.querysets import RestrictedQuerySet


class Channel(models.TextChoices):
    WINDOW = "window", _("one-stop window")
    HOTLINE = "hotline", _("hotline")
    GRID = "grid", _("grid worker")
    PORTAL = "portal", _("public portal")
    OPEN311 = "open311", _("Open311 system")
    API = "api", _("API")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    RETURNED = "returned", _("returned")
    RESOLVED = "resolved", _("resolved")
    REOPENED = "reopened", _("reopened")
    RATED = "rated", _("rated")
    CLOSED = "closed", _("closed")


# Open until resolved: the deadline clock runs.  Open311 says "open" for these and "closed" for the rest.
OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.RETURNED,
    Status.REOPENED,
)
# A rating at or below this is unsatisfied (1–5 stars).
UNSATISFIED_MAX = 2


def new_tracking_code() -> str:
    """12 characters from an alphabet without look-alikes (no 0/O, 1/I/L): what a resident reads out."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class InSubquery(models.Func):
    """``column IN (subquery)``; on PostgreSQL ``column = ANY(ARRAY(subquery))``.

    PostgreSQL runs an ``IN (subquery)`` that is one branch of an OR as a hashed sub-plan per row, which
    rules out a bitmap OR of the other branches' indexes: the scope of a request list became a sequential
    scan of every request.  ``ARRAY(subquery)`` is uncorrelated, evaluated once (an init plan), and
    ``id = ANY(…)`` is an index condition, so the OR is a BitmapOr of three index scans.
    """

    output_field = models.BooleanField()

    def __init__(self, column: Any, queryset: Any) -> None:
        super().__init__(column, models.Subquery(queryset))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        column, column_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)
        return f"{column} IN {subquery}", (*column_params, *subquery_params)


class ServiceRequestQuerySet(RestrictedQuerySet):
    """A community sees the requests in its subtree, those routed to its organizations, and those with a
    sub-task sent to one of its organizations (the case file is shared)."""

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Self:
        from shequ.accounts.scope import scope_paths

        paths = scope_paths(user, perm_model or self.model, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        condition = Q()
        tasks = Q()
        for path in paths:
            condition |= Q(path__within=path) | Q(responsible_path__within=path)
            tasks |= Q(to_path__within=path)
        sent = SubTask.objects.filter(tasks).values("request_id")
        return self.filter(condition | Q(InSubquery(models.F("pk"), sent)))

    def open(self) -> Self:
        return self.filter(is_open=True)

    def public(self) -> Self:
        """Those anyone may see in a public feed: the requests of public categories."""
        from .catalogue import public_q

        return self.filter(public_q("category__"))


class ServiceRequest(CaseModel):
    """``node``/``path``: where the matter is.  ``responsible_path``: the path of the responsible
    organization's node (it may sit elsewhere, e.g. a district water company)."""

    code = models.CharField(_("tracking code"), max_length=12, unique=True, default=new_tracking_code, editable=False)
    category = models.ForeignKey(
        "ServiceCategory", verbose_name=_("category"), on_delete=models.PROTECT, related_name="requests"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WINDOW)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    description = models.TextField(_("description"))
    attributes = models.JSONField(_("answers to the extra questions"), default=dict, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE)
    long = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE
    )
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    # Who raised it: a registered resident, or a name and a phone.
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    external_account = models.CharField(_("account in the filing system"), max_length=100, blank=True)
    # Routing and handling.
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("responsible organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey(
        "orgs.Post",
        verbose_name=_("responsible post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responsible_path = PathField()
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The clock: the tier as it was at acceptance, the deadline, when to warn.
    tier_name = models.CharField(_("deadline tier"), max_length=80, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_notes = models.CharField(_("status notes"), max_length=500, blank=True)
    return_reason = models.CharField(_("reason returned"), max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the rating"), max_length=300, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )

    objects = ServiceRequestQuerySet.as_manager()  # type: ignore[assignment,misc]
    search_fields = ("code__iexact", "description__icontains", "contact_name__icontains", "address__icontains")

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_open=True, status__in=OPEN_STATUSES) | (Q(is_open=False) & ~Q(status__in=OPEN_STATUSES)),
                name="services_request_open_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="services_request_rating"
            ),
        ]
        indexes = [
            path_index("services_request_path", "path", "created"),
            path_index("services_request_resp_path", "responsible_path"),
            models.Index(fields=["is_open", "deadline"], name="services_request_open_due"),
            models.Index(fields=["is_open", "warn_at"], name="services_request_open_warn"),
            # The deadline watch: only the requests still to escalate or to warn (a few, among many open).
            models.Index(
                fields=["deadline"],
                condition=Q(is_open=True, escalated_at__isnull=True),
                name="services_request_to_escalate",
            ),
            models.Index(
                fields=["warn_at"], condition=Q(is_open=True, warned_at__isnull=True), name="services_request_to_warn"
            ),
            models.Index(fields=["node", "category", "created"], name="services_request_dupes"),
            models.Index(fields=["updated"], name="services_request_updated"),
            # Lists, newest first: the first page is read backwards along this index, filtered by the scope,
            # instead of joining and sorting every request in the scope.
            models.Index(fields=["created", "id"], name="services_request_created"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.category.name}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.is_open = self.status in OPEN_STATUSES
        self.responsible_path = self.organization.path if self.organization_id and self.organization else ""
        digits = "".join(c for c in self.phone if c.isdigit())
        self.phone_last4 = digits[-4:]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("services:servicerequest_detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"path": self.path}

    @property
    def requester(self) -> str:
        if self.resident_id and self.resident is not None:
            return self.resident.name
        return self.contact_name

    @property
    def overdue(self) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < timezone.now()

    @property
    def on_time(self) -> bool | None:
        """Resolved by the deadline (None while open or without a deadline)."""
        if self.deadline is None or self.resolved_at is None:
            return None
        return self.resolved_at <= self.deadline

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"


class EventKind(models.TextChoices):
    STATUS = "status", _("step")
    COMMENT = "comment", _("comment")
    ATTACHMENT = "attachment", _("attachment")
    SUBTASK = "subtask", _("sub-task")
    ROUTING = "routing", _("routing")
    WARNING = "warning", _("deadline warning")
    ESCALATION = "escalation", _("escalation")
    RATING = "rating", _("rating")


class CaseEvent(TimelineEntry):
    """One line of the case file: every step, comment, attachment and sub-task, with who and when."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices, blank=True)
    public = models.BooleanField(_("shown to the resident"), default=False)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(TimelineEntry.Meta):
        verbose_name = _("case file entry")
        verbose_name_plural = _("case file entries")


class SubTaskStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    DECLINED = "declined", _("declined")


class SubTaskQuerySet(RestrictedQuerySet):
    """The sending side (the request's scope) and the receiving organization's subtree see a sub-task."""

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Self:
        from shequ.accounts.scope import scope_paths

        paths = scope_paths(user, perm_model or self.model, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        condition = Q()
        for path in paths:
            condition |= Q(path__within=path) | Q(to_path__within=path)
        return self.filter(condition)

    def assigned_to(self, user: Any) -> Self:
        """The sub-tasks handed to an organization within *user*'s working area (those they are to do), not
        those their area sent out."""
        from shequ.accounts.scope import scope_paths

        paths = scope_paths(user, self.model, "change")
        if paths is None:
            return self
        if not paths:
            return self.none()
        condition = Q()
        for path in paths:
            condition |= Q(to_path__within=path)
        return self.filter(condition)


class SubTask(ScopedModel):
    """Part of a request handed to another organization; it works from the same case file.

    ``node``/``path``: the request's place; ``to_path``: the receiving organization's."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="subtasks"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    to_path = PathField()
    instruction = models.CharField(_("what to do"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=SubTaskStatus.choices, default=SubTaskStatus.OPEN)
    result = models.CharField(_("result"), max_length=500, blank=True)
    due = models.DateTimeField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # When the receiving organization was reminded of the due time (``tasks.warn_subtasks``): once.
    warned_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)

    objects = SubTaskQuerySet.as_manager()  # type: ignore[assignment,misc]
    search_fields = ("request__code__iexact", "instruction__icontains", "organization__name__icontains")

    class Meta:
        verbose_name = _("sub-task")
        verbose_name_plural = _("sub-tasks")
        ordering = ["-created", "-id"]
        indexes = [
            path_index("services_subtask_path", "path"),
            path_index("services_subtask_to_path", "to_path", "status"),
        ]

    def __str__(self) -> str:
        return f"{self.request.code} → {self.organization.name}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.to_path = self.organization.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("services:servicerequest_detail", args=[self.request_id])

    def get_additional_data(self) -> dict:
        return {"path": self.path}


class Attachment(StoredFile):
    """A photo or document of the case file, stored encrypted outside the web root (``core.files``)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    subtask = models.ForeignKey(SubTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    public = models.BooleanField(_("shown to the resident"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
