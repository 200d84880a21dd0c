"""Background jobs whose process dies: who runs a job, its heartbeat, finding the interrupted ones, running
them again.

A running job records the process that runs it (``process_token``: host, pid and the start time of the
process, so that a reused pid is not mistaken for it) and keeps a heartbeat.  It is *gone* when its process
no longer exists on this host, or, when it runs on another host, when its heartbeat is older than
``SHEQU_JOB_STALE_SECONDS``.  A gone job is marked interrupted (``refresh``: by the job pages and the API as
they show it; ``reap``: by ``shequ tick`` and when ``shequ serve`` starts), and its django-tasks row, which
would say RUNNING forever, is failed; a task that a worker claimed but died before starting its job is put
back in the queue.  ``do_rerun`` runs the same file again: the importers upsert, so a second run writes
only what the first did not.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import ActionError, NotFound
from .models import Job

logger = logging.getLogger(__name__)

# How often a job's progress, when it changed, is written by its heartbeat thread.
PROGRESS_EVERY = 1.0  # seconds


def heartbeat_seconds() -> float:
    return float(getattr(settings, "SHEQU_JOB_HEARTBEAT_SECONDS", 15))


def stale_seconds() -> float:
    return float(getattr(settings, "SHEQU_JOB_STALE_SECONDS", 120))


# -- processes --------------------------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks after boot) of process *pid* from /proc; None when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[-1].split()  # after "pid (command)": state is field 3, starttime field 22
    if len(fields) < 20:
        return None
    return fields[0], fields[19]


def process_token(pid: int | None = None) -> str:
    """``host:pid:start`` of this process (or of *pid*)."""
    pid = pid or os.getpid()
    stat = _proc_stat(pid)
    return f"{socket.gethostname()}:{pid}:{stat[1] if stat else ''}"


def process_alive(token: str) -> bool | None:
    """Whether the process of *token* still runs: True or False on this host, None when it ran on another host
    (or the token says nothing)."""
    try:
        host, pid_text, start = token.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname() or pid <= 0:
        return None
    stat = _proc_stat(pid)
    if stat is None:
        if Path("/proc/self/stat").exists():
            return False
        try:  # no /proc (BSD, macOS): ask the kernel
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    state, started = stat
    if state in ("Z", "X"):  # dead, only not yet reaped by its parent
        return False
    return not start or started == start


# -- heartbeat --------------------------------------------------------------------------------------------------

_beats: dict[int, _Heartbeat] = {}


class _Heartbeat(threading.Thread):
    """Writes a running job's heartbeat every few seconds, and its progress within a second of a change, on a
    connection of its own: outside the job's transaction (an all-or-nothing import is one), so both are seen
    at once by the job page."""

    def __init__(self, job_id: int, every: float) -> None:
        super().__init__(name=f"shequ-job-{job_id}", daemon=True)
        self.job_id, self.every = job_id, every
        self.pending: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def post(self, fields: dict[str, Any]) -> None:
        with self.lock:
            self.pending.update(fields)

    def take(self) -> dict[str, Any]:
        with self.lock:
            fields, self.pending = self.pending, {}
        return fields

    def run(self) -> None:
        last = time.monotonic()
        try:
            while not self.stopped.wait(min(PROGRESS_EVERY, self.every)):
                fields = self.take()
                if not fields and time.monotonic() - last < self.every:
                    continue
                try:
                    Job.objects.filter(pk=self.job_id).update(**fields, heartbeat=timezone.now())
                    last = time.monotonic()
                except DatabaseError:  # the database is busy (SQLite: the job's own transaction): next time
                    self.post({**fields, **self.take()})
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> dict[str, Any]:
        """Stop; what it had not written yet."""
        self.stopped.set()
        self.join()
        return self.take()


def record_progress(job_id: int, fields: dict[str, Any]) -> None:
    """A job's progress (``Job.progress``): through its heartbeat when one runs here, else written at once."""
    beat = _beats.get(job_id)
    if beat is not None:
        beat.post(fields)
        return
    Job.objects.filter(pk=job_id).update(**fields, heartbeat=timezone.now())


@contextmanager
def running(job: Job) -> Iterator[Job]:
    """Run *job* in this process: record the process and keep the heartbeat while inside."""
    now = timezone.now()
    job.process, job.heartbeat = process_token(), now
    Job.objects.filter(pk=job.pk).update(process=job.process, heartbeat=now)
    every = heartbeat_seconds()
    beat = _Heartbeat(job.pk, every) if every > 0 else None
    if beat is not None:
        _beats[job.pk] = beat
        beat.start()
    try:
        yield job
    finally:
        if beat is not None:
            _beats.pop(job.pk, None)
            left = beat.stop()
            if left:
                Job.objects.filter(pk=job.pk).update(**left, heartbeat=timezone.now())


# -- finding the interrupted ones -------------------------------------------------------------------------------


def is_gone(job: Job, now: datetime | None = None) -> bool:
    """Whether *job* says it runs but its process is gone."""
    if job.status != Job.Status.RUNNING:
        return False
    alive = process_alive(job.process)
    if alive is not None:
        return not alive
    last = job.heartbeat or job.started or job.created
    return last < (now or timezone.now()) - timedelta(seconds=stale_seconds())


