"""Declared views (the NetBox pattern): a ViewSet names the parts, these views do the work.

Every view reads through ``restrict(user, action)``; an object outside the user's
subtree answers 404 exactly like a missing one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from shequ.core import files
from shequ.core.actions import do_create_object, do_delete_object, do_update_object, fetch
from shequ.core.audit import describe
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.forms import ImportForm
from shequ.core.importing import Importer
from shequ.core.models import AuditEntry, Job
from shequ.core.pagination import configure_table
from shequ.core.permissions import Rule, may
from shequ.core.spreadsheets import temp_xlsx_path
from shequ.core.tables import render_lines
from shequ.core.tasks import enqueue_job

ExportColumn = tuple[str, Callable[[Any], Any]]


def attr_getter(name: str) -> Callable[[Any], Any]:
    parts = name.split("__")

    def get(obj: Any) -> Any:
        value: Any = obj
        for part in parts:
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part, None)
        if isinstance(value, models.Model):
            return str(value)
        return value

    return get


class ViewSet:
    """Declare a model's views: ``model``, ``filterset``, ``table``, ``form`` (and optionally ``importer``)."""

    model: ClassVar[type[models.Model]]
    namespace: ClassVar[str]
    filterset: ClassVar[Any]
    table: ClassVar[type[tables.Table]]
    form: ClassVar[Any] = None
    importer: ClassVar[type[Importer] | None] = None
    # A case-like model's declared process (``core.workflow.Workflow``): the detail page shows its status, the
    # steps open to the user and the timeline; ``<pk>/do/<step>/`` pages take the steps.
    workflow: ClassVar[Any] = None
    select_related: ClassVar[Sequence[str]] = ()
    detail_fields: ClassVar[Sequence[str]] = ()
    export_fields: ClassVar[Sequence[str]] = ()
    detail_template: ClassVar[str] = "core/object_detail.html"
    list_template: ClassVar[str] = "core/object_list.html"
    edit_template: ClassVar[str] = "core/object_edit.html"
    actions: ClassVar[Sequence[str]] = (
        "list",
        "detail",
        "add",
        "edit",
        "delete",
        "bulk_delete",
        "import",
        "export",
        "history",
    )

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.user = request.user

    # -- names --------------------------------------------------------------
    @classmethod
    def basename(cls) -> str:
        return cls.model._meta.model_name  # type: ignore[return-value]

    @classmethod
    def url_name(cls, action: str) -> str:
        return f"{cls.namespace}:{cls.basename()}_{action}"

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    # -- data ---------------------------------------------------------------
    def base_queryset(self) -> models.QuerySet:
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def get_queryset(self, action: str = "view") -> models.QuerySet:
        return self.base_queryset().restrict(self.user, action)  # type: ignore[attr-defined]

    def get_object(self, pk: Any, action: str = "view") -> Any:
        return fetch(self.base_queryset(), self.user, action, pk)

    def filtered(self, action: str = "view") -> Any:
        return self.filterset(self.request.GET or None, queryset=self.get_queryset(action), request=self.request)

    def perms(self, obj: Any = None) -> dict[str, bool]:
        path = getattr(obj, "path", None) if obj is not None else None
        return {
            action: may(self.user, self.model, action, path)
            for action in ("view", "add", "change", "delete", "import", "export")
        }

    def export_columns(self) -> list[ExportColumn]:
        names = self.export_fields or self.detail_fields or [f.name for f in self.model._meta.fields]
        columns = []
        for name in names:
            try:
                header = str(getattr(self.model._meta.get_field(name.split("__")[0]), "verbose_name", name))
            except Exception:
                header = name
            columns.append((header, attr_getter(name)))
        return columns

    def export_queryset(self, qs: models.QuerySet) -> models.QuerySet:
        """The filtered list as the export reads it: only what its columns need (``select_related``,
        ``only``, annotations), after the filters (which shape it for the list page)."""
        return qs

    def prepare_export(self, objects: list[Any]) -> None:
        """Before the export columns read *objects* (a chunk of the list, in order): load at once what they
        would otherwise read one row at a time (e.g. the names of a many-to-many), one query per chunk."""

    def detail_rows(self, obj: Any) -> list[tuple[str, Any]]:
        names = self.detail_fields or [f.name for f in self.model._meta.fields if f.name != "id"]
        rows = []
        for name in names:
            try:
                label = str(getattr(self.model._meta.get_field(name.split("__")[0]), "verbose_name", name))
            except Exception:
                label = name
            rows.append((label, attr_getter(name)(obj)))
        return rows

    def get_form(self, data: Any = None, files: Any = None, instance: Any = None, initial: Any = None) -> Any:
        form = self.form(data, files, instance=instance, user=self.user, initial=initial)
        return form

    def detail_context(self, obj: Any) -> dict[str, Any]:
        """Extra context for the detail page (e.g. related lists shown beside the fields)."""
        return {}

    def case_context(self, obj: Any) -> dict[str, Any]:
        """The workflow's part of the detail page: the steps open to the user, the timeline."""
        if self.workflow is None:
            return {}
        timeline = list(self.workflow.timeline_of(obj))
        for entry in timeline:
            entry.state_label = self.workflow.state_label(entry.to_status) if entry.to_status else ""
        return {
            "case_steps": self.workflow.available(self.user, obj),
            "timeline": timeline,
            "case_state": self.workflow.state_label(obj.status),
            "timeline_title": self.workflow.timeline_title,
            "step_url": self.url_name("step"),
        }

    def edit_context(self, form: Any, obj: Any) -> dict[str, Any]:
        """Extra context for the add/edit page (e.g. where Cancel leads)."""
        return {}

    # -- writes: override to call an app's do_* action ------------------------
    def create(self, form: Any) -> Any:
        return do_create_object(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: Any) -> Any:
        return do_update_object(form.save(commit=False), acting_user=self.user)

    def delete(self, obj: Any) -> None:
        do_delete_object(obj, acting_user=self.user)

    # -- urls ---------------------------------------------------------------
    @classmethod
    def urls(cls) -> list[Any]:
        from shequ.core.registry import register_viewset

        register_viewset(cls)
        name = cls.basename()
        views: dict[str, tuple[str, type[View]]] = {
            "list": ("", ObjectListView),
            "add": ("add/", ObjectEditView),
            "bulk_delete": ("delete/", BulkDeleteView),
            "import": ("import/", ObjectImportView),
            "import_template": ("import/template/", ImportTemplateView),
            "export": ("export/", ObjectExportView),
            "detail": ("<str:pk>/", ObjectDetailView),
            "edit": ("<str:pk>/edit/", ObjectEditView),
            "delete": ("<str:pk>/delete/", ObjectDeleteView),
            "history": ("<str:pk>/history/", ObjectHistoryView),
            "step": ("<str:pk>/do/<slug:step>/", ObjectStepView),
        }
        patterns = []
        for action, (route, view) in views.items():
            base_action = "import" if action == "import_template" else action
            if action == "step":
                if cls.workflow is not None:
                    patterns.append(path(route, view.as_view(viewset=cls), name=f"{name}_step"))
                continue
            if base_action not in cls.actions:
                continue
            if base_action in ("import",) and cls.importer is None:
                continue
            patterns.append(path(route, view.as_view(viewset=cls), name=f"{name}_{action}"))
        return patterns


