"""Files kept on disk (uploads for import, rejected-rows reports, exports), encrypted at rest.

Residents' spreadsheets hold full identity numbers, and so do the reports built from them, so
nothing of theirs is ever written under ``MEDIA_ROOT`` in plaintext.  A stored file is::

    MAGIC (8 bytes) || salt (16 bytes) || segment 0 || segment 1 || … || final segment

Each segment is up to ``SEGMENT`` bytes of plaintext sealed with AES-256-GCM (16-byte tag), under a
key of its own for the file (HMAC of the salt with a key derived from ``SHEQU_FIELD_KEY``, as in
:mod:`shequ.core.crypto`).  The nonce is the segment's number and a flag for the final one, and
the header is authenticated with every segment, so a changed, swapped, reordered, cut or extended
file fails to open (``StoredFileError``) instead of giving back something else.  Reading and
writing go a segment at a time: constant memory whatever the size.

Readers that need a path (python-calamine) get a private decrypted copy (0600) that is deleted when
they are done (``decrypted_copy``); downloads stream the plaintext (``download_response``).
Files are kept ``SHEQU_FILE_RETENTION_DAYS`` days, then ``purge`` (``shequ purge_files``, and after
background jobs) deletes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _

from .crypto import derive_key
from .exceptions import ActionError

logger = logging.getLogger(__name__)

MAGIC = b"SHEQUF1\n"
SALT_BYTES = 16
HEADER_BYTES = len(MAGIC) + SALT_BYTES
SEGMENT = 1 << 20  # plaintext bytes per sealed segment
TAG_BYTES = 16
SUFFIX = ".enc"
PART_SUFFIX = ".part"
# The folders under MEDIA_ROOT that hold files of this module (and that ``purge`` cleans).
KINDS = ("imports", "exports")
# Decrypted copies for readers that need a path: a recognisable prefix, so that a purge can remove
# those left behind by a worker that was killed.
PLAIN_PREFIX = "shequ-plain-"
PLAIN_MAX_AGE = 24 * 3600


class StoredFileError(ActionError):
    """A stored file cannot be opened: missing, damaged, changed, or written with another key."""


def storage_dir(kind: str) -> Path:
    """The folder of *kind* under MEDIA_ROOT, private to the server's user (0700)."""
    root = Path(settings.MEDIA_ROOT)
    path = root / kind
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


def is_stored(path: str | Path) -> bool:
    """Whether *path* lies in one of the folders of this module (and so is encrypted)."""
    try:
        resolved = Path(path).resolve()
        root = Path(settings.MEDIA_ROOT).resolve()
    except OSError:
        return False
    return any(resolved.is_relative_to(root / kind) for kind in KINDS)


