"""Identity numbers stay out of files at rest, URLs and logs, on the paths a user takes through the screens."""

from __future__ import annotations

import logging
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, override

from shequ.core import files
from shequ.core.models import Job
from shequ.core.testing import WorldTestCase, streamed, xlsx_rows
from shequ.people.models import Resident
from shequ.people.tests.helpers import id_number_shapes, make_id, resident

COMMUNITY_A, COMMUNITY_B = "990101001001", "990101002001"


def job_at(url: str) -> Job:
    match = re.fullmatch(r"/jobs/(\d+)/", url)
    assert match is not None, url
    return Job.objects.get(pk=int(match.group(1)))


class ImportFilesTests(WorldTestCase):
    """An import through the screens: the upload and the rejected-rows report are stored encrypted."""

    def setUp(self) -> None:
        self.good = make_id(date(1970, 5, 6), seq=601)
        self.rejected = make_id(date(1971, 7, 8), seq=602)  # valid, but of another street: rejected
        self.login(self.world.officer_a)

    def upload(self) -> Job:
        text = (
            f"姓名,身份证号,地区编码,地址\n文件甲,{self.good},{COMMUNITY_A},第1网格\n"
            f"文件乙,{self.rejected},{COMMUNITY_B},第1网格\n"
        )
        upload = SimpleUploadedFile("residents.csv", text.encode("utf-8"), content_type="text/csv")
        before = set(Path(tempfile.gettempdir()).glob(files.PLAIN_PREFIX + "*"))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/people/residents/import/", {"file": upload})
        self.assertEqual(response.status_code, 302)
        job = job_at(response["Location"])
        self.assertEqual(job.status, Job.Status.DONE, job.message)
        # No decrypted copy is left behind.
        self.assertEqual(set(Path(tempfile.gettempdir()).glob(files.PLAIN_PREFIX + "*")) - before, set())
        return job

    def apply(self, preview: Job) -> Job:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/jobs/{preview.pk}/apply/", {"mode": "valid"})
        return job_at(response["Location"])

    def assert_nothing_in_plaintext(self) -> None:
        stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
        self.assertTrue(stored)
        for path in stored:
            raw = path.read_bytes()
            self.assertTrue(raw.startswith(files.MAGIC), path.name)
            self.assertNotIn(b"PK\x03\x04", raw[:64], path.name)  # not a zip (xlsx) either
            for number in (self.good, self.rejected):
                self.assertNotIn(number.encode(), raw, path.name)
                self.assertNotIn(number.encode("utf-16-le"), raw, path.name)

    def test_upload_and_report_are_encrypted_and_the_report_downloads(self) -> None:
        preview = self.upload()
        self.assertEqual((preview.result["created"], preview.result["rejected"]), (1, 1), preview.result)
        upload = Path(preview.params["path"])
        report = Path(preview.result["report"])
        self.assertTrue(upload.name.endswith(files.SUFFIX) and report.name.endswith(files.SUFFIX))
        self.assertEqual(report.parent, upload.parent)
        self.assertNotIn(self.good, upload.name + report.name)
        self.assert_nothing_in_plaintext()
        # The upload decrypts to exactly what was sent; its recorded checksum is the plaintext's.
        import hashlib

        plain = b"".join(files.iter_plain(upload))
        self.assertIn(self.good.encode(), plain)
        self.assertEqual(preview.params["sha256"], hashlib.sha256(plain).hexdigest())
        # The download from the job page is a valid .xlsx with the rejected row and its reason.
        page = self.client.get(preview.get_absolute_url()).content.decode()
        self.assertIn(f"/jobs/{preview.pk}/report/", page)
        response = self.client.get(f"/jobs/{preview.pk}/report/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("spreadsheetml", response["Content-Type"])
        content = streamed(response)
        self.assertEqual(int(response["Content-Length"]), len(content))
        rows = xlsx_rows(content)
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][2], self.rejected)
        self.assertTrue(rows[1][-1])
        # Same permission checks as before: not for another street's officer, nor anonymous.
        self.login(self.world.officer_b)
        self.assertEqual(self.client.get(f"/jobs/{preview.pk}/report/").status_code, 404)
        self.login(None)
        self.assertEqual(self.client.get(f"/jobs/{preview.pk}/report/").status_code, 302)
        # Applying reads the same stored upload; everything stays encrypted.
        self.login(self.world.officer_a)
        applied = self.apply(preview)
        self.assertEqual(applied.status, Job.Status.DONE, applied.message)
        self.assertTrue(applied.result["applied"])
        self.assertTrue(Resident.objects.filter(name="文件甲").exists())
        self.assert_nothing_in_plaintext()
        self.assertEqual(self.client.get(f"/jobs/{applied.pk}/report/").status_code, 200, applied.result)

    def test_a_tampered_report_or_upload_gives_a_clear_error(self) -> None:
        preview = self.upload()
        report = Path(preview.result["report"])
        raw = bytearray(report.read_bytes())
        raw[-5] ^= 0x40
        report.write_bytes(bytes(raw))
        with override(preview.params["language"]):
            damaged = gettext(
                "The stored file was changed or damaged and cannot be opened; upload the spreadsheet again."
            )
            gone = gettext("The file is no longer kept (files are deleted after %(days)d days); upload it again.") % {
                "days": settings.SHEQU_FILE_RETENTION_DAYS
            }
        response = self.client.get(f"/jobs/{preview.pk}/report/", follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.redirect_chain[-1][0], preview.get_absolute_url())
        self.assertContains(response, damaged)
        # A changed upload: the import fails with the reason, nothing is written.
        upload = Path(preview.params["path"])
        upload.write_bytes(upload.read_bytes()[:-1])
        applied = self.apply(preview)
        self.assertEqual(applied.status, Job.Status.FAILED)
        self.assertEqual(applied.message, damaged)
        self.assertFalse(Resident.objects.filter(name="文件甲").exists())
        # A purged upload says so.
        upload.unlink()
        applied = self.apply(preview)
        self.assertEqual(applied.status, Job.Status.FAILED)
        self.assertEqual(applied.message, gone)
        report.unlink()
        self.assertEqual(self.client.get(f"/jobs/{preview.pk}/report/").status_code, 404)


