"""Jobs whose process dies (issue 10, 4a): the import killed half-way for real, what the job page then says, the
worker's abandoned rows, running the same file again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from shequ.core import jobs
from shequ.core.models import AuditEntry, Job
from shequ.core.tasks import run_job
from shequ.core.testing import World, WorldTestCase, shared_database, xlsx_bytes
from shequ.people.models import Household, Resident
from shequ.people.tests.helpers import make_id

ROWS = 12
CHUNK = 5
COMMUNITY = "990101001001"  # 和平社区 of the World
WATCHDOG_SECONDS = 180


def residents_file(folder: str, rows: int = ROWS) -> Path:
    body = [["姓名", "身份证号", "地区编码", "地址"]]
    body += [[f"居民{i}", make_id(seq=i), COMMUNITY, "第1网格"] for i in range(rows)]
    path = Path(folder) / "residents.xlsx"
    path.write_bytes(xlsx_bytes(body))
    return path


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


class KilledHalfWay:
    """A ``shequ`` command run in another process on the test's database, stopped at a chunk boundary of its
    import (``SHEQU_IMPORT_PAUSE_AFTER_CHUNKS``) and killed there with SIGKILL: no sleeps, no timing."""

    def __init__(self, args: list[str], database_url: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}  # a real process: heartbeat thread on
        env.update(
            DATABASE_URL=database_url,
            SHEQU_IMPORT_CHUNK_ROWS=str(CHUNK),
            SHEQU_IMPORT_COMMIT_ROWS="0",  # every chunk commits, on SQLite too: killed after the first, it is kept
            SHEQU_IMPORT_PAUSE_AFTER_CHUNKS="1",
            SHEQU_LOG_LEVEL="WARNING",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shequ", *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for_pause(self) -> str:
        import threading

        seen = []
        assert self.process.stderr is not None
        # A safety net, not a clock: a process stuck before its first chunk is killed, and the test fails.
        watchdog = threading.Timer(WATCHDOG_SECONDS, self.process.kill)
        watchdog.start()
        try:
            for line in self.process.stderr:
                if line.startswith("shequ-import-paused"):
                    return line
                seen.append(line)
        finally:
            watchdog.cancel()
        raise AssertionError("the import never reached its first chunk:\n" + "".join(seen[-40:]))

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stderr):
            if stream is not None:
                stream.close()


class KilledImportTests(TransactionTestCase):
    """``shequ import residents FILE --mode valid`` (or the worker) killed after its first chunk of five rows."""

    def setUp(self) -> None:
        self.world = World()
        self.folder = tempfile.mkdtemp(prefix="shequ-killed-")
        self.file = residents_file(self.folder)

    def tearDown(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)

    def kill_command_import(self, mode: str) -> Job:
        with shared_database() as url:
            run = KilledHalfWay(["import", "residents", str(self.file), "--mode", mode], url)
            try:
                paused = run.wait_for_pause()
            finally:
                run.kill()
        job = Job.objects.get(params__command=True)
        self.assertIn(f"job={job.pk}", paused)
        return job

    def page(self, job: Job, user: Any = None) -> str:
        self.client.force_login(user or self.world.admin)
        response = self.client.get(job.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_valid_rows_killed_half_way_says_what_it_wrote_and_the_same_file_again_writes_the_rest(self) -> None:
        job = self.kill_command_import("valid")
        # What the issue saw: the first chunk committed, the job "running" (until someone looks).
        self.assertEqual(Resident.objects.count(), CHUNK)
        self.assertEqual(job.status, Job.Status.RUNNING)
        self.assertEqual((job.done, job.total), (CHUNK, ROWS))
        self.assertEqual((job.result["created"], job.result["partial"]), (CHUNK, True))
        self.assertIs(jobs.process_alive(job.process), False)
        html = self.page(job)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.INTERRUPTED)
        self.assertIn("已中断", html)
        self.assertIn(f"已核对 {CHUNK} 行（共 {ROWS} 行）", html)
        self.assertIn(f"新增 {CHUNK}", html)
        # Started on the command line: the page gives the command, not a button the web cannot honour.
        self.assertIn("shequ import residents residents.xlsx --mode valid --user root", html)
        self.assertNotIn('data-testid="rerun"', html)
        # The same file again: only the rest is written.
        out = StringIO()
        call_command("import", "residents", str(self.file), "--mode", "valid", stdout=out)
        summary = json.loads(out.getvalue())
        self.assertEqual((summary["created"], summary["unchanged"], summary["rejected"]), (ROWS - CHUNK, CHUNK, 0))
        self.assertEqual(Resident.objects.count(), ROWS)
        self.assertEqual(Job.objects.filter(status=Job.Status.DONE, params__command=True).count(), 1)

    def test_all_or_nothing_killed_half_way_leaves_nothing_behind(self) -> None:
        job = self.kill_command_import("all")
        self.assertEqual(
            (Resident.objects.count(), Household.objects.count()),
            (0, 0),
            "an all-or-nothing import that never finished left rows",
        )
        self.assertFalse(AuditEntry.objects.filter(additional_data__event="import").exists())
        html = self.page(job)
        self.assertIn("没有写入任何数据", html)
        self.assertEqual(Job.objects.get(pk=job.pk).status, Job.Status.INTERRUPTED)

    def test_a_killed_worker_leaves_an_interrupted_job_the_owner_runs_again(self) -> None:
        officer = self.world.officer_a
        self.client.force_login(officer)
        # The preview, as the import page makes it (run at once here).
        with open(self.file, "rb") as fh:
            response = self.client.post(reverse("people:resident_import"), {"file": fh})
        self.assertEqual(response.status_code, 302)
        preview = Job.objects.get()
        self.assertEqual(preview.status, Job.Status.DONE)
        # Applying it goes to the worker's queue, as in production (a django-tasks database row).
        job = Job.objects.create(
            kind="import",
            title=preview.title,
            user=officer,
            node=preview.node,
            path=preview.path,
            params=dict(preview.params, dry_run=False, mode="valid"),
        )
        task = DBTaskResult.objects.create(
            args_kwargs={"args": [job.pk], "kwargs": {}},
            task_path=run_job.module_path,
            backend_name="default",
            run_after=get_date_max(),
        )
        Job.objects.filter(pk=job.pk).update(task_id=str(task.pk))
        with shared_database() as url:
            run = KilledHalfWay(["db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"], url)
            try:
                run.wait_for_pause()
            finally:
                run.kill()
        job.refresh_from_db()
        task.refresh_from_db()
        self.assertEqual((job.status, task.status), (Job.Status.RUNNING, TaskResultStatus.RUNNING))
        self.assertEqual(Resident.objects.count(), CHUNK)
        # The periodic work (`shequ tick`, and `shequ serve` as it starts) finds it.
        out = StringIO()
        call_command("tick", stdout=out)
        self.assertEqual(json.loads(out.getvalue())["jobs"]["interrupted"], 1)
        job.refresh_from_db()
        task.refresh_from_db()
        self.assertEqual((job.status, task.status), (Job.Status.INTERRUPTED, TaskResultStatus.FAILED))
        # Another user of the same area sees the job but may not run it again.
        self.assertNotIn('data-testid="rerun"', self.page(job, self.world.admin))
        self.assertEqual(self.client.post(reverse("core:job_rerun", args=[job.pk])).status_code, 404)
        html = self.page(job, officer)
        self.assertIn('data-testid="rerun"', html)
        response = self.client.post(reverse("core:job_rerun", args=[job.pk]))
        self.assertEqual(response.status_code, 302)
        again = Job.objects.get(params__rerun_of=job.pk)
        self.assertEqual(again.status, Job.Status.DONE, again.message)
        self.assertEqual((again.result["created"], again.result["unchanged"]), (ROWS - CHUNK, CHUNK))
        self.assertEqual(Resident.objects.count(), ROWS)
        # Once run again, the page leads to the new run instead of offering it twice.
        html = self.page(job, officer)
        self.assertNotIn('data-testid="rerun"', html)
        self.assertIn(again.get_absolute_url(), html)
        self.assertEqual(self.client.post(reverse("core:job_rerun", args=[job.pk])).status_code, 404)


class CommitTests(TransactionTestCase):
    """A valid-rows import commits at the end of the chunk that brings its open transaction to
    ``SHEQU_IMPORT_COMMIT_ROWS`` rows; an error rolls back only the open transaction, and the job's counts
    are those of what was committed."""

    def setUp(self) -> None:
        import shutil

        self.world = World()
        folder = tempfile.mkdtemp(prefix="shequ-commits-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.file = residents_file(folder)  # 12 rows: chunks of 5, 5 and 2

    def run_import(self, commit_rows: int | None, fail_in_chunk: int = 0) -> tuple[list[int], Job]:
        """The residents in the database at each commit of the import's transactions; the job."""
        from unittest import mock

        from django.db import connection

        from shequ.people.importers import ResidentImporter

        class Failing(ResidentImporter):
            chunk_size = CHUNK
            chunks = 0

            def apply(self, rows: Any, result: Any) -> None:
                Failing.chunks += 1
                super().apply(rows, result)
                if Failing.chunks == fail_in_chunk:
                    raise RuntimeError("the disk is full")

        at_commits: list[int] = []
        commit = connection.commit

        def counted() -> None:
            at_commits.append(Resident.objects.count())  # (writes outside a transaction commit by themselves)
            commit()

        importer = Failing(self.world.admin)
        with self.settings(SHEQU_IMPORT_COMMIT_ROWS=commit_rows), mock.patch.object(connection, "commit", counted):
            try:
                importer.run(str(self.file), self.file.name, dry_run=False, mode="valid")
            except RuntimeError:
                self.assertTrue(fail_in_chunk)
        job = Job.objects.get(pk=importer.job.pk)
        return at_commits, job

    def test_commits_every_so_many_rows_at_a_chunks_end(self) -> None:
        for commit_rows, commits in ((0, [5, 10, 12]), (CHUNK, [5, 10, 12]), (6, [10, 12]), (10, [10, 12]), (11, [12])):
            with self.subTest(commit_rows=commit_rows):
                Resident.objects.all().delete()
                Household.objects.all().delete()
                at_commits, job = self.run_import(commit_rows)
                self.assertEqual(at_commits, commits)
                self.assertEqual((job.status, job.result["created"]), (Job.Status.DONE, ROWS))

    def test_by_default_sqlite_commits_in_large_transactions_and_postgresql_every_chunk(self) -> None:
        from django.db import connection

        at_commits, _job = self.run_import(None)
        self.assertEqual(at_commits, [12] if connection.vendor == "sqlite" else [5, 10, 12])

    def test_an_error_rolls_back_the_open_transaction_only(self) -> None:
        at_commits, job = self.run_import(6, fail_in_chunk=3)
        self.assertEqual(at_commits, [10])
        self.assertEqual(Resident.objects.count(), 10)
        self.assertEqual((job.status, job.done), (Job.Status.FAILED, 10))  # the checkpoint of chunk 2, committed
        self.assertEqual(job.result["created"], 10)


