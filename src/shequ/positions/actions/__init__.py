"""The ``do_*`` writes of the positions app (facilities and standards, culture, funds)."""

from .facilities import (
    do_add_photo,
    do_delete_facility,
    do_delete_photo,
    do_save_brand,
    do_save_check,
    do_save_event,
    do_save_facility,
    refresh_standards,
)
from .funds import (
    WORKFLOW,
    do_approve_entry,
    do_attach_voucher,
    do_open_account,
    do_publish_statement,
    do_record_entry,
    do_reject_entry,
    do_reverse_entry,
    do_update_entry,
)

__all__ = [
    "WORKFLOW",
    "do_add_photo",
    "do_approve_entry",
    "do_attach_voucher",
    "do_delete_photo",
    "do_delete_facility",
    "do_open_account",
    "do_publish_statement",
    "do_record_entry",
    "do_reject_entry",
    "do_reverse_entry",
    "do_save_brand",
    "do_save_check",
    "do_save_event",
    "do_save_facility",
    "do_update_entry",
    "refresh_standards",
]
