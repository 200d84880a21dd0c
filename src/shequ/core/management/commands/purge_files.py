"""``shequ purge_files [--days N]``: delete stored files (import uploads, rejected-rows reports, exports)
older than ``SHEQU_FILE_RETENTION_DAYS`` (default 7) and print what was done as one line of JSON.

The worker does the same after its jobs (at most once an hour); run this from cron where jobs are rare.
(It lives here because ``core/management`` belongs to another change; the work is ``shequ.core.files.purge``.)
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Delete stored files (uploads for import, reports, exports) past their retention."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, help="keep files this many days (default SHEQU_FILE_RETENTION_DAYS)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from shequ.core.files import purge

        if opts["days"] is not None and opts["days"] < 0:
            raise CommandError("--days must be 0 or more.")
        self.stdout.write(json.dumps(purge(opts["days"])))