class SearchURLTests(WorldTestCase):
    """A full identity number typed in a search box never appears in a URL, only its keyed hash."""

    def setUp(self) -> None:
        self.number = make_id(date(1988, 8, 8), "F", seq=611)
        self.mine = resident(self.world, self.world.grid_a, name="欧阳娜", id_number=self.number)
        self.theirs = resident(self.world, self.world.grid_b, name="欧阳丽", id_number=make_id(seq=612))
        self.login(self.world.officer_a)  # sees numbers masked

    def assert_no_number(self, text: str) -> None:
        self.assertNotIn(self.number, text)
        self.assertEqual(id_number_shapes(text), [], text)

    def test_global_search_form_posts_and_redirects_to_a_token(self) -> None:
        form = self.client.get("/people/residents/").content.decode()
        self.assertRegex(form, r'<form[^>]*action="/search/"[^>]*method="post"')
        response = self.client.post("/search/", {"q": f" {self.number.lower()} "})
        self.assertEqual(response.status_code, 302)
        location = response["Location"]
        self.assert_no_number(location)
        self.assertRegex(location, r"^/search/\?idh=[0-9a-f]{64}$")
        page = self.client.get(location)
        self.assertContains(page, self.mine.get_absolute_url())
        self.assertNotContains(page, self.theirs.get_absolute_url())
        self.assert_no_number(page.content.decode())
        # Another street's officer with the same token: nothing.
        self.login(self.world.officer_b)
        self.assertNotContains(self.client.get(location), self.mine.get_absolute_url())
        # A name goes to an ordinary ?q= address; the live results (htmx) answer the post in place.
        self.login(self.world.officer_a)
        self.assertEqual(self.client.post("/search/", {"q": "欧阳"})["Location"], "/search/?q=%E6%AC%A7%E9%98%B3")
        live = self.client.post("/search/", {"q": self.number}, headers={"HX-Request": "true"})
        self.assertEqual(live.status_code, 200)
        self.assertContains(live, self.mine.get_absolute_url())
        # A forged or malformed token finds nothing, and breaks nothing.
        self.assertNotContains(self.client.get("/search/?idh=zz"), self.mine.get_absolute_url())

    def test_the_post_needs_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.officer_a)
        self.assertEqual(client.post("/search/", {"q": self.number}).status_code, 403)
        page = client.get("/search/?q=x").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        response = client.post("/search/", {"q": self.number, "csrfmiddlewaretoken": token.group(1)})
        self.assertEqual(response.status_code, 302)

    def test_get_with_the_number_still_answers(self) -> None:
        # API clients and old links: the number is found (the screen moves to the token address).
        page = self.client.get("/search/", {"q": self.number}, follow=True)
        self.assertContains(page, self.mine.get_absolute_url())
        self.assert_no_number(page.redirect_chain[-1][0])
        api = self.client.get("/api/v1/search/", {"q": self.number})
        self.assertEqual(api.status_code, 200)
        self.assertIn(self.mine.get_absolute_url(), api.content.decode())
        listed = self.client.get("/people/residents/", {"q": self.number})
        self.assertContains(listed, self.mine.get_absolute_url())

    def test_residents_list_filter_posts_and_redirects_to_a_token(self) -> None:
        form = self.client.get("/people/residents/").content.decode()
        self.assertRegex(form, r'<form method="post" action="/people/residents/"')
        for field in ("q", "id_number"):
            response = self.client.post("/people/residents/", {field: self.number, "status": "active", "gender": ""})
            self.assertEqual(response.status_code, 302, field)
            location = response["Location"]
            self.assert_no_number(location)
            self.assertRegex(location, r"^/people/residents/\?status=active&idh=[0-9a-f]{64}$")
            page = self.client.get(location)
            self.assertContains(page, self.mine.get_absolute_url())
            self.assertNotContains(page, self.theirs.get_absolute_url())
            self.assertContains(page, 'data-testid="searched-by-id"')
            self.assert_no_number(page.content.decode())  # links (export, pages, sorting) carry the token only
        # The token is kept by the hidden field while other filters change; a new plain search replaces it.
        token = location.rsplit("=", 1)[1]
        again = self.client.post("/people/residents/", {"idh": token, "status": "all"})
        self.assertIn(f"idh={token}", again["Location"])
        plain = self.client.post("/people/residents/", {"idh": token, "q": "欧阳丽", "status": "all"})
        self.assertNotIn("idh", plain["Location"])
        # A mistyped number in the identity-number box stays out of the URL too.
        wrong = self.number[:-1] + ("0" if self.number[-1] != "0" else "1")
        response = self.client.post("/people/residents/", {"id_number": wrong})
        self.assertNotIn(wrong, response["Location"])
        self.assertNotContains(self.client.get(response["Location"]), self.mine.get_absolute_url())
        # With htmx: the results come back at once and the address pushed holds the token.
        live = self.client.post(
            "/people/residents/", {"q": self.number}, headers={"HX-Request": "true", "HX-Target": "results"}
        )
        self.assertEqual(live.status_code, 200)
        self.assertContains(live, self.mine.get_absolute_url())
        self.assert_no_number(live["HX-Push-Url"])
        self.assertIn("idh=", live["HX-Push-Url"])
        # The export of the filtered list follows the token.
        export = self.client.get(location.replace("/people/residents/", "/people/residents/export/"))
        names = {str(c) for row in xlsx_rows(streamed(export) if export.streaming else export.content) for c in row}
        self.assertIn("欧阳娜", names)
        self.assertNotIn("欧阳丽", names)
        # No permission to view residents: the post answers 404 like the list.
        self.login(self.world.nobody)
        self.assertEqual(self.client.post("/people/residents/", {"q": self.number}).status_code, 404)

    def sql_for(self, url: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return [q["sql"] for q in queries.captured_queries if 'FROM "people_resident"' in q["sql"]]

    def test_each_kind_of_value_searches_only_its_column(self) -> None:
        def likes(sql: list[str]) -> set[str]:
            # A pattern (LIKE) or an indexed prefix range (>= … <) on the column.
            return {m for s in sql for m in re.findall(r'"(name|pinyin|initials)"[^,"]*?(?:LIKE|>=)', s)}

        location = self.client.post("/search/", {"q": self.number})["Location"]
        self.assertEqual(likes(self.sql_for(location)), set())
        self.assertEqual(
            likes(self.sql_for(self.client.post("/people/residents/", {"q": self.number})["Location"])), set()
        )
        self.assertEqual(likes(self.sql_for("/people/residents/?q=oyn")), {"pinyin", "initials"})
        self.assertEqual(likes(self.sql_for("/people/residents/?q=%E6%AC%A7%E9%98%B3")), {"name"})
        self.assertEqual(likes(self.sql_for("/people/residents/?q=4201")), set())  # digits: no scan
        for query in ("oyn", "ouyang na", "欧阳娜"):
            self.assertContains(self.client.get("/people/residents/", {"q": query}), self.mine.get_absolute_url())
            self.assertContains(self.client.get("/search/", {"q": query}), self.mine.get_absolute_url())
        self.assertNotContains(
            self.client.get("/people/residents/", {"q": self.number[:10]}), self.mine.get_absolute_url()
        )


class LogMaskTests(SimpleTestCase):
    """Access and request logs (runserver, Django, gunicorn) go through the personal-data mask."""

    def handlers_reached(self, name: str) -> list[logging.Handler]:
        found: list[logging.Handler] = []
        logger: Any = logging.getLogger(name)
        while logger is not None:
            found.extend(logger.handlers)
            logger = logger.parent if logger.propagate else None
        return found

    def test_every_handler_of_the_request_loggers_masks(self) -> None:
        from shequ.core.logging import MaskPersonalDataFilter

        for name in ("django.server", "django.request", "django.security.csrf", "shequ"):
            handlers = self.handlers_reached(name)
            self.assertTrue(handlers, name)
            for handler in handlers:
                if type(handler).__module__.startswith(("_pytest", "unittest")):
                    continue  # the test runner's capture
                self.assertTrue(any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters), (name, handler))

    def test_runserver_access_line_is_masked(self) -> None:
        import io

        number = make_id(seq=613)
        handler = next(h for h in logging.getLogger("django.server").handlers if isinstance(h, logging.StreamHandler))
        buffer = io.StringIO()
        saved = handler.setStream(buffer)  # type: ignore[attr-defined]
        try:
            logging.getLogger("django.server").info('"%s" %s %s', f"GET /search/?q={number} HTTP/1.1", 200, 10)
        finally:
            handler.setStream(saved)  # type: ignore[attr-defined]
        self.assertIn("/search/?q=", buffer.getvalue())
        self.assertNotIn(number, buffer.getvalue())

    def test_gunicorn_access_and_error_logs_are_masked(self) -> None:
        from datetime import timedelta

        from gunicorn.config import Config

        from shequ.core.gunicorn_logging import MaskingLogger

        number = make_id(seq=614)
        cfg = Config()
        cfg.set("accesslog", "-")
        log = MaskingLogger(cfg)
        records: list[str] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record.getMessage())

        log.access_log.addHandler(Keep())
        log.error_log.addHandler(Keep())

        class Response:
            status, sent = "200 OK", 10
            headers: list[tuple[str, str]] = []

        class Request:
            method, path, query, version = "GET", "/search/", f"q={number}", (1, 1)
            headers: list[tuple[str, str]] = []
            uri = f"/search/?q={number}"

        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"/search/?q={number}",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_REFERER": f"https://shequ.example/people/residents/?q={number}",
        }
        log.access(Response(), Request(), environ, timedelta(seconds=1))
        log.error("bad request for %s", number)
        self.assertEqual(len(records), 2)
        self.assertIn("/search/?q=", records[0])
        for line in records:
            self.assertNotIn(number, line)
        # The repository's gunicorn.conf.py (read by gunicorn from where it starts) names this logger class.
        conf = Path(__file__).resolve().parents[4] / "gunicorn.conf.py"
        self.assertIn("shequ.core.gunicorn_logging.MaskingLogger", conf.read_text())
