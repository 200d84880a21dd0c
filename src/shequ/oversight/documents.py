"""Uploaded documents of a consent request: type and size checked (as a request's attachments), stored encrypted
outside the web root, downloaded only by users who see the request."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shequ.core.models import TimelineKind

from .models import ConsentRequest
from .models_documents import ConsentDocument

FOLDER = "oversight"


def do_attach_document(case: Any, *, acting_user: Any, upload: Any) -> ConsentDocument:
    """Upload one document of the request (a permit, a plan, the residents' opinions …)."""
    from shequ.services.actions.attachments import check_upload

    from .actions import CONSENT

    name, content_type = check_upload(upload)
    with CONSENT.transition(case, "attach", acting_user=acting_user) as move:
        found = ConsentDocument.store(
            upload,
            folder=FOLDER,
            key=move.case.pk,
            name=name,
            content_type=content_type,
            case=move.case,
            uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        move.log(TimelineKind.ATTACHMENT, _("Document uploaded: %(name)s") % {"name": name})
    return found


def missing_documents(case: ConsentRequest) -> str:
    """Why the request cannot be consented to yet: no document uploaded (empty when it may)."""
    if ConsentDocument.objects.filter(case_id=case.pk).exists():
        return ""
    return str(_("The documents are missing: upload the request's documents (permits, plans …) first."))
