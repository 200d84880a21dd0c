"""Facility photos and ledger vouchers: stored encrypted, handed back only in scope, vouchers frozen with the
entry's approval."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.core.testing import WorldTestCase
from shequ.core.testing_files import streamed
from shequ.positions.models import EntryAttachment, FacilityPhoto

from .helpers import entry, facility

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


class FacilityPhotos(WorldTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = facility(self.world, self.world.street_a)
        self.add = reverse("positions:facility_photo_add", args=[self.place.pk])

    def test_a_photo_is_kept_encrypted_and_shown_in_scope(self) -> None:
        self.login(self.world.officer_a)
        response = self.client.post(self.add, {"file": upload("门口.png", PNG, "image/png")})
        self.assertRedirects(response, self.place.get_absolute_url(), fetch_redirect_response=False)
        photo = FacilityPhoto.objects.get(facility=self.place)
        self.assertNotIn(b"PNG", (Path(settings.MEDIA_ROOT) / photo.stored).read_bytes(), "encrypted at rest")
        url = reverse("positions:facility_photo", args=[photo.pk])
        self.assertContains(self.client.get(self.place.get_absolute_url()), url)
        self.assertEqual(streamed(self.client.get(url)), PNG)
        self.login(self.world.officer_b)  # another street: no photo, no upload
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(self.add, {"file": upload("x.png", PNG, "image/png")}).status_code, 404)
        self.assertEqual(self.client.get(reverse("positions:facility_photo", args=["9x"])).status_code, 404)
        self.assertEqual(FacilityPhoto.objects.count(), 1)

    def test_only_photos_and_the_reason_is_said(self) -> None:
        self.login(self.world.officer_a)
        response = self.client.post(self.add, {"file": upload("章程.pdf", PDF, "application/pdf")}, follow=True)
        self.assertContains(response, "JPEG")
        forged = self.client.post(self.add, {"file": upload("伪装.png", PDF, "image/png")}, follow=True)
        self.assertContains(forged, "不符")
        self.assertFalse(FacilityPhoto.objects.exists())

    def test_a_reader_sees_no_upload_and_may_not_remove(self) -> None:
        self.login(self.world.officer_a)
        self.client.post(self.add, {"file": upload("门口.png", PNG, "image/png")})
        photo = FacilityPhoto.objects.get()
        self.login(self.world.auditor_a)
        page = self.client.get(self.place.get_absolute_url())
        self.assertContains(page, reverse("positions:facility_photo", args=[photo.pk]))
        self.assertNotContains(page, self.add)
        delete = reverse("positions:facility_photo_delete", args=[photo.pk])
        self.assertEqual(self.client.post(delete).status_code, 404)
        self.login(self.world.officer_a)
        self.client.post(delete)
        self.assertFalse(FacilityPhoto.objects.exists())


class Vouchers(WorldTestCase):
    def test_a_voucher_while_pending_never_after_approval(self) -> None:
        made = entry(self.world, self.world.street_a)
        step = reverse("positions:ledgerentry_step", args=[made.pk, "attach"])
        worker = self.world.user("worker_a", "community_worker", made.node)
        self.login(worker)
        self.assertContains(self.client.get(made.get_absolute_url()), step)
        response = self.client.post(step, {"file": upload("发票.pdf", PDF, "application/pdf")})
        self.assertEqual(response.status_code, 302)
        voucher = EntryAttachment.objects.get(entry=made)
        url = reverse("positions:voucher", args=[voucher.pk])
        page = self.client.get(made.get_absolute_url())
        self.assertContains(page, url)
        self.assertContains(page, "发票.pdf")
        self.assertEqual(streamed(self.client.get(url)), PDF)
        self.login(self.world.officer_b)
        self.assertEqual(self.client.get(url).status_code, 404)
        # Approved: the vouchers are frozen with the entry.
        from shequ.positions import actions

        actions.do_approve_entry(made, acting_user=self.world.admin)
        self.login(worker)
        self.assertNotContains(self.client.get(made.get_absolute_url()), step)
        refused = self.client.post(step, {"file": upload("补充.pdf", PDF, "application/pdf")})
        self.assertIn(refused.status_code, (400, 404))
        self.assertEqual(EntryAttachment.objects.filter(entry=made).count(), 1)