class ProcessTests(WorldTestCase):
    def test_this_process_a_dead_one_a_reused_pid_and_another_host(self) -> None:
        me = jobs.process_token()
        self.assertIs(jobs.process_alive(me), True)
        host, pid, start = me.rsplit(":", 2)
        self.assertIs(jobs.process_alive(f"{host}:{dead_pid()}:{start}"), False)
        if start:  # the same pid, started at another time: not the same process
            self.assertIs(jobs.process_alive(f"{host}:{pid}:{int(start) + 1}"), False)
        self.assertIsNone(jobs.process_alive(f"elsewhere-{socket.gethostname()}:{pid}:{start}"))
        self.assertIsNone(jobs.process_alive(""))
        self.assertIsNone(jobs.process_alive("nonsense"))

    def job(self, **fields: Any) -> Job:
        fields.setdefault("status", Job.Status.RUNNING)
        return Job.objects.create(kind="import", title="t", user=self.world.officer_a, **fields)

    def test_gone_by_pid_here_and_by_heartbeat_elsewhere(self) -> None:
        now = timezone.now()
        here = self.job(process=jobs.process_token(), heartbeat=now - timedelta(days=1))
        dead = self.job(process=f"{socket.gethostname()}:{dead_pid()}:", heartbeat=now)
        far_fresh = self.job(process="elsewhere:1:1", heartbeat=now - timedelta(seconds=10))
        far_stale = self.job(process="elsewhere:1:1", heartbeat=now - timedelta(hours=1))
        old = self.job(started=now - timedelta(hours=1))  # from before heartbeats: nothing but its start
        done = self.job(status=Job.Status.DONE, process=f"{socket.gethostname()}:{dead_pid()}:")
        with override_settings(SHEQU_JOB_STALE_SECONDS=120):
            marked = {j.pk for j in jobs.refresh(Job.objects.all())}
        self.assertEqual(marked, {dead.pk, far_stale.pk, old.pk})
        statuses = dict(Job.objects.values_list("pk", "status"))
        self.assertEqual(statuses[here.pk], Job.Status.RUNNING)
        self.assertEqual(statuses[far_fresh.pk], Job.Status.RUNNING)
        self.assertEqual(statuses[done.pk], Job.Status.DONE)

    def test_the_worker_rows_of_abandoned_tasks_are_settled(self) -> None:
        long_ago = timezone.now() - timedelta(hours=1)

        def task(job: Job, started: Any = long_ago) -> DBTaskResult:
            return DBTaskResult.objects.create(
                status=TaskResultStatus.RUNNING,
                started_at=started,
                args_kwargs={"args": [job.pk], "kwargs": {}},
                task_path=run_job.module_path,
                backend_name="default",
                run_after=get_date_max(),
            )

        claimed = task(self.job(status=Job.Status.QUEUED))  # the worker died between its claim and the job
        just_claimed = task(self.job(status=Job.Status.QUEUED), started=timezone.now())
        finished = task(self.job(status=Job.Status.DONE))  # died between the job's end and the row's
        killed = task(self.job(process=f"{socket.gethostname()}:{dead_pid()}:"))
        alive = task(self.job(process=jobs.process_token()))
        self.assertEqual(jobs.reap(), {"interrupted": 1, "failed": 1, "requeued": 1, "succeeded": 1})
        status = dict(DBTaskResult.objects.values_list("pk", "status"))
        self.assertEqual(status[claimed.pk], TaskResultStatus.READY)  # the worker takes it up again
        self.assertEqual(status[just_claimed.pk], TaskResultStatus.RUNNING)
        self.assertEqual(status[finished.pk], TaskResultStatus.SUCCESSFUL)
        self.assertEqual(status[killed.pk], TaskResultStatus.FAILED)
        self.assertEqual(status[alive.pk], TaskResultStatus.RUNNING)


