"""Stored files: encrypted at rest in authenticated segments, opened decrypted only privately, purged."""

from __future__ import annotations

import io
import json
import os
import stat
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from shequ.core import files


class EncryptedFileTests(SimpleTestCase):
    def setUp(self) -> None:
        self.folder = files.storage_dir("exports")
        self.secret = b"420102198503020011"

    def store(self, data: bytes, name: str = "t.enc") -> Path:
        path = self.folder / name
        files.store_chunks(path, [data[i : i + 7000] for i in range(0, len(data), 7000)] or [b""])
        self.addCleanup(lambda: path.unlink(missing_ok=True))
        return path

    def test_round_trip_in_segments_without_plaintext_on_disk(self) -> None:
        for size in (0, 1, files.SEGMENT - 1, files.SEGMENT, files.SEGMENT + 1, 2 * files.SEGMENT + 5):
            data = (self.secret + b",") * (size // 19 + 1)
            data = data[:size]
            path = self.store(data, f"s{size}.enc")
            raw = path.read_bytes()
            self.assertTrue(raw.startswith(files.MAGIC))
            if size > len(self.secret):
                self.assertNotIn(self.secret, raw)
            self.assertEqual(b"".join(files.iter_plain(path)), data, size)
            self.assertEqual(files.plain_size(path), size)
            self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(self.folder.stat().st_mode), 0o700)
        self.assertFalse(list(self.folder.glob("*.part")))

    def test_the_sha256_is_the_plaintexts(self) -> None:
        import hashlib

        with files.EncryptedWriter(self.folder / "h.enc") as writer:
            writer.write(self.secret)
        self.addCleanup(lambda: (self.folder / "h.enc").unlink())
        self.assertEqual(writer.sha256, hashlib.sha256(self.secret).hexdigest())

    def test_every_change_is_refused_with_a_clear_error(self) -> None:
        data = os.urandom(files.SEGMENT + 100)
        path = self.store(data)
        original = path.read_bytes()

        def refused(content: bytes) -> str:
            path.write_bytes(content)
            with self.assertRaises(files.StoredFileError) as caught:
                b"".join(files.iter_plain(path))
            return caught.exception.code or ""

        flipped = bytearray(original)
        flipped[len(original) // 2] ^= 1
        self.assertEqual(refused(bytes(flipped)), "file_damaged")
        segment = files.SEGMENT + files.TAG_BYTES
        self.assertEqual(refused(original[: files.HEADER_BYTES + segment]), "file_damaged")  # cut at a segment
        self.assertEqual(refused(original[:-1]), "file_damaged")
        self.assertEqual(refused(original + b"x"), "file_damaged")
        self.assertEqual(refused(original[:8] + os.urandom(16) + original[24:]), "file_damaged")  # another salt
        self.assertEqual(refused(b"PK\x03\x04 a plaintext spreadsheet"), "file_damaged")
        path.unlink()
        with self.assertRaises(files.StoredFileError) as caught:
            files.verify(path)
        self.assertEqual(caught.exception.code, "file_gone")

    def test_another_key_cannot_open_it(self) -> None:
        path = self.store(self.secret)
        with override_settings(FIELD_ENCRYPTION_KEY="QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="):
            with self.assertRaises(files.StoredFileError):
                files.verify(path)

    def test_a_decrypted_copy_is_private_and_gone_afterwards(self) -> None:
        path = self.store(self.secret)
        with files.decrypted_copy(path, ".csv") as plain:
            self.assertEqual(plain.read_bytes(), self.secret)
            self.assertEqual(stat.S_IMODE(plain.stat().st_mode), 0o600)
            self.assertEqual(plain.suffix, ".csv")
        self.assertFalse(plain.exists())
        # Also when the reader fails half-way.
        with self.assertRaises(RuntimeError), files.decrypted_copy(path) as plain:
            raise RuntimeError
        self.assertFalse(plain.exists())
        with files.private_path(".xlsx") as scratch:
            scratch.write_bytes(self.secret)
            self.assertEqual(stat.S_IMODE(scratch.parent.stat().st_mode), 0o700)
        self.assertFalse(scratch.parent.exists())

    def test_a_failed_write_leaves_nothing(self) -> None:
        path = self.folder / "failed.enc"
        with self.assertRaises(RuntimeError), files.EncryptedWriter(path) as writer:
            writer.write(self.secret)
            raise RuntimeError
        self.assertFalse(path.exists())
        self.assertFalse(list(self.folder.glob("failed*")))


class PurgeTests(SimpleTestCase):
    def test_old_files_go_recent_ones_stay_and_plaintext_is_encrypted(self) -> None:
        folder = files.storage_dir("imports")
        old, recent, legacy = folder / "old.csv.enc", folder / "recent.csv.enc", folder / "legacy.csv"
        files.store_chunks(old, [b"a"])
        files.store_chunks(recent, [b"b"])
        legacy.write_bytes(b"420102198503020011")  # stored in plaintext before encryption
        ten_days_ago = time.time() - 10 * 86400
        os.utime(old, (ten_days_ago, ten_days_ago))
        leftover = Path(tempfile.mkstemp(prefix=files.PLAIN_PREFIX)[1])  # a killed worker's decrypted copy
        os.utime(leftover, (ten_days_ago, ten_days_ago))
        for path in (old, recent, legacy, leftover):
            self.addCleanup(path.unlink, missing_ok=True)
        out = io.StringIO()
        call_command("purge_files", stdout=out)
        counts = json.loads(out.getvalue())
        self.assertGreaterEqual(counts["deleted"], 2)
        self.assertFalse(old.exists())
        self.assertFalse(leftover.exists())
        self.assertTrue(recent.exists())
        self.assertNotIn(b"420102198503020011", legacy.read_bytes())
        self.assertEqual(b"".join(files.iter_plain(legacy)), b"420102198503020011")
        # A shorter retention on demand, and from the setting.
        call_command("purge_files", "--days", "0", stdout=io.StringIO())
        self.assertFalse(recent.exists())
        files.store_chunks(recent, [b"b"])
        with override_settings(SHEQU_FILE_RETENTION_DAYS=0):
            files.purge(now=time.time() + 1)
        self.assertFalse(recent.exists())
