"""Exports of a list: small ones answered at once, large ones written by the background worker.

A list of up to ``SHEQU_EXPORT_SYNC_ROWS`` rows (10,000) is streamed in the response, as before.  Beyond that the
request would outlive the proxy's timeout (a city's residents are a million rows), so the export becomes a job:
the worker rebuilds the same filtered list for the same user (``restrict(user, "export")`` again, at run time),
writes it with the progress on the job page, stores the file encrypted, and the page offers the download to the
user who asked for it — nobody else, since what it holds is what *their* role may see.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import files
from .models import Job
from .spreadsheets import XlsxWriter, temp_xlsx_path, write_csv_rows
from .tasks import enqueue_job, job_handler

FORMATS = ("xlsx", "csv")
PROGRESS_EVERY = 2000
CHUNK = 2000  # rows read (and prepared) at a time


def sync_limit() -> int:
    return int(getattr(settings, "SHEQU_EXPORT_SYNC_ROWS", 10_000))


def export_format(request: HttpRequest) -> str:
    return "csv" if request.GET.get("format") == "csv" else "xlsx"


def is_large(qs: Any) -> bool:
    """More rows than an answer at once may carry (a bounded count: it stops at the limit)."""
    limit = sync_limit()
    return qs.order_by()[: limit + 1].count() > limit


def export_rows(viewset: Any, qs: Any) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The headers of *viewset*'s export columns, and the rows of *qs* under them (as ``export_queryset``
    reads them), a chunk at a time, each chunk handed to ``viewset.prepare_export`` first (what the columns
    read of other tables, loaded in one query per chunk): memory stays flat however long the list."""
    columns = viewset.export_columns()
    getters = [get for _h, get in columns]
    qs = viewset.export_queryset(qs)

    def rows() -> Iterator[tuple[Any, ...]]:
        for chunk in _chunks(qs.iterator(chunk_size=CHUNK), CHUNK):
            viewset.prepare_export(chunk)
            for obj in chunk:
                yield tuple([get(obj) for get in getters])

    return [h for h, _g in columns], rows()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def filename(viewset: Any, fmt: str) -> str:
    return f"{viewset.basename()}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"


def _chain(*iterables: Iterable[Any]) -> Iterator[Any]:
    for iterable in iterables:
        yield from iterable


def respond(viewset: Any, qs: Any, fmt: str) -> HttpResponseBase:
    """The export in the response (a list small enough to be written while the user waits)."""
    headers, rows = export_rows(viewset, qs)
    name = filename(viewset, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _chain(write_csv_rows([tuple(headers)]), write_csv_rows(rows, bom=False)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    target = temp_xlsx_path()  # private (0600), and deleted even if writing fails half-way
    try:
        writer = XlsxWriter(target, str(viewset.model._meta.verbose_name_plural))
        writer.header(headers)
        for row in rows:
            writer.write(row)
        writer.close()
        handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    finally:
        os.unlink(target)
    return FileResponse(handle, as_attachment=True, filename=name)


def start(request: HttpRequest, viewset: Any, fmt: str) -> Job:
    """Queue the export of the list *request* asks for, as the worker will rebuild it."""
    node = getattr(request.user, "node", None)
    owner: Any = request.user
    job = Job.objects.create(
        kind="export",
        title=_("Export of %(what)s") % {"what": viewset.model._meta.verbose_name_plural},
        user=owner,
        node=node,
        path=getattr(node, "path", "") or "",
        params={
            "model": viewset.model._meta.label_lower,
            "url": request.path,
            "query": request.GET.urlencode(),
            "format": fmt,
            "language": get_language(),
        },
    )
    return enqueue_job(job)


@job_handler("export")
def export_handler(job: Job) -> dict[str, Any]:
    from shequ.accounts.scope import can

    from .exceptions import ActionError
    from .registry import viewsets
    from .views.generic import filtered_rows

    params = job.params
    viewset_cls = viewsets()[params["model"]]
    if not can(job.user, viewset_cls.model, "export"):  # the right may have been withdrawn meanwhile
        raise ActionError(_("You may no longer export this list."))
    request = RequestFactory().get(params["url"], QueryDict(params.get("query", "")))
    request.user = job.user
    request.htmx = False  # type: ignore[attr-defined]
    viewset = viewset_cls(request)
    filterset = viewset.filtered("export")
    qs = filtered_rows(filterset)
    total = qs.count()
    job.progress(0, total)
    headers, rows = export_rows(viewset, qs)
    fmt = params.get("format", "xlsx")
    name = filename(viewset, fmt)
    target = files.storage_dir("exports") / f"{viewset.basename()}-{job.pk}.{fmt}{files.SUFFIX}"
    with files.private_path(f".{fmt}") as plain:
        if fmt == "csv":
            with open(plain, "w", encoding="utf-8", newline="") as out:
                for chunk in write_csv_rows([tuple(headers)]):
                    out.write(chunk)
                for chunk in write_csv_rows(_counted(rows, job, total), bom=False):
                    out.write(chunk)
        else:
            writer = XlsxWriter(plain, str(viewset.model._meta.verbose_name_plural))
            writer.header(headers)
            for row in _counted(rows, job, total):
                writer.write(row)
            writer.close()
        files.encrypt_file(plain, target)
    return {"file": str(target), "filename": name, "rows": job.done}


def _counted(rows: Iterator[tuple[Any, ...]], job: Job, total: int) -> Iterator[tuple[Any, ...]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            job.progress(done, max(total, done))
    job.progress(done, max(total, done))


def may_download(user: Any, job: Job) -> bool:
    """The export holds what its owner's role shows (numbers in full for some): theirs alone."""
    return job.kind == "export" and job.status == Job.Status.DONE and job.user_id == user.pk


def download(request: HttpRequest, job: Job) -> HttpResponseBase:
    from .exceptions import NotFound

    stored = (job.result or {}).get("file")
    if not stored or not may_download(request.user, job) or not files.is_stored(stored):
        raise NotFound()
    return files.download_response(stored, job.result.get("filename") or os.path.basename(stored))