class ViewSetView(LoginRequiredMixin, View):
    viewset: type[ViewSet] = ViewSet
    # The action the page itself requires of the user on the view set's model (see ``core.permissions``).
    required_action = "view"

    @classmethod
    def rule_for(cls, initkwargs: dict[str, Any]) -> Rule:
        viewset = initkwargs.get("viewset", cls.viewset)
        return Rule(viewset.model._meta.label_lower, cls.required_action)

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.vs = self.viewset(request)

    def context(self, **extra: Any) -> dict[str, Any]:
        vs = self.vs
        meta = vs.model._meta
        ctx = {
            "viewset": vs,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "urls": {a: vs.url_name(a) for a in (*vs.actions, "import_template")},
            "has_import": vs.importer is not None and "import" in vs.actions,
            "perms": vs.perms(extra.get("object")),
        }
        ctx.update(extra)
        return ctx


def filtered_rows(filterset: Any) -> Any:
    """The rows a list or an export shows: all the user may see when nothing is asked, none when a filter
    is invalid (the form says which and why; a list of everything would look like the answer)."""
    if not filterset.is_bound:
        return filterset.queryset
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def filter_errors(filterset: Any) -> str:
    """The filter form's errors, each after its field's label."""
    form = filterset.form
    return "\n".join(
        f"{form.fields[name].label if name in form.fields else ''}：{'；'.join(messages)}".lstrip("：")
        for name, messages in form.errors.items()
    )


class ObjectListView(ViewSetView):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not may(request.user, self.vs.model, "view"):
            raise NotFound()
        filterset = self.vs.filtered("view")
        qs = filtered_rows(filterset)
        table = configure_table(self.vs.table(qs), request, prepared=(type(self.vs), "list"))
        ctx = self.context(filterset=filterset, table=table, querystring=request.GET.urlencode())
        if request.htmx and request.htmx.target == "results":  # type: ignore[attr-defined]
            return render(request, "core/_results.html", ctx)
        return render(request, self.vs.list_template, ctx)

    def post(self, request: HttpRequest) -> HttpResponseBase:
        # A filter form that may hold a full identity number is posted (CSRF-checked) and answered with
        # the list at a URL carrying a keyed hash instead (SearchFilterSet.secure_query).
        secure = getattr(self.vs.filterset, "secure_query", None)
        if secure is None:
            return self.http_method_not_allowed(request)
        if not may(request.user, self.vs.model, "view"):
            raise NotFound()
        query = secure(request.POST)
        url = f"{request.path}?{query.urlencode()}" if query else request.path
        if not request.htmx:  # type: ignore[attr-defined]
            return HttpResponseRedirect(url)
        request.GET = query  # type: ignore[assignment]
        response = self.get(request)
        response["HX-Push-Url"] = url
        return response


