"""``shequ export KIND --node CODE -o FILE [--user USERNAME] [--status active|archived|all]``: the list of a
place as .xlsx (constant memory), with the same columns as the screens' export, which are the import
template's (the file can be edited and imported back); identity numbers are masked unless the user's
role lets them see the full numbers.  Prints one line of JSON: ``{"exported": N, "file": "…"}``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from ._spreadsheet import acting_user, check_allowed, known_kinds, place, viewset_for


class Command(BaseCommand):
    help = "Export a list (residents, organizations …) of a place to .xlsx and print a JSON summary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", help=f"what to export: {known_kinds()}")
        parser.add_argument("--node", help="code of the place (default: everything the user may export)")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--user", help="act as this user (scope, masking); default: the first superuser")
        parser.add_argument("--status", default="active", help="residents: active, archived or all")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.test import RequestFactory

        from shequ.core.exports import export_rows
        from shequ.core.spreadsheets import XlsxWriter

        kind = opts["kind"]
        viewset_class = viewset_for(kind, "export")
        user = acting_user(opts["user"])
        check_allowed(user, viewset_class, kind, "export")
        node = place(opts["node"], user, viewset_class, kind, "export")
        query = {"status": opts["status"]}
        if node is not None:
            query["within"] = str(node.pk)
        request = RequestFactory().get("/", query)
        request.user = user
        viewset = viewset_class(request)
        filterset = viewset.filtered("export")
        qs = filterset.qs if filterset.is_bound else filterset.queryset
        headers, rows = export_rows(viewset, qs)
        writer = XlsxWriter(opts["output"], str(viewset.model._meta.verbose_name_plural))
        writer.header(headers)
        count = 0
        for row in rows:
            writer.write(row)
            count += 1
        writer.close()
        self.stdout.write(json.dumps({"exported": count, "file": opts["output"]}, ensure_ascii=False))