class InterruptedPageTests(WorldTestCase):
    def interrupted(self, user: Any = None, **params: Any) -> Job:
        return Job.objects.create(
            kind="import",
            title="居民 ← a.xlsx",
            user=user or self.world.officer_a,
            node=self.world.street_a,
            path=self.world.street_a.path,
            status=Job.Status.RUNNING,
            process=f"{socket.gethostname()}:{dead_pid()}:",
            params={"model": "people.resident", "filename": "a.xlsx", "path": "/nonexistent", **params},
        )

    def test_the_list_and_the_api_say_interrupted_too(self) -> None:
        job = self.interrupted(dry_run=False, mode="valid")
        self.client.force_login(self.world.officer_a)
        html = self.client.get(reverse("core:job_list")).content.decode()
        table = html[html.index("<table") :]
        self.assertIn("已中断", table)  # in the table, not only among the filter's choices
        self.assertNotIn(">interrupted<", table)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.INTERRUPTED)
        other = self.interrupted(dry_run=False, mode="valid")
        from shequ.accounts.models import APIToken

        _t, key = APIToken.issue(self.world.officer_a)
        auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        response = self.client.get(f"/api/v1/jobs/{other.pk}", **auth)
        self.assertEqual(response.json()["status"], "interrupted")
        # The stored upload is gone: running it again says so, and nothing is queued.
        response = self.client.post(f"/api/v1/jobs/{other.pk}/rerun", **auth)
        self.assertEqual((response.status_code, response.json()["code"]), (400, "file_gone"))
        self.assertEqual(Job.objects.count(), 2)
        _t, theirs = APIToken.issue(self.world.officer_b)
        response = self.client.post(f"/api/v1/jobs/{other.pk}/rerun", HTTP_AUTHORIZATION=f"Bearer {theirs}")
        self.assertEqual(response.status_code, 404)

    def test_a_preview_and_an_upload_no_longer_kept(self) -> None:
        job = self.interrupted(dry_run=True, mode="valid")
        self.client.force_login(self.world.officer_a)
        html = self.client.get(job.get_absolute_url()).content.decode()
        self.assertIn("预览", html)
        self.assertIn('data-testid="rerun"', html)
        response = self.client.post(reverse("core:job_rerun", args=[job.pk]))
        self.assertEqual(response.status_code, 400)
        self.assertIn("上传的文件已不再保存", response.content.decode())
        self.assertEqual(Job.objects.count(), 1)

    def test_only_interrupted_imports_of_ones_own_run_again(self) -> None:
        self.client.force_login(self.world.officer_a)
        running = Job.objects.create(
            kind="import", title="t", user=self.world.officer_a, status=Job.Status.RUNNING, process=jobs.process_token()
        )
        self.assertEqual(self.client.post(reverse("core:job_rerun", args=[running.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("core:job_rerun", args=["9x'"])).status_code, 404)
        self.assertEqual(self.client.get(reverse("core:job_rerun", args=[running.pk])).status_code, 405)


class HeartbeatTests(TransactionTestCase):
    """The heartbeat thread writes a running job's progress on its own connection, within a second."""

    def test_progress_and_heartbeat_from_the_thread(self) -> None:
        import time

        world = World()
        job = Job.objects.create(kind="import", title="t", user=world.officer_a, status=Job.Status.RUNNING)
        with override_settings(SHEQU_JOB_HEARTBEAT_SECONDS=0.2), jobs.running(job):
            self.assertIn(job.pk, jobs._beats)
            job.progress(3, 10)
            deadline = time.monotonic() + 30
            while Job.objects.get(pk=job.pk).done != 3:  # polled, not slept on: written by the thread
                self.assertLess(time.monotonic(), deadline, "the heartbeat never wrote the progress")
                time.sleep(0.05)
            first = Job.objects.get(pk=job.pk).heartbeat
            while Job.objects.get(pk=job.pk).heartbeat == first:
                self.assertLess(time.monotonic(), deadline, "no second heartbeat")
                time.sleep(0.05)
            job.progress(7, 10)
        self.assertNotIn(job.pk, jobs._beats)
        stored = Job.objects.get(pk=job.pk)
        self.assertEqual((stored.done, stored.total), (7, 10))  # what the thread had not written yet, flushed
        self.assertEqual(stored.process, jobs.process_token())


class RegistryTests(SimpleTestCase):
    def test_a_process_that_served_no_page_knows_every_view_set(self) -> None:
        """The worker started with ``--skip-checks`` (nothing imported the URLs) still finds the view set of an
        export and the importer of an import."""
        code = (
            "import django; django.setup()\n"
            "from shequ.core.registry import importers, viewsets\n"
            "print(len(viewsets()), 'people.resident' in viewsets(), 'people.resident' in importers())\n"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shequ.settings"}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        count, has_viewset, has_importer = done.stdout.split()
        self.assertGreater(int(count), 20)
        self.assertEqual((has_viewset, has_importer), ("True", "True"))