class ObjectDetailView(ViewSetView):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        obj = self.vs.get_object(pk, "view")
        ctx = self.context(
            object=obj,
            rows=self.vs.detail_rows(obj),
            tab="detail",
            **self.vs.case_context(obj),
            **self.vs.detail_context(obj),
        )
        return render(request, self.vs.detail_template, ctx)


class ObjectHistoryView(ViewSetView):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        obj = self.vs.get_object(pk, "view")
        entries = (
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.vs.model), object_pk=str(obj.pk)
            )
            .select_related("actor", "content_type")
            .order_by("-timestamp")[:200]
        )
        entries = list(entries)
        described = describe(entries, request.user)  # in the reader's words, names read within their area
        for entry in entries:
            entry.changes_html = render_lines(described.get(entry.pk, []))
        # Rows created by a spreadsheet import carry no entry of their own: they point to the import's record.
        job_id = getattr(obj, "import_job_id", None)
        import_job = Job.objects.filter(pk=job_id).select_related("user").first() if job_id else None
        return render(
            request,
            "core/object_history.html",
            self.context(object=obj, entries=entries, import_job=import_job, tab="history"),
        )


class ObjectEditView(ViewSetView):
    required_action = "add"

    def get_target(self, pk: str | None) -> Any:
        return self.vs.get_object(pk, "change") if pk is not None else None

    def get(self, request: HttpRequest, pk: str | None = None) -> HttpResponse:
        obj = self.get_target(pk)
        if obj is None and not may(request.user, self.vs.model, "add"):
            raise NotFound()
        form = self.vs.get_form(instance=obj, initial=request.GET.dict())
        return render(
            request, self.vs.edit_template, self.context(form=form, object=obj, **self.vs.edit_context(form, obj))
        )

    def post(self, request: HttpRequest, pk: str | None = None) -> HttpResponse:
        obj = self.get_target(pk)
        if obj is None and not may(request.user, self.vs.model, "add"):
            raise NotFound()
        form = self.vs.get_form(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            try:
                saved = self.vs.create(form) if obj is None else self.vs.update(form, obj)
            except ActionError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except NotFound:
                # Refused after the form was filled in: keep what was typed and say why (never a bare 404).
                form.add_error(None, outside_area_message())
            else:
                messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
        ctx = self.context(form=form, object=obj, **self.vs.edit_context(form, obj))
        return render(request, self.vs.edit_template, ctx, status=400)


def outside_area_message() -> str:
    return _(
        "You may not save this record: it would lie outside the area where your role may do so. Nothing was saved."
    )


class ObjectDeleteView(ViewSetView):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        obj = self.vs.get_object(pk, "delete")
        return render(request, "core/object_delete.html", self.context(object=obj))

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        obj = self.vs.get_object(pk, "delete")
        try:
            self.vs.delete(obj)
        except ActionError as exc:
            return render(request, "core/object_delete.html", self.context(object=obj, errors=exc.messages), status=400)
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": obj})
        return HttpResponseRedirect(reverse(self.vs.url_name("list")))


class BulkDeleteView(ViewSetView):
    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [i for i in request.POST.getlist("pk") if i.isdigit()]
        objects = list(self.vs.get_queryset("delete").filter(pk__in=ids))
        if len(objects) != len(set(ids)):
            raise NotFound()
        if "confirm" not in request.POST:
            return render(request, "core/bulk_delete.html", self.context(objects=objects))
        deleted, errors = 0, []
        for obj in objects:
            try:
                self.vs.delete(obj)
                deleted += 1
            except ActionError as exc:
                errors.append(f"{obj}：{'；'.join(exc.messages)}")
        if deleted:
            messages.success(request, _("Deleted %(count)d records.") % {"count": deleted})
        for error in errors:
            messages.error(request, error)
        return HttpResponseRedirect(reverse(self.vs.url_name("list")))


class ObjectStepView(ViewSetView):
    """A step of the model's workflow on one object: its form (a confirmation when it has none), then the
    step's ``run``; refused steps keep what was typed and say why."""

    def load(self, pk: str, name: str) -> tuple[Any, Any]:
        workflow = self.vs.workflow
        step = workflow.steps.get(name)
        if step is None:
            raise NotFound()
        obj = self.vs.get_object(pk, step.permission)
        if not workflow.may(self.request.user, obj, step):
            raise NotFound()
        return obj, step

    def page(self, obj: Any, step: Any, form: Any, status: int = 200) -> HttpResponse:
        ctx = self.context(
            object=obj,
            form=form,
            step=step,
            title=step.title,
            blocked=self.vs.workflow.blocked(obj, step),
            warning=step.warning(obj) if step.warning else "",
        )
        return render(self.request, "core/object_step.html", ctx, status=status)

    def get(self, request: HttpRequest, pk: str, step: str) -> HttpResponse:
        obj, declared = self.load(pk, step)
        initial = declared.initial(request, obj) if declared.initial else None
        return self.page(obj, declared, declared.form_class()(user=request.user, initial=initial))

    def post(self, request: HttpRequest, pk: str, step: str) -> HttpResponse:
        obj, declared = self.load(pk, step)
        form = declared.form_class()(request.POST, request.FILES if declared.files else None, user=request.user)
        if form.is_valid():
            try:
                result = declared.run(request.user, obj, form.cleaned_data)
            except ActionError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": declared.title})
                url = declared.done_url(obj, result) if declared.done_url else obj.get_absolute_url()
                return HttpResponseRedirect(url)
        return self.page(obj, declared, form, status=400)


class ObjectExportView(ViewSetView):
    """The filtered list, as .xlsx (constant memory) or CSV, through ``restrict(user, "export")``; a list longer
    than an answer may carry is exported by the background worker (``core.exports``)."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        from shequ.core import exports

        if not may(request.user, self.vs.model, "export"):
            raise NotFound()
        filterset = self.vs.filtered("export")
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponseBadRequest(filter_errors(filterset), content_type="text/plain; charset=utf-8")
        qs = filtered_rows(filterset)
        fmt = exports.export_format(request)
        if exports.is_large(qs):
            job = exports.start(request, self.vs, fmt)
            messages.info(request, _("The list is long: it is exported in the background; download it here when done."))
            return HttpResponseRedirect(job.get_absolute_url())
        return exports.respond(self.vs, qs, fmt)


class ImportTemplateView(ViewSetView):
    def get(self, request: HttpRequest) -> HttpResponseBase:
        if self.vs.importer is None or not may(request.user, self.vs.model, "import"):
            raise NotFound()
        target = temp_xlsx_path()
        importer = self.vs.importer(request.user, getattr(request.user, "node", None))
        importer.write_template(target, importer.sample())  # a sample row in the user's own area
        handle = open(target, "rb")  # noqa: SIM115
        os.unlink(target)
        name = f"{self.vs.basename()}-template.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name)


class ObjectImportView(ViewSetView):
    """Upload → dry run in the background → preview → apply (valid rows, or all or nothing)."""

    def check(self) -> None:
        if not may(self.request.user, self.vs.model, "import"):
            raise NotFound()

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check()
        return render(request, "core/object_import.html", self.context(form=self.make_form()))

    def context(self, **extra: Any) -> dict[str, Any]:
        assert self.vs.importer is not None
        importer = self.vs.importer(self.request.user, getattr(self.request.user, "node", None))
        return super().context(columns=importer.describe_columns(), **extra)

    def make_form(self, data: Any = None, files: Any = None) -> ImportForm:
        from django.conf import settings

        return ImportForm(data, files, max_bytes=settings.SHEQU_MAX_UPLOAD_BYTES)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check()
        form = self.make_form(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "core/object_import.html", self.context(form=form), status=400)
        job = start_import(request, self.vs, form.cleaned_data["file"])
        return HttpResponseRedirect(job.get_absolute_url())


def start_import(
    request: HttpRequest, viewset: ViewSet, upload: Any, *, dry_run: bool = True, mode: str = "valid"
) -> Job:
    from django.utils.translation import get_language

    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    suffix = Path(upload.name).suffix.lower()
    # Stored encrypted (it holds identity numbers); the worker reads a private decrypted copy.
    target = files.storage_dir("imports") / f"{viewset.basename()}-{request.user.pk}-{stamp}{suffix}{files.SUFFIX}"
    checksum = files.store_chunks(target, upload.chunks())
    user_node = getattr(request.user, "node", None)
    owner: Any = request.user
    job = Job.objects.create(
        kind="import",
        title=_("Import of %(what)s from %(file)s")
        % {"what": viewset.model._meta.verbose_name_plural, "file": upload.name},
        user=owner,
        node=user_node,
        path=getattr(user_node, "path", "") or "",
        params={
            "model": viewset.model._meta.label_lower,
            "path": str(target),
            "filename": upload.name,
            "sha256": checksum,
            "size": upload.size,
            "dry_run": dry_run,
            "mode": mode,
            "list_url": reverse(viewset.url_name("list")),
            "language": get_language(),
        },
    )
    return enqueue_job(job)
