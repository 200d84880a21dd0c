"""Households from a spreadsheet, keyed by number: the place, the room, and the head (already a resident)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.importing import Column, ImportResult, Row
from shequ.core.models import AuditEntry
from shequ.people.cells import code_cell, identity_cell
from shequ.people.fields import id_hash_of
from shequ.people.models import Household, Relation, Resident, ResidentMove
from shequ.people.places import Place

from .common import CHUNK, NODE_CODE_SYNONYMS, ImportAudit, ScopedImporter, _display


class HouseholdImporter(ScopedImporter):
    """Households by number: the place, the room, and the head (by identity number, already a resident)."""

    model = Household
    sheet_name = "households"
    columns = [
        Column(
            "number",
            "户号",
            ("户编号", "户口号", "number"),
            required=True,
            parse=code_cell,
            example="H0001",
            meaning=gettext_lazy(
                "The household's number: it keys the record, so importing the same number again updates the household."
            ),
        ),
        Column(
            "node_code",
            "地区编码",
            NODE_CODE_SYNONYMS,
            parse=code_cell,
            example="420102001001",
            repeats=True,
            meaning=gettext_lazy("The code of the community (or of a place below it) where the household lives."),
        ),
        Column(
            "address",
            "地址",
            ("住址", "居住地址", "楼栋单元"),
            example="第1网格/阳光小区/1号楼/1单元",
            repeats=True,
            meaning=gettext_lazy("Where it lives below that place: names separated by /, down to the unit."),
        ),
        Column(
            "room", "门牌", ("房号", "门牌号", "室号"), example="402", meaning=gettext_lazy("The room or door number.")
        ),
        Column(
            "head_id",
            "户主身份证号",
            ("户主身份证", "户主公民身份号码", "户主证件号码"),
            parse=identity_cell,
            example="420102198503021237",
            meaning=gettext_lazy(
                "The identity number of the head of the household, who must already be registered as a resident."
            ),
        ),
    ]

    def sample(self) -> dict[str, Any]:
        """A new household at a place of the user's area; its head (a resident already) is left to the user."""
        row = super().sample()
        row["head_id"] = ""
        return row

    def begin(self, *, dry_run: bool, mode: str) -> None:
        super().begin(dry_run=dry_run, mode=mode)
        self.seen_numbers: dict[str, int] = {}

    def validate(self, rows: list[Row]) -> None:
        numbers: dict[str, Row] = {}
        for row in rows:
            number = row.values["number"]
            first = self.seen_numbers.get(number)
            if first is not None:
                row.reject(_("The household number is already in row %(row)d.") % {"row": first}, "duplicate_in_file")
                continue
            self.seen_numbers[number] = row.number
            row.cleaned = {"place": self.place(row), "existing": None, "head": None}
            if not row.error:
                numbers[number] = row
        existing: dict[str, list[Household]] = {}
        for household in Household.objects.filter(number__anyof=list(numbers), dissolved=False).select_related("node"):
            existing.setdefault(household.number, []).append(household)
        heads = {
            id_hash_of(r.values["head_id"].number): r for r in numbers.values() if r.values.get("head_id") is not None
        }
        residents = {r.id_hash: r for r in Resident.objects.filter(id_hash__anyof=list(heads)).defer("id_number")}
        for number, row in numbers.items():
            found = existing.get(number, [])
            if len(found) > 1:
                row.reject(_("Several households have the number %(number)s.") % {"number": number}, "ambiguous")
                continue
            if found:
                household = found[0]
                if not self.in_scope(household.path):
                    row.reject(_("The household %(number)s is outside your area.") % {"number": number}, "out_of_scope")
                    continue
                row.cleaned["existing"] = household
                if row.cleaned["place"] is None:
                    row.cleaned["place"] = self.places.place_of(household.node)
                elif row.cleaned["place"].id != household.node_id:
                    row.reject(
                        _("The household %(number)s lives at “%(place)s”; move it, with its members, on its page.")
                        % {"number": number, "place": self.places.place_at(household.node_id, household.path).name},
                        "household_elsewhere",
                    )
                    continue
            place = self.check_place(row, row.cleaned["place"])
            if place is None:
                continue
            row.cleaned["place"] = place
            if row.values.get("head_id") is not None:
                resident = residents.get(id_hash_of(row.values["head_id"].number))
                if resident is None or not self.in_scope(resident.path):
                    row.reject(_("No resident with the head's identity number in your area."), "unknown_head")
                    continue
                if resident.archived:
                    row.reject(_("The head “%(name)s” is archived.") % {"name": resident.name}, "archived")
                    continue
                row.cleaned["head"] = resident

    def _changes(self, row: Row) -> dict[str, list[Any]]:
        household: Household = row.cleaned["existing"]
        changes: dict[str, list[Any]] = {}
        room = row.values.get("room") or ""
        if room and room != household.address:
            changes["address"] = [household.address, room]
        head = row.cleaned["head"]
        if head is not None and head.pk != household.head_id:
            changes["head"] = [household.head_id, head.pk]
        return changes

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            result.count(row.cleaned["existing"], self._changes, row)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        audit = ImportAudit(self.user, Household)
        now = timezone.now()
        new: list[tuple[Household, Row]] = []
        changed: list[Household] = []
        heads: list[tuple[Household, Resident]] = []
        for row in rows:
            place: Place = row.cleaned["place"]
            head = row.cleaned["head"]
            if row.cleaned["existing"] is None:
                household = Household(
                    node_id=place.id,
                    path=place.path,
                    number=row.values["number"],
                    address=row.values.get("room") or "",
                    import_job=self.job,
                )
                new.append((household, row))
                if head is not None:
                    heads.append((household, head))
                continue
            household = row.cleaned["existing"]
            changes = self._changes(row)
            if not changes:
                result.unchanged += 1
                continue
            if "address" in changes:
                household.address = changes["address"][1]
            if "head" in changes:
                heads.append((household, head))
            household.updated = now
            changed.append(household)
            audit.add(
                household, AuditEntry.Action.UPDATE, {k: [_display(a), _display(b)] for k, (a, b) in changes.items()}
            )
        if new:
            Household.objects.bulk_create([h for h, _row in new], batch_size=CHUNK)
            result.created += len(new)
        if changed:
            Household.objects.bulk_update(changed, ["address", "updated"], batch_size=500)
            result.updated += len(changed)
        self._attach_heads(heads)
        audit.flush()

    def _attach_heads(self, heads: list[tuple[Household, Resident]]) -> None:
        """Each head becomes a member (moving to the household's place if need be) and its head."""
        if not heads:
            return
        moves: list[ResidentMove] = []
        residents: list[Resident] = []
        for household, resident in heads:
            household.head_id = resident.pk
            if resident.node_id != household.node_id:
                moves.append(
                    ResidentMove(
                        resident_id=resident.pk,
                        from_node_id=resident.node_id,
                        to_node_id=household.node_id,
                        moved_on=timezone.localdate(),
                        reason=_("Spreadsheet import"),
                        recorded_by=self.user if getattr(self.user, "is_authenticated", False) else None,
                    )
                )
                resident.node_id, resident.path = household.node_id, household.path
            resident.household_id, resident.relation = household.pk, Relation.HEAD
            residents.append(resident)
        # A head who headed another household leaves it headless.
        Household.objects.filter(head_id__in=[r.pk for r in residents]).exclude(
            pk__in=[h.pk for h, _r in heads]
        ).update(head=None)
        Household.objects.bulk_update([h for h, _r in heads], ["head"], batch_size=500)
        Resident.objects.bulk_update(residents, ["node", "path", "household", "relation"], batch_size=500)
        if moves:
            ResidentMove.objects.bulk_create(moves, batch_size=CHUNK)
