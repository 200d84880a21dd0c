"""Writes on volunteers, teams, activities and hours: every screen, the API, the importers and the portal call
these ``do_*`` functions (keyword-only ``acting_user``, one transaction, scope checked, audited)."""

from .activities import (
    do_cancel_activity,
    do_cancel_sign_up,
    do_publish_activity,
    do_record_attendance,
    do_sign_up,
    do_update_activity,
)
from .hours import WORKFLOW, credit, do_confirm_hours, do_log_hours, do_refuse_hours
from .registry import (
    do_add_member,
    do_end_membership,
    do_enrol,
    do_register_volunteer,
    do_update_volunteer,
    find_resident_anywhere,
)

__all__ = [
    "WORKFLOW",
    "credit",
    "do_add_member",
    "do_cancel_activity",
    "do_cancel_sign_up",
    "do_confirm_hours",
    "do_end_membership",
    "do_enrol",
    "do_log_hours",
    "do_publish_activity",
    "do_record_attendance",
    "do_refuse_hours",
    "do_register_volunteer",
    "do_sign_up",
    "do_update_activity",
    "do_update_volunteer",
    "find_resident_anywhere",
]
