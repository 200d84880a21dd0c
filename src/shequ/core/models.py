from __future__ import annotations

from typing import Any

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .fields import PathField, path_index
from .querysets import RestrictedQuerySet


class TimeStampedModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ScopedModel(TimeStampedModel):
    """A record that belongs to one node and keeps a copy of the node's path.

    "Everything under this street" is then one indexed predicate on ``path``; moving a
    node rewrites the copies (see ``territory.actions.do_move_node``).
    """

    node = models.ForeignKey("territory.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="+")
    path = PathField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.path = self.node.path
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        return {"path": self.path}


def hidden_confidential(user: Any) -> list[str]:
    """The confidential models (``accounts.roles.CONFIDENTIAL``) *user* may not see."""
    from django.apps import apps

    from shequ.accounts.roles import is_confidential
    from shequ.accounts.scope import can

    labels = sorted(m._meta.label_lower for m in apps.get_models() if is_confidential(m._meta.label_lower))
    return [label for label in labels if not can(user, label, "view")]


class JobQuerySet(RestrictedQuerySet):
    """Jobs in the user's area, less the imports and exports of confidential models the user may not see (their
    results and reports hold the rows)."""

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Any:
        qs = super().restrict(user, action, perm_model)
        hidden = hidden_confidential(user)
        return qs.exclude(params__model__in=hidden) if hidden else qs


class AuditQuerySet(RestrictedQuerySet):
    """Audit entries in the user's area, less those of confidential models (``accounts.roles.CONFIDENTIAL``,
    e.g. community workers' pay) that the user may not see themselves."""

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Any:
        from django.contrib.contenttypes.models import ContentType

        qs = super().restrict(user, action, perm_model)
        hidden = hidden_confidential(user)
        if hidden:
            condition = models.Q()
            for label in hidden:
                app_label, model = label.split(".", 1)
                condition |= models.Q(app_label=app_label, model=model)
            qs = qs.exclude(content_type__in=ContentType.objects.filter(condition))
        return qs


class AuditEntryManager(LogEntryManager.from_queryset(AuditQuerySet)):  # type: ignore[misc]
    pass


# django-auditlog's action names, in our catalogue (auditlog has no Chinese of its own).
AUDIT_ACTIONS = [
    (0, pgettext_lazy("audit action", "create")),
    (1, pgettext_lazy("audit action", "update")),
    (2, pgettext_lazy("audit action", "delete")),
    (3, pgettext_lazy("audit action", "access")),
]


class AuditEntry(AbstractLogEntry):
    """django-auditlog's entry with the path of the object's node, so the audit list is scoped."""

    path = PathField()

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        swappable = "AUDITLOG_LOGENTRY_MODEL"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [path_index("core_auditentry_path", "path")]  # (auditlog indexes the timestamp itself)

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self.path and isinstance(self.additional_data, dict):
            self.path = str(self.additional_data.get("path") or "")
        super().save(*args, **kwargs)

    @property
    def action_label(self) -> str:
        events = {
            "login": _("login"),
            "logout": _("logout"),
            "login_failed": _("failed login"),
            "move": _("move"),
            "import": _("spreadsheet import"),
        }
        if self.event in events:
            return str(events[self.event])
        return str(dict(AUDIT_ACTIONS).get(self.action, self.action))

    @property
    def event(self) -> str:
        if isinstance(self.additional_data, dict):
            return str(self.additional_data.get("event") or "")
        return ""


def import_job_field() -> Any:
    """The import batch (a ``Job``) that created a row: such rows carry no audit entry of their own."""
    return models.ForeignKey(
        "core.Job",
        verbose_name=_("created by import"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Job(models.Model):
    """A background task as the user sees it: what, who, progress, result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        # Its process ended before it did (killed, a crash of the machine): ``core.jobs`` finds out.
        INTERRUPTED = "interrupted", _("interrupted")

    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)
    node = models.ForeignKey(
        "territory.Node",
        verbose_name=_("node"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    path = PathField()
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    result_file = models.CharField(max_length=255, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    # Who runs it (``core.jobs.process_token``: host, pid, start of the process) and when it last said so:
    # a running job whose process is gone is interrupted, not running forever.
    process = models.CharField(_("process"), max_length=255, blank=True, editable=False)
    heartbeat = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created"]
        indexes = [path_index("core_job_path", "path")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("core:job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished_ok(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def interrupted(self) -> bool:
        return self.status == self.Status.INTERRUPTED

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record how far the job got (and that it is alive).  While its heartbeat runs (``core.jobs.running``)
        the heartbeat's own connection writes it: seen at once even from inside the job's transaction."""
        from .jobs import record_progress

        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message
        for key, value in fields.items():
            setattr(self, key, value)
        record_progress(self.pk, fields)


# -- files of a record ------------------------------------------------------------------------------------------------


class StoredFile(models.Model):
    """A file of a record (a request's photo, a visit's photo, a decision's minutes …), stored encrypted outside the
    web root by ``core.files``: its name, type, size and checksum as uploaded, where it is kept, when."""

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    stored = models.CharField(max_length=255, editable=False)
    uploaded_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def store(cls, upload: Any, *, folder: str, key: Any, name: str, content_type: str, **fields: Any) -> Any:
        """Encrypt *upload* (checked by the caller: ``services.actions.attachments.check_upload``) into
        ``storage_dir(folder)/key/`` and create the record of it with *fields* (its owner …)."""
        import secrets
        from pathlib import Path

        from django.conf import settings

        from . import files

        place = files.storage_dir(folder) / str(key)
        place.mkdir(mode=0o700, exist_ok=True)
        target = place / f"{secrets.token_hex(16)}{files.SUFFIX}"
        digest = files.store_chunks(target, upload.chunks())
        return cls._default_manager.create(
            name=name,
            content_type=content_type,
            size=upload.size,
            sha256=digest,
            stored=str(target.relative_to(Path(settings.MEDIA_ROOT))),
            **fields,
        )

    def download(self) -> Any:
        """The decrypted file as a download response."""
        from pathlib import Path

        from django.conf import settings

        from . import files

        return files.download_response(Path(settings.MEDIA_ROOT) / self.stored, self.name, self.content_type)


def stored_file_view(model: Any) -> Any:
    """The download page of *model*'s files (a ``StoredFile`` with a restricted manager): the file when the
    user may see its record, else 404 (a forged or foreign id names nothing)."""
    from django.contrib.auth.decorators import login_required

    @login_required
    def download(request: Any, pk: str) -> Any:
        from .exceptions import NotFound

        found = model.objects.restrict(request.user, "view").filter(pk=int(pk) if pk.isdigit() else 0).first()
        if found is None:
            raise NotFound()
        return found.download()

    return download


# -- cases (the shared workflow: ``core.workflow``) ------------------------------------------------------------------


class CaseModel(ScopedModel):
    """A case of a declared workflow (``core.workflow.Workflow``): its state, whether it is still open, and
    the clock (deadline, when to warn, whether the warning and the escalation went out).  Apps override
    ``status`` with their own choices."""

    status = models.CharField(_("status"), max_length=20)
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True, editable=False)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def overdue(self) -> bool:
        return bool(self.is_open and self.deadline is not None and self.deadline < timezone.now())


class TimelineKind(models.TextChoices):
    """What a line of a case's timeline records (apps add their own kinds to their event model's choices)."""

    STATUS = "status", _("step")
    COMMENT = "comment", _("comment")
    ATTACHMENT = "attachment", _("attachment")
    WARNING = "warning", _("deadline warning")
    ESCALATION = "escalation", _("escalation")
    DEADLINE = "deadline", _("deadline changed")


class TimelineEntry(models.Model):
    """One line of a case's timeline: a step (from → to), a comment, a warning …, with who and when.

    A concrete subclass adds the foreign key to its case (named by the workflow's ``timeline_fk``)."""

    kind = models.CharField(_("kind"), max_length=20, choices=TimelineKind.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("shown to the public"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {timezone.localtime(self.at):%Y-%m-%d %H:%M}"  # type: ignore[attr-defined]

    @property
    def who(self) -> str:
        if self.actor_id and self.actor is not None:  # type: ignore[attr-defined]
            return str(self.actor)
        return self.actor_label


# -- notifications -------------------------------------------------------------------------------------------------


class Notification(models.Model):
    """An in-app message to one user (``core.notifications.notify``): a new assignment, a step awaiting
    them, a deadline warning, an escalation.  *url* is where it leads; *content_type*/*object_pk* name the
    record it is about (its workflow's case, say)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_pk = models.CharField(max_length=40, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="core_notification_unread"),
            models.Index(fields=["user", "created"], name="core_notification_user"),
            models.Index(fields=["content_type", "object_pk"], name="core_notification_object"),
        ]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return reverse("core:notification_open", args=[self.pk])


class IndicatorValue(models.Model):
    """One indicator's (numerator, denominator) at one community in one year (``core.indicators``): the rollup
    every figure of a node is summed from.  Kept for past years: the trend."""

    code = models.CharField(_("indicator"), max_length=60)
    node = models.ForeignKey("territory.Node", on_delete=models.CASCADE, related_name="+")
    path = PathField()
    year = models.PositiveSmallIntegerField(_("year"))
    numerator = models.FloatField(default=0)
    denominator = models.FloatField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(fields=["code", "node", "year"], name="core_indicatorvalue_unique")]
        # A node's figure: one indicator and year, the communities under the node (a range of their paths).
        indexes = [
            models.Index(
                fields=["code", "year", "path"],
                name="core_indicatorvalue_at",
                opclasses=["", "", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.year}"
