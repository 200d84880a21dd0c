"""Photos and documents of a case file: type and size checked, stored encrypted outside the web root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from shequ.core import files
from shequ.core.exceptions import ActionError, NotFound
from shequ.services.models import Attachment, EventKind, ServiceRequest

from .requests import WORKFLOW, _user

# Extension → (content type, the file's first bytes).  The contents must match the name.
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}
FOLDER = "services"


def max_bytes() -> int:
    return int(getattr(settings, "SHEQU_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def check_upload(upload: Any) -> tuple[str, str]:
    """(clean file name, content type), or an ActionError saying why the file is refused."""
    name = Path(str(upload.name or "")).name[:200] or "file"
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise ActionError(
            _("Unsupported file type: use %(types)s.") % {"types": ", ".join(sorted(ALLOWED))}, code="bad_file_type"
        )
    if upload.size > max_bytes():
        raise ActionError(
            _("The file is too large (at most %(max)d MB).") % {"max": max_bytes() // 2**20}, code="too_large"
        )
    if upload.size == 0:
        raise ActionError(_("The file is empty."), code="empty_file")
    content_type, magics = ALLOWED[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        raise ActionError(_("The file's contents do not match its type."), code="bad_file_type")
    return name, content_type


PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def check_photo(upload: Any, message: Any = None) -> tuple[str, str]:
    """``check_upload`` for a photo only (JPEG, PNG, GIF, WebP)."""
    name, content_type = check_upload(upload)
    if content_type not in PHOTO_TYPES:
        raise ActionError(message or _("Only photos (JPEG, PNG, GIF, WebP) are accepted."), code="bad_file_type")
    return name, content_type


def do_attach(
    request: ServiceRequest, *, acting_user: Any, upload: Any, public: bool = False, subtask: Any = None
) -> Attachment:
    """Add a photo or document to the case file (any organization working on it may)."""
    name, content_type = check_upload(upload)
    staff = _user(acting_user)  # none: the public portal, attaching to the request it has just filed
    with WORKFLOW.transition(request, "attach", acting_user=staff, trusted=staff is None) as move:
        current = move.case
        attachment = Attachment.store(
            upload,
            folder=FOLDER,
            key=current.pk,
            name=name,
            content_type=content_type,
            request=current,
            subtask=subtask,
            public=public,
            uploaded_by=_user(acting_user),
        )
        move.log(EventKind.ATTACHMENT, name, public=public)
    return attachment


def open_attachment(user: Any, pk: Any) -> Any:
    """A download of an attachment the user may see (the request through ``restrict``), else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    attachment = Attachment.objects.filter(
        pk=pk, request__in=ServiceRequest.objects.restrict(user, "view").values("pk")
    ).first()
    if attachment is None:
        raise NotFound()
    return files.download_response(
        Path(settings.MEDIA_ROOT) / attachment.stored, attachment.name, attachment.content_type
    )
