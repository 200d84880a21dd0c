"""A consent request's documents as a user meets them: uploaded through the step page, stored encrypted, listed on
the request and downloaded by users who see it (404 for anyone else); wrong types, empty and oversized files refused
with a clear message and nothing written; no consent before a document is on file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from shequ.core.testing import streamed
from shequ.oversight.models import ConsentDocument, ConsentEvent, ConsentStatus

from .helpers import OversightCase, pdf_upload

BODY = b"%PDF-1.4 demolition permit 2026-07 " + b"y" * 200


class ConsentDocumentTests(OversightCase):
    def attach(self, case: Any, upload: Any) -> Any:
        return self.client.post(reverse("oversight:consentrequest_step", args=[case.pk, "attach"]), {"file": upload})

    def test_upload_then_download_within_scope_only(self) -> None:
        case = self.consent(self.world.street_a, documents="")
        self.client.force_login(self.world.officer_a)
        response = self.attach(case, pdf_upload("拆迁许可证.pdf", BODY))
        self.assertEqual(response.status_code, 302)
        document = ConsentDocument.objects.get(case=case)
        self.assertEqual(
            (document.name, document.content_type, document.size), ("拆迁许可证.pdf", "application/pdf", len(BODY))
        )
        # Encrypted at rest: the plaintext is nowhere in the stored file.
        stored = (Path(settings.MEDIA_ROOT) / document.stored).read_bytes()
        self.assertNotIn(b"demolition permit", stored)
        self.assertTrue(ConsentEvent.objects.filter(case=case, text__contains="拆迁许可证.pdf").exists())
        # Listed on the request, downloaded whole.
        page = self.client.get(case.get_absolute_url())
        self.assertContains(page, document.get_absolute_url())
        download = self.client.get(document.get_absolute_url())
        self.assertEqual(download.status_code, 200)
        self.assertEqual(streamed(download), BODY)
        # Another street's officer, a grid worker and an anonymous visitor get nothing.
        self.client.force_login(self.world.officer_b)
        self.assertEqual(self.client.get(document.get_absolute_url()).status_code, 404)
        self.assertEqual(self.attach(case, pdf_upload()).status_code, 404)
        self.client.force_login(self.tree.grid_worker_a)
        self.assertEqual(self.client.get(document.get_absolute_url()).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(document.get_absolute_url()).status_code, 302)
        self.assertEqual(ConsentDocument.objects.count(), 1)

    def test_bad_files_are_refused_and_nothing_is_written(self) -> None:
        case = self.consent(self.world.street_a, documents="")
        self.client.force_login(self.world.officer_a)
        before = sorted(Path(settings.MEDIA_ROOT).rglob("*.enc"))
        for upload, message in (
            (pdf_upload("script.exe", b"MZ\x90\x00"), "不支持"),
            (pdf_upload("fake.pdf", b"not a pdf at all"), "不符"),
            (pdf_upload("empty.pdf", b""), ""),
        ):
            response = self.attach(case, upload)
            self.assertEqual(response.status_code, 400, upload)
            if message:
                self.assertContains(response, message, status_code=400)
        with override_settings(SHEQU_MAX_ATTACHMENT_BYTES=100):
            response = self.attach(case, pdf_upload("big.pdf", BODY))
            self.assertContains(response, "过大", status_code=400)
        self.assertFalse(ConsentDocument.objects.exists())
        self.assertEqual(sorted(Path(settings.MEDIA_ROOT).rglob("*.enc")), before)

    def test_no_consent_without_an_uploaded_document(self) -> None:
        case = self.consent(self.world.street_a, status=ConsentStatus.OPINION, documents="")
        self.client.force_login(self.world.officer_a)
        url = reverse("oversight:consentrequest_step", args=[case.pk, "consent"])
        response = self.client.post(url, {"reasons": "同意"})
        self.assertContains(response, "上传", status_code=400)
        response = self.client.post(
            f"/api/v1/oversight/consents/{case.pk}/consent", {"reasons": "同意"}, content_type="application/json"
        )
        self.assertIn(response.status_code, (400, 409, 422))
        case.refresh_from_db()
        self.assertEqual(case.status, ConsentStatus.OPINION)
        self.assertEqual(self.attach(case, pdf_upload()).status_code, 302)
        self.assertEqual(self.client.post(url, {"reasons": "手续齐全"}).status_code, 302)
        case.refresh_from_db()
        self.assertEqual(case.status, ConsentStatus.CONSENTED)
