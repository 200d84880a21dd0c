"""Writes on residents' requests: every view, API endpoint, Open311 call, task and command calls these.

Each ``do_*`` takes a keyword-only ``acting_user`` (None for the public portal), runs in one transaction
under that user (audited), writes a line in the case file with who and when, answers 404 for anything
outside the user's scope and says no with an ``ActionError`` whose code is stable.
"""

from .attachments import do_attach, open_attachment
from .catalogue import do_update_category
from .requests import (
    do_accept,
    do_assign,
    do_close,
    do_comment,
    do_complete_subtask,
    do_file_request,
    do_merge,
    do_open_subtask,
    do_rate,
    do_resolve,
    do_return,
    do_start,
    validate_attributes,
)

__all__ = [
    "do_accept",
    "do_assign",
    "do_attach",
    "do_close",
    "do_comment",
    "do_complete_subtask",
    "do_file_request",
    "do_merge",
    "do_open_subtask",
    "do_rate",
    "do_resolve",
    "do_return",
    "do_start",
    "do_update_category",
    "open_attachment",
    "validate_attributes",
]
