"""Background jobs: a django-tasks task per job, progress written on the Job row."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from . import files
from .models import Job

logger = logging.getLogger(__name__)
HANDLERS: dict[str, Callable[[Job], dict[str, Any]]] = {}


def job_handler(kind: str) -> Callable[[Callable[[Job], dict[str, Any]]], Callable[[Job], dict[str, Any]]]:
    def register(func: Callable[[Job], dict[str, Any]]) -> Callable[[Job], dict[str, Any]]:
        HANDLERS[kind] = func
        return func

    return register


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.select_related("user", "node").get(pk=job_id)
    if job.status not in (Job.Status.QUEUED,):
        return
    from .jobs import running

    if not Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started=timezone.now()
    ):
        return  # another worker took it meanwhile
    job.status = Job.Status.RUNNING
    handler = HANDLERS[job.kind]
    try:
        with override(job.params.get("language") or "zh-hans"), running(job):
            result = handler(job)
    except Exception as exc:
        from .exceptions import ActionError

        if isinstance(exc, ActionError):
            message = "；".join(exc.messages)
        else:
            logger.exception("job %s failed", job.pk)
            message = _("The job failed unexpectedly; the administrators can find the details in the log.")
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=message, finished=timezone.now())
        purge_files_now_and_then()
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result=result, finished=timezone.now())
    purge_files_now_and_then()


PURGE_EVERY = 3600.0  # seconds
_last_purge = 0.0


def purge_files_now_and_then() -> None:
    """Delete stored files past their retention, at most once an hour per worker (there is no scheduler:
    the worker runs this after its jobs; ``shequ purge_files`` does it on demand or from cron)."""
    global _last_purge
    import time

    if time.monotonic() - _last_purge < PURGE_EVERY and _last_purge:
        return
    _last_purge = time.monotonic()
    try:
        files.purge()
    except Exception:
        logger.exception("purging stored files failed")


def enqueue_job(job: Job) -> Job:
    """Queue *job* once the surrounding transaction commits."""

    def _go() -> None:
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(_go)
    return job


@job_handler("import")
def import_handler(job: Job) -> dict[str, Any]:
    from .registry import importers

    params = job.params
    importer_cls = importers()[params["model"]]
    importer = importer_cls(job.user, job.node, job=job)  # this job is the import's batch record
    # The upload is stored encrypted: the importer reads a private decrypted copy, writes the rejected
    # rows to a private temporary file, and the report is stored encrypted beside the upload.
    stored = Path(params["path"])
    with (
        files.decrypted_copy(stored, Path(params["filename"]).suffix.lower()) as plain,
        files.private_path(".xlsx") as report,
    ):
        result = importer.run(
            str(plain),
            params["filename"],
            dry_run=params.get("dry_run", True),
            mode=params.get("mode", "valid"),
            progress=lambda done, total: job.progress(done, total),
            report_path=str(report),
        )
        if result.report:
            target = report_path_for(stored)
            files.encrypt_file(report, target)
            result.report = str(target)
    return result.as_dict()


def report_path_for(upload: Path) -> Path:
    """Where the rejected rows of an import of the stored *upload* are kept (encrypted)."""
    name = upload.name.removesuffix(files.SUFFIX)
    return upload.with_name(f"{Path(name).stem}.rejected.xlsx{files.SUFFIX}")
