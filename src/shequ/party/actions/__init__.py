"""Writes on party records: every view, API endpoint, importer and command calls these.

Each ``do_*`` takes a keyword-only ``acting_user``, runs in one transaction under that user (audited),
answers 404 for anything outside the user's scope and says no with an ``ActionError`` whose message is
for the user and whose code is stable.
"""

from .development import (
    do_admit,
    do_make_activist,
    do_make_target,
    do_register_applicant,
    do_stop_development,
    do_update_record,
)
from .dues import do_record_dues
from .members import (
    do_add_event,
    do_cancel_probation,
    do_change_status,
    do_convert,
    do_create_member,
    do_extend_probation,
    do_update_member,
)
from .reports import (
    do_end_report,
    do_record_activity,
    do_register_report,
    do_select_outstanding,
    find_reporting_member,
)
from .transfers import (
    do_accept_transfer,
    do_approve_transfer,
    do_confirm_arrival,
    do_register_incoming,
    do_reject_transfer,
    do_request_transfer,
    do_return_transfer,
)

__all__ = [
    "do_accept_transfer",
    "do_add_event",
    "do_admit",
    "do_approve_transfer",
    "do_cancel_probation",
    "do_change_status",
    "do_confirm_arrival",
    "do_convert",
    "do_create_member",
    "do_end_report",
    "do_extend_probation",
    "do_make_activist",
    "do_make_target",
    "do_record_activity",
    "do_record_dues",
    "do_register_applicant",
    "do_register_incoming",
    "do_register_report",
    "do_reject_transfer",
    "do_request_transfer",
    "do_return_transfer",
    "do_select_outstanding",
    "do_stop_development",
    "do_update_member",
    "do_update_record",
    "find_reporting_member",
]
