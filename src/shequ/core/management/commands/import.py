"""``shequ import KIND FILE [--node CODE] [--dry-run] [--mode valid|all] [--user USERNAME] [--report R]``.

KIND is any registered model with an importer (``residents``, ``households``, ``organizations``,
``posts``, ``nodes`` …: each app registers its names with ``core.importing.register_command_name``).
Runs the same importer as the screens (scope of the acting user, all pitfalls handled), records
the import as a job (who, when, file checksum, counts) and prints one line of JSON:
``{"created": …, "updated": …, "unchanged": …, "rejected": …, "report": "…rejected.xlsx" | "", …}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ._spreadsheet import acting_user, check_allowed, known_kinds, place, viewset_for


class Command(BaseCommand):
    help = "Import a spreadsheet (.xlsx, .xls, .ods, .csv) of residents, organizations … and print a JSON summary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", help=f"what the file holds: {known_kinds()}")
        parser.add_argument("file")
        parser.add_argument("--node", help="code of the place the rows belong to (addresses are read below it)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--mode", choices=("valid", "all"), default="valid", help="valid rows, or all or nothing")
        parser.add_argument("--user", help="act as this user (scope and audit); default: the first superuser")
        parser.add_argument("--report", help="where to write the rejected rows (default: FILE.rejected.xlsx)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from shequ.core.exceptions import ActionError
        from shequ.core.importing import file_checksum
        from shequ.core.jobs import process_token, running
        from shequ.core.models import Job

        kind = opts["kind"]
        viewset = viewset_for(kind, "import")
        source = Path(opts["file"])
        if not source.is_file():
            raise CommandError(f"No file {source}.")
        user = acting_user(opts["user"])
        check_allowed(user, viewset, kind, "import")
        node = place(opts["node"], user, viewset, kind, "import")
        report = opts["report"] or str(source.with_name(source.name + ".rejected.xlsx"))
        # The import's batch record (who, when, file checksum, counts), made first: the rows the import
        # creates point to it.
        job = Job.objects.create(
            kind="import",
            title=_("Import of %(what)s from %(file)s (command line)")
            % {"what": viewset.model._meta.verbose_name_plural, "file": source.name},
            user=user,
            node=node,
            path=getattr(node, "path", "") or "",
            status=Job.Status.RUNNING,
            params={
                "model": viewset.model._meta.label_lower,
                "path": str(source.resolve()),
                "filename": source.name,
                "sha256": file_checksum(source),
                "size": source.stat().st_size,
                "dry_run": opts["dry_run"],
                "mode": opts["mode"],
                "command": True,
            },
            started=timezone.now(),
            process=process_token(),
        )
        importer = viewset.importer(user, node, job=job)
        try:
            with running(job):
                result = importer.run(
                    str(source),
                    source.name,
                    dry_run=opts["dry_run"],
                    mode=opts["mode"],
                    report_path=report,
                    progress=lambda done, total: job.progress(done, total),
                )
        except ActionError as exc:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED, message="；".join(exc.messages)[:500], finished=timezone.now()
            )
            raise CommandError("；".join(exc.messages)) from exc
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            done=result.total,
            total=result.total,
            result=result.as_dict(),
            finished=timezone.now(),
        )
        summary = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "report": result.report,
            "duplicates": result.duplicates,
            "total": result.total,
            "applied": result.applied,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