def refresh(jobs: Iterable[Job], *, settle: bool = True) -> list[Job]:
    """Mark those of *jobs* whose process is gone as interrupted (in the database and on the objects), and
    fail their worker's task rows (unless *settle* is false)."""
    now = timezone.now()
    marked = [job for job in jobs if is_gone(job, now) and mark_interrupted(job, now)]
    if marked and settle:
        _settle_tasks([job.pk for job in marked])
    return marked


def mark_interrupted(job: Job, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    # Only if nothing changed meanwhile (the job finished, or another process took it up).
    changed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, process=job.process).update(
        status=Job.Status.INTERRUPTED, finished=now
    )
    if changed:
        job.status, job.finished = Job.Status.INTERRUPTED, now
        logger.warning("job %s interrupted: its process %s is gone", job.pk, job.process or "(unknown)")
    return bool(changed)


class JobInterrupted(Exception):
    """What a worker's task row records when the process running it died."""


def _task_rows() -> Any:
    """django-tasks' database rows of ``run_job`` (None when that backend is not installed)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return None
    from .tasks import run_job

    return DBTaskResult.objects.filter(task_path=run_job.module_path)


def _job_of(row: Any) -> int | None:
    args = (row.args_kwargs or {}).get("args") or []
    return args[0] if args and isinstance(args[0], int) else None


def _settle_tasks(job_ids: list[int] | None = None) -> dict[str, int]:
    """The task rows that say RUNNING while their job is over (failed, or successful) or never began and the
    claim is stale (put back in the queue: the worker takes it up again)."""
    from django_tasks_db.compat import TaskResultStatus

    rows = _task_rows()
    counts = {"failed": 0, "requeued": 0, "succeeded": 0}
    if rows is None:
        return counts
    found = [(r, _job_of(r)) for r in rows.filter(status=TaskResultStatus.RUNNING)]
    if job_ids is not None:
        found = [(r, j) for r, j in found if j in job_ids]
    if not found:
        return counts
    jobs = Job.objects.in_bulk([j for _r, j in found if j is not None])
    now = timezone.now()
    stale = now - timedelta(seconds=stale_seconds())
    for row, job_id in found:
        job = jobs.get(job_id) if job_id is not None else None
        same = type(row).objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING)
        if job is None or job.status in (Job.Status.FAILED, Job.Status.INTERRUPTED):
            counts["failed"] += same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{JobInterrupted.__module__}.{JobInterrupted.__qualname__}",
                traceback="The process running this task ended before the task did.",
            )
        elif job.status == Job.Status.DONE:
            counts["succeeded"] += same.update(status=TaskResultStatus.SUCCESSFUL, finished_at=now)
        elif job.status == Job.Status.QUEUED and row.started_at is not None and row.started_at < stale:
            counts["requeued"] += same.update(status=TaskResultStatus.READY, started_at=None)
    return counts


def reap() -> dict[str, int]:
    """Every running job whose process is gone is interrupted; the worker's rows of tasks it abandoned are
    settled (``shequ tick``, and ``shequ serve`` as it starts its worker)."""
    marked = refresh(Job.objects.filter(status=Job.Status.RUNNING), settle=False)
    counts = _settle_tasks()
    return {"interrupted": len(marked), **counts}


# -- running the same file again ------------------------------------------------------------------------------


def rerun_command(job: Job) -> str:
    """The shell command that runs *job*'s import again (for imports started with ``shequ import``)."""
    from .importing import COMMAND_NAMES

    params = job.params or {}
    kind = next((name for name, label in COMMAND_NAMES.items() if label == params.get("model")), "KIND")
    parts = ["shequ", "import", kind, params.get("filename") or "FILE"]
    if job.node is not None and job.node.code:
        parts += ["--node", job.node.code]
    if params.get("dry_run"):
        parts.append("--dry-run")
    parts += ["--mode", params.get("mode") or "valid", "--user", job.user.get_username()]
    return " ".join(parts)


def may_rerun(user: Any, job: Job) -> bool:
    from shequ.accounts.scope import can

    return (
        job.kind == "import"
        and job.status == Job.Status.INTERRUPTED
        and job.user_id == user.pk
        and not (job.params or {}).get("command")
        and not (job.params or {}).get("rerun_job")  # once is enough: the new run's page takes over
        and can(user, (job.params or {}).get("model", ""), "import")
    )


def do_rerun(job: Job, *, acting_user: Any) -> Job:
    """Run an interrupted import of *acting_user*'s again, with the same stored file, mode and place."""
    from .tasks import enqueue_job

    if not may_rerun(acting_user, job):
        if job.user_id == acting_user.pk and (job.params or {}).get("command") and job.interrupted:
            raise ActionError(
                _("This import was started on the command line: run the same command again."), code="command_import"
            )
        raise NotFound()
    stored = Path(job.params.get("path") or "")
    if not stored.is_file():
        raise ActionError(
            _("The uploaded file is no longer kept: upload it again on the import page."), code="file_gone"
        )
    with transaction.atomic():
        again = Job.objects.create(
            kind=job.kind,
            title=job.title,
            user=acting_user,
            node=job.node,
            path=job.path,
            params={**job.params, "rerun_of": job.pk},
        )
        Job.objects.filter(pk=job.pk).update(params={**job.params, "rerun_job": again.pk})
        enqueue_job(again)
    return again
