"""Background jobs: a django-tasks task per job, progress written on the Job row."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

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
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started=timezone.now())
    handler = HANDLERS[job.kind]
    try:
        with override(job.params.get("language") or "zh-hans"):
            result = handler(job)
    except Exception as exc:
        from .exceptions import ActionError

        if isinstance(exc, ActionError):
            message = "；".join(exc.messages)
        else:
            logger.exception("job %s failed", job.pk)
            message = _("The job failed unexpectedly; the administrators can find the details in the log.")
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=message, finished=timezone.now())
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result=result, finished=timezone.now())


def enqueue_job(job: Job) -> Job:
    """Queue *job* once the surrounding transaction commits."""

    def _go() -> None:
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(_go)
    return job


@job_handler("import")
def import_handler(job: Job) -> dict[str, Any]:
    from pathlib import Path

    from .registry import IMPORTERS

    params = job.params
    importer_cls = IMPORTERS[params["model"]]
    importer = importer_cls(job.user, job.node)
    report = str(Path(params["path"]).with_suffix(".rejected.xlsx"))
    result = importer.run(
        params["path"],
        params["filename"],
        dry_run=params.get("dry_run", True),
        mode=params.get("mode", "valid"),
        progress=lambda done, total: job.progress(done, total),
        report_path=report,
    )
    return result.as_dict()