def is_encrypted(path: str | Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _file_key(salt: bytes) -> AESGCM:
    return AESGCM(hmac.new(derive_key("shequ-file-encryption"), salt, hashlib.sha256).digest())


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class EncryptedWriter:
    """Write a stored file a segment at a time; the file appears (atomically) on ``close``.

    ``sha256`` is the digest of the plaintext, for the import records.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.part = self.path.with_name(f"{self.path.name}.{os.urandom(4).hex()}{PART_SUFFIX}")
        salt = os.urandom(SALT_BYTES)
        self.header = MAGIC + salt
        self.aead = _file_key(salt)
        self.index = 0
        self.buffer = bytearray()
        self.digest = hashlib.sha256()
        self.size = 0
        fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.fh = os.fdopen(fd, "wb")
        self.fh.write(self.header)
        self.closed = False

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.buffer += data
        # Keep at least one byte back unless closing: the final segment is sealed as final.
        while len(self.buffer) > SEGMENT:
            self._seal(bytes(self.buffer[:SEGMENT]), final=False)
            del self.buffer[:SEGMENT]
        return len(data)

    def _seal(self, plain: bytes, final: bool) -> None:
        self.fh.write(self.aead.encrypt(_nonce(self.index, final), plain, self.header))
        self.index += 1

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def close(self) -> Path:
        if not self.closed:
            self._seal(bytes(self.buffer), final=True)
            self.buffer.clear()
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            os.replace(self.part, self.path)
            self.closed = True
        return self.path

    def abort(self) -> None:
        if not self.closed:
            self.fh.close()
            self.closed = True
            with contextlib.suppress(OSError):
                os.unlink(self.part)

    def __enter__(self) -> EncryptedWriter:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def store_chunks(path: str | Path, chunks: Iterable[bytes]) -> str:
    """Write *chunks* (e.g. an upload's) encrypted to *path*; the plaintext's SHA-256."""
    with EncryptedWriter(path) as writer:
        for chunk in chunks:
            writer.write(chunk)
    return writer.sha256


def encrypt_file(source: str | Path, path: str | Path) -> str:
    """Encrypt the plaintext file *source* into the stored file *path*; the plaintext's SHA-256."""
    with open(source, "rb") as fh:
        return store_chunks(path, iter(lambda: fh.read(SEGMENT), b""))


def _damaged(path: Path, why: str) -> StoredFileError:
    logger.warning("stored file %s cannot be opened: %s", path.name, why)
    return StoredFileError(
        _("The stored file was changed or damaged and cannot be opened; upload the spreadsheet again."),
        code="file_damaged",
    )


def iter_plain(path: str | Path) -> Iterator[bytes]:
    """The plaintext of a stored file, a segment at a time, each one checked before it is given.

    Raises ``StoredFileError`` if the file is gone (kept only so many days) or fails to authenticate.
    """
    path = Path(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, also when the generator is dropped
    except FileNotFoundError:
        raise StoredFileError(
            _("The file is no longer kept (files are deleted after %(days)d days); upload it again.")
            % {"days": retention_days()},
            code="file_gone",
        ) from None
    with fh:
        header = fh.read(HEADER_BYTES)
        if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
            raise _damaged(path, "not an encrypted file")
        aead = _file_key(header[len(MAGIC) :])
        index = 0
        block = fh.read(SEGMENT + TAG_BYTES)
        while True:
            following = fh.read(SEGMENT + TAG_BYTES) if len(block) == SEGMENT + TAG_BYTES else b""
            final = not following
            try:
                plain = aead.decrypt(_nonce(index, final), block, header)
            except (InvalidTag, ValueError):
                raise _damaged(path, f"segment {index} fails authentication") from None
            if plain:
                yield plain
            if final:
                return
            block, index = following, index + 1


def verify(path: str | Path) -> None:
    """Check every segment of a stored file (raises ``StoredFileError``)."""
    for _chunk in iter_plain(path):
        pass


def plain_size(path: str | Path) -> int:
    body = Path(path).stat().st_size - HEADER_BYTES
    segments = max(1, -(-body // (SEGMENT + TAG_BYTES)))
    return max(0, body - segments * TAG_BYTES)


@contextlib.contextmanager
def decrypted_copy(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """A private (0600) decrypted copy of a stored file, for readers that need a path; deleted on exit."""
    fd, name = tempfile.mkstemp(prefix=PLAIN_PREFIX, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter_plain(path):
                out.write(chunk)
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


@contextlib.contextmanager
def private_path(suffix: str = "") -> Iterator[Path]:
    """A path in a private temporary folder (0700) for a plaintext file that is written, used and
    deleted (e.g. a report before it is stored); the folder goes on exit."""
    folder = tempfile.mkdtemp(prefix=PLAIN_PREFIX)
    try:
        yield Path(folder) / f"file{suffix}"
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def download_response(path: str | Path, filename: str, content_type: str | None = None) -> Any:
    """A streamed download of a stored file's plaintext.  Every segment is checked first, so a damaged
    file gives ``StoredFileError`` before the response starts, never half a file."""
    import mimetypes

    from django.http import StreamingHttpResponse
    from django.utils.http import content_disposition_header

    verify(path)
    response = StreamingHttpResponse(
        iter_plain(path),
        content_type=content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
    )
    response["Content-Length"] = str(plain_size(path))
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


def retention_days() -> int:
    return int(getattr(settings, "SHEQU_FILE_RETENTION_DAYS", 7))


def purge(days: int | None = None, *, now: float | None = None) -> dict[str, int]:
    """Delete stored files older than *days* (default ``SHEQU_FILE_RETENTION_DAYS``), and decrypted copies
    left behind by a killed worker; encrypt in place any file stored in plaintext before encryption."""
    days = retention_days() if days is None else days
    now = time.time() if now is None else now
    cutoff = now - days * 86400
    counts = {"deleted": 0, "encrypted": 0, "kept": 0}
    root = Path(settings.MEDIA_ROOT)
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            try:
                old = path.stat().st_mtime < cutoff
                if old:
                    path.unlink()
                    counts["deleted"] += 1
                elif not path.name.endswith(PART_SUFFIX) and not is_encrypted(path):
                    _encrypt_in_place(path)
                    counts["encrypted"] += 1
                else:
                    counts["kept"] += 1
            except OSError as exc:  # another process got there first, or a permission problem
                logger.warning("purge: cannot handle %s: %s", path.name, type(exc).__name__)
    temp = Path(tempfile.gettempdir())
    for path in temp.glob(PLAIN_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < now - PLAIN_MAX_AGE:
                if path.is_dir():
                    import shutil

                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
                counts["deleted"] += 1
    return counts


def _encrypt_in_place(path: Path) -> None:
    stat = path.stat()
    target = path.with_name(path.name + ".encrypting")
    encrypt_file(path, target)
    os.utime(target, (stat.st_atime, stat.st_mtime))  # the retention counts from the original upload
    os.replace(target, path)
