"""Residents and households from the spreadsheets community offices keep, at city scale.

Rows go through in chunks of ``CHUNK`` (the framework's chunked import): each chunk is parsed,
checked in bulk (blind indexes computed once, one query for the existing residents of the
chunk), then written with ``bulk_create`` / ``bulk_update`` and one audit entry per created or
changed resident, written in bulk too.  The upsert key is the identity number: importing the
same file again changes nothing.  Empty cells never erase what is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from types import SimpleNamespace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import scope_paths
from shequ.core.crypto import encrypt
from shequ.core.importing import BulkInsert, Column, Importer, ImportResult, Row, choice_cell, date_cell
from shequ.core.models import AuditEntry
from shequ.core.text import name_pinyin

from .actions import DWELLING_KINDS
from .cells import (
    EDUCATION_WORDS,
    EMPLOYMENT_WORDS,
    GENDER_WORDS,
    POLITICAL_WORDS,
    RELATION_WORDS,
    RESIDENCE_WORDS,
    code_cell,
    ethnicity_cell,
    first_word,
    identity_cell,
    phone_cell,
    tags_cell,
)
from .fields import id_hash_of
from .identity import Identity
from .models import (
    ArchiveReason,
    CareTag,
    Education,
    Employment,
    Gender,
    Household,
    PoliticalStatus,
    Relation,
    ResidenceType,
    Resident,
    ResidentMove,
)
from .places import Place, PlaceIndex

CHUNK = 2000
NODE_CODE_SYNONYMS = ("社区编码", "所属社区编码", "区划代码")

COMPARED = (
    "name",
    "gender",
    "birth_date",
    "phone",
    "ethnicity",
    "education",
    "political_status",
    "employment",
    "residence_type",
    "notes",
)
# What is read of residents already registered, to compare and update them.
KNOWN_FIELDS = (
    "id",
    "id_hash",
    "path",
    "node_id",
    "archived",
    "archived_reason",
    "household_id",
    "relation",
    "pinyin",
    "initials",
    *COMPARED,
)
HOUSEHOLD_FIELDS = ("id", "number", "node_id", "path", "head_id", "address")


_pinyin_cache: dict[str, tuple[str, str]] = {}


def cached_pinyin(name: str) -> tuple[str, str]:
    found = _pinyin_cache.get(name)
    if found is None:
        if len(_pinyin_cache) > 500_000:
            _pinyin_cache.clear()
        found = _pinyin_cache[name] = name_pinyin(name)
    return found


AUDIT_COLUMNS = (
    "content_type",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "changes_text",
    "actor",
    "timestamp",
    "path",
    "additional_data",
)
HOUSEHOLD_COLUMNS = ("id", "created", "updated", "node", "path", "number", "address", "head", "dissolved", "import_job")
RESIDENT_COLUMNS = (
    "id",
    "created",
    "updated",
    "node",
    "path",
    "name",
    "pinyin",
    "initials",
    "id_number",
    "id_hash",
    "id_masked",
    "gender",
    "birth_date",
    "phone",
    "ethnicity",
    "education",
    "political_status",
    "employment",
    "residence_type",
    "household",
    "relation",
    "archived",
    "archived_reason",
    "archived_on",
    "notes",
    "import_job",
)


class HouseholdRecord:
    """A household as the residents' import handles it: the few fields it reads and sets, without the cost
    of a model instance (a city's file names hundreds of thousands of households)."""

    __slots__ = ("id", "number", "node_id", "path", "head_id", "address")

    def __init__(self, id: int, number: str, node_id: int, path: str, head_id: int | None, address: str) -> None:
        self.id, self.number, self.node_id, self.path, self.head_id, self.address = (
            id,
            number,
            node_id,
            path,
            head_id,
            address,
        )

    @property
    def pk(self) -> int:
        return self.id

    @pk.setter
    def pk(self, value: int) -> None:
        self.id = value


class ImportAudit:
    """Audit entries written in bulk, one per created or changed object, with the path and the actor."""

    def __init__(self, user: Any, model: Any) -> None:
        self.actor_id = user.pk if getattr(user, "is_authenticated", False) else None
        self.content_type_id = ContentType.objects.get_for_model(model).pk
        self.rows: list[tuple[Any, ...]] = []
        self.now = timezone.now()
        self.writer = BulkInsert(AuditEntry, AUDIT_COLUMNS)

    def add(self, obj: Any, action: int, changes: dict[str, list[Any]]) -> None:
        label = obj.number or str(obj.pk) if isinstance(obj, Household | HouseholdRecord) else str(obj.name)
        self.entry(obj.pk, label, obj.path, action, changes)

    def entry(self, pk: int, label: str, path: str, action: int, changes: dict[str, list[Any]]) -> None:
        self.rows.append(
            (
                self.content_type_id,
                str(pk),
                pk,
                label[:200],
                action,
                changes,
                "",
                self.actor_id,
                self.now,
                path,
                {"path": path, "event": "import"},
            )
        )

    def flush(self) -> None:
        self.writer.insert(self.rows)
        self.rows = []


def _display(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class ScopedImporter(Importer):
    """Shared by residents and households: the places of the file and the user's import scope."""

    chunk_size = CHUNK

    def begin(self, *, dry_run: bool, mode: str) -> None:
        self.places = PlaceIndex()
        self.base: Place | None = self.places.place_of(self.node) if self.node is not None else None
        self.paths = scope_paths(self.user, self.model, "import")
        self._places_seen: dict[tuple[str, str], tuple[Place | None, tuple[str, str] | None]] = {}

    def in_scope(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(p) for p in self.paths)

    def place(self, row: Row) -> Place | None:
        """The dwelling given by the row's place code and address (or the import's own place); rejects."""
        code, address = row.values.get("node_code") or "", row.values.get("address") or ""
        if not code and not address:
            return None
        key = (code, address)
        found = self._places_seen.get(key)
        if found is None:
            if len(self._places_seen) > 100_000:
                self._places_seen.clear()
            found = self._places_seen[key] = self._find_place(code, address)
        place, error = found
        if error is not None:
            row.reject(*error)
        return place

    def _find_place(self, code: str, address: str) -> tuple[Place | None, tuple[str, str] | None]:
        base = self.base
        if code:
            base = self.places.by_code_lookup(code)
            if base is None:
                return None, (_("No place has the code %(code)s.") % {"code": code}, "unknown_place")
        if base is None:
            return None, (_("Give the place code (地区编码), or choose a place for the import."), "unknown_place")
        found = self.places.resolve(base, address)
        if found is None:
            message = _("No place “%(address)s” under “%(base)s”.") % {"address": address, "base": base.name}
            return None, (message, "unknown_place")
        return found, None

    def check_place(self, row: Row, place: Place | None) -> Place | None:
        if place is None:
            if not row.error:
                if self.base is not None and self.base.kind in DWELLING_KINDS:
                    return self.check_place(row, self.base)
                row.reject(_("Say where they live: fill in 地区编码 and 地址."), "unknown_place")
            return None
        if not self.in_scope(place.path):
            row.reject(_("“%(place)s” is outside your area.") % {"place": place.name}, "out_of_scope")
            return None
        if place.retired:
            row.reject(_("“%(place)s” is retired.") % {"place": place.name}, "retired_place")
            return None
        if place.kind not in DWELLING_KINDS:
            row.reject(
                _("People are registered in a community or a place under it, not at “%(place)s”.")
                % {"place": place.name},
                "invalid_node",
            )
            return None
        return place


class ResidentImporter(ScopedImporter):
    model = Resident
    sheet_name = "residents"
    columns = [
        Column("name", "姓名", ("名字", "居民姓名", "name"), required=True, example="张伟"),
        Column(
            "id_number",
            "身份证号",
            ("公民身份号码", "身份证号码", "身份证", "证件号码", "身份号码", "身份证件号码", "id_number"),
            required=True,
            parse=identity_cell,
            example="420102198503021236",
        ),
        Column("gender", "性别", ("gender",), parse=choice_cell(Gender, GENDER_WORDS), example="男", repeats=True),
        Column(
            "birth_date",
            "出生日期",
            ("出生年月", "出生年月日", "生日"),
            parse=date_cell,
            example="1985-03-02",
            repeats=True,
        ),
        Column(
            "phone",
            "联系电话",
            ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
            parse=phone_cell,
            example="13812345678",
        ),
        Column("ethnicity", "民族", (), parse=ethnicity_cell, example="汉族", repeats=True),
        Column(
            "education",
            "文化程度",
            ("学历",),
            parse=choice_cell(Education, EDUCATION_WORDS),
            example="本科",
            repeats=True,
        ),
        Column(
            "political_status",
            "政治面貌",
            (),
            parse=choice_cell(PoliticalStatus, POLITICAL_WORDS),
            example="中共党员",
            repeats=True,
        ),
        Column(
            "employment",
            "就业状况",
            ("就业情况", "就业状态"),
            parse=choice_cell(Employment, EMPLOYMENT_WORDS),
            example="在职",
            repeats=True,
        ),
        Column(
            "residence_type",
            "人员类型",
            ("人口类型", "户籍类型", "居住类型", "居住状态"),
            parse=choice_cell(ResidenceType, RESIDENCE_WORDS),
            example="户籍",
            repeats=True,
        ),
        Column("node_code", "地区编码", NODE_CODE_SYNONYMS, parse=code_cell, example="420102001001", repeats=True),
        Column(
            "address",
            "地址",
            ("住址", "居住地址", "现住址", "楼栋单元"),
            example="第1网格/阳光小区/1号楼/1单元",
            repeats=True,
        ),
        Column("household_number", "户号", ("户编号", "户口号"), parse=code_cell, example="H0001"),
        Column(
            "relation",
            "与户主关系",
            ("关系", "家庭关系", "与户主的关系"),
            parse=choice_cell(Relation, RELATION_WORDS),
            example="户主",
            repeats=True,
        ),
        Column(
            "tags",
            "特殊人群",
            ("人群类别", "重点人群", "关爱标签", "特殊人群标签", "标签"),
            parse=tags_cell,
            repeats=True,
        ),
        Column("notes", "备注", ("notes",)),
    ]

    def begin(self, *, dry_run: bool, mode: str) -> None:
        super().begin(dry_run=dry_run, mode=mode)
        self.seen: dict[int, int] = {}  # 64 bits of the blind index → row number, across chunks
        self.tags: dict[str, CareTag] = {}
        for tag in CareTag.objects.filter(active=True):
            self.tags[tag.name] = self.tags[tag.code] = tag
        self.planned_households: dict[str, tuple[int, int]] = {}  # number → (node id, row) to be created
        self.writer = BulkInsert(Resident, RESIDENT_COLUMNS, prepared=("id_number",))
        self.household_writer = BulkInsert(Household, HOUSEHOLD_COLUMNS)
        self.defaults = {f.name: f.get_default() for f in Resident._meta.concrete_fields}
        self.heads: dict[str, int] = {}  # household number → row naming its head

    # -- checks ------------------------------------------------------------------------------------------------
    def prepare(self, rows: list[Row]) -> None:
        """What needs no database, in file order (for large files in the reader process): the checks of
        each row and across the file, the blind index, the encrypted number, the pinyin."""
        for row in rows:
            self._check_row(row)

    def validate(self, rows: list[Row]) -> None:
        hashes: dict[str, Row] = {}
        for row in rows:
            row.cleaned["place"] = self.place(row)
            if not row.error:
                hashes[row.cleaned["hash"]] = row
        # Plain values, not model instances: a chunk of residents who are all known already is the
        # common case of a re-import, and reading them must cost little.
        existing = {
            r["id_hash"]: SimpleNamespace(pk=r["id"], **r)
            for r in Resident.objects.filter(id_hash__in=list(hashes)).values(*KNOWN_FIELDS)
        }
        numbers = {r.values["household_number"] for r in rows if not r.error and r.values.get("household_number")}
        households: dict[str, list[HouseholdRecord]] = {}
        for values in Household.objects.filter(number__in=numbers, dissolved=False).values(*HOUSEHOLD_FIELDS):
            households.setdefault(values["number"], []).append(HouseholdRecord(**values))
        tags_of: dict[int, set[int]] = {}
        if existing and any(r.values.get("tags") for r in rows):
            through = Resident.tags.through.objects.filter(resident_id__in=[r.pk for r in existing.values()])
            for resident_id, tag_id in through.values_list("resident_id", "caretag_id"):
                tags_of.setdefault(resident_id, set()).add(tag_id)
        for id_hash, row in hashes.items():
            resident = existing.get(id_hash)
            if resident is not None:
                if not self.in_scope(resident.path):
                    row.reject(
                        _("This identity number is registered in an area outside yours; it was left alone."),
                        "out_of_scope",
                    )
                    continue
                if resident.archived:
                    row.reject(
                        _("“%(name)s” is archived (%(reason)s); restore the record first.")
                        % {"name": resident.name, "reason": ArchiveReason(resident.archived_reason).label},
                        "archived",
                    )
                    continue
                row.cleaned["existing"] = resident
                row.cleaned["old_tags"] = tags_of.get(resident.pk, set())
            self._check_household(row, households)

    def _check_row(self, row: Row) -> None:
        values = row.values
        identity: Identity = values["id_number"]
        if values.get("gender") and values["gender"] != identity.gender:
            row.reject(
                _("性别 says %(typed)s but the identity number says %(derived)s.")
                % {
                    "typed": first_word(GENDER_WORDS, values["gender"]),
                    "derived": first_word(GENDER_WORDS, identity.gender),
                },
                "gender_mismatch",
            )
            return
        if values.get("birth_date") and values["birth_date"] != identity.birth_date:
            row.reject(
                _("出生日期 says %(typed)s but the identity number says %(derived)s.")
                % {"typed": values["birth_date"].isoformat(), "derived": identity.birth_date.isoformat()},
                "birth_date_mismatch",
            )
            return
        id_hash = id_hash_of(identity.number)
        key = int(id_hash[:16], 16)
        first = self.seen.get(key)
        if first is not None:
            row.reject(
                _("The same identity number is already in row %(row)d of the file.") % {"row": first},
                "duplicate_in_file",
            )
            return
        self.seen[key] = row.number
        tags: list[int] | None = None
        if values.get("tags"):
            unknown = [t for t in values["tags"] if t not in self.tags]
            if unknown:
                row.reject(
                    _("Unknown special-care tag “%(tag)s”; the list is: %(known)s.")
                    % {"tag": unknown[0], "known": "、".join(sorted({t.name for t in self.tags.values()}))},
                    "invalid_tag",
                )
                return
            tags = list(dict.fromkeys(self.tags[t].pk for t in values["tags"]))  # ids: cheap to send
        row.cleaned = {
            "identity": identity,
            "hash": id_hash,
            "encrypted": encrypt(identity.number),
            "pinyin": cached_pinyin(values["name"]),
            "tags": tags,
            "existing": None,
        }

    def _check_household(self, row: Row, households: dict[str, list[HouseholdRecord]]) -> None:
        values, cleaned = row.values, row.cleaned
        number = values.get("household_number") or ""
        cleaned["household"] = None
        if number:
            found = households.get(number, [])
            if len(found) > 1:
                row.reject(_("Several households have the number %(number)s.") % {"number": number}, "ambiguous")
                return
            if found:
                household = found[0]
                if not self.in_scope(household.path):
                    row.reject(_("The household %(number)s is outside your area.") % {"number": number}, "out_of_scope")
                    return
                if cleaned["place"] is not None and cleaned["place"].id != household.node_id:
                    row.reject(
                        _("The household %(number)s lives at “%(place)s”, not at the place in this row.")
                        % {"number": number, "place": self.places.place_at(household.node_id, household.path).name},
                        "household_elsewhere",
                    )
                    return
                cleaned["household"] = household
                cleaned["place"] = self.places.place_at(household.node_id, household.path)
        known = cleaned["existing"]
        if cleaned["place"] is None and known is not None:
            cleaned["place"] = self.places.place_at(known.node_id, known.path)  # no place given: they stay
        place = self.check_place(row, cleaned["place"])
        if place is None:
            return
        cleaned["place"] = place
        if number and cleaned["household"] is None:
            planned = self.planned_households.get(number)
            if planned is not None and planned[0] != place.id:
                row.reject(
                    _("Row %(row)d puts the household %(number)s elsewhere.") % {"row": planned[1], "number": number},
                    "household_elsewhere",
                )
                return
            self.planned_households.setdefault(number, (place.id, row.number))
        if values.get("relation") and not number and not (cleaned["existing"] and cleaned["existing"].household_id):
            row.reject(_("与户主关系 needs a 户号 (the household)."), "relation_without_household")
            return
        if values.get("relation") == Relation.HEAD and number:
            first = self.heads.get(number)
            if first is not None:
                row.reject(
                    _("Row %(row)d already names the head of the household %(number)s.")
                    % {"row": first, "number": number},
                    "two_heads",
                )
                return
            self.heads[number] = row.number

    # -- what changes --------------------------------------------------------------------------------------------
    def _new_values(self, row: Row) -> dict[str, Any]:
        values, identity = row.values, row.cleaned["identity"]
        new = {key: values[key] for key in COMPARED if values.get(key) not in (None, "")}
        new["gender"], new["birth_date"] = identity.gender, identity.birth_date
        return new

    def _changes(self, row: Row) -> dict[str, list[Any]]:
        resident: Resident = row.cleaned["existing"]
        changes: dict[str, list[Any]] = {}
        for key, value in self._new_values(row).items():
            old = getattr(resident, key)
            if old != value:
                changes[key] = [old, value]
        place: Place = row.cleaned["place"]
        if place.id != resident.node_id:
            changes["node"] = [resident.node_id, place.id]
        household = row.cleaned["household"]
        if household is not None and household.pk != resident.household_id:
            changes["household"] = [resident.household_id, household.pk]
        relation = row.values.get("relation")
        if relation and relation != resident.relation:
            changes["relation"] = [resident.relation, relation]
        if row.cleaned["tags"] is not None and set(row.cleaned["tags"]) != row.cleaned["old_tags"]:
            changes["tags"] = [sorted(row.cleaned["old_tags"]), sorted(row.cleaned["tags"])]
        if row.values.get("household_number") and household is None:
            changes["household"] = [resident.household_id, row.values["household_number"]]
        return changes

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            if row.cleaned["existing"] is None:
                result.created += 1
            elif self._changes(row):
                result.updated += 1
            else:
                result.unchanged += 1

    # -- writing ----------------------------------------------------------------------------------------------
    def apply(self, rows: list[Row], result: ImportResult) -> None:
        now = timezone.now()
        audit = ImportAudit(self.user, Resident)
        household_audit = ImportAudit(self.user, Household)
        households = self._create_households(rows, household_audit)
        created: list[tuple[int, Row]] = []
        updated: list[tuple[Resident, Row, dict[str, list[Any]]]] = []
        new_rows = [row for row in rows if row.cleaned["existing"] is None]
        ids = iter(self.writer.reserve_ids(len(new_rows)))
        inserts: list[tuple[Any, ...]] = []
        for row in rows:
            if row.cleaned["existing"] is None:
                pk = next(ids)
                inserts.append(self._build(row, households, pk, now))
                created.append((pk, row))
                continue
            changes = self._changes(row)
            if changes:
                updated.append((self._instance(row.cleaned["existing"]), row, changes))
            else:
                result.unchanged += 1
        if created:
            result.created += self.writer.insert(inserts)
        through = Resident.tags.through
        new_links = [
            through(resident_id=pk, caretag_id=tag) for pk, row in created for tag in (row.cleaned["tags"] or ())
        ]
        moves: list[ResidentMove] = []
        fields: set[str] = set()
        dropped_links: list[tuple[int, int]] = []
        for resident, row, changes in updated:
            fields |= self._update(resident, row, changes, households, moves, now)
            if "tags" in changes:
                old, new = set(changes["tags"][0]), set(changes["tags"][1])
                new_links.extend(through(resident_id=resident.pk, caretag_id=t) for t in new - old)
                dropped_links.extend((resident.pk, t) for t in old - new)
        if updated:
            leaving = [r.pk for r, _row, c in updated if "household" in c]
            if leaving:  # who heads the household they leave leaves it headless
                Household.objects.filter(head_id__in=leaving).exclude(
                    pk__in=[r.household_id for r, _row, c in updated if "household" in c]
                ).update(head=None)
            fields.discard("tags")
            Resident.objects.bulk_update([r for r, _row, _c in updated], sorted(fields | {"updated"}), batch_size=500)
            result.updated += len(updated)
        if dropped_links:
            for resident_id, tag_id in dropped_links:  # rare: a tag removed in a re-import
                through.objects.filter(resident_id=resident_id, caretag_id=tag_id).delete()
        if new_links:
            through.objects.bulk_create(new_links, batch_size=CHUNK, ignore_conflicts=True)
        if moves:
            ResidentMove.objects.bulk_create(moves, batch_size=CHUNK)
        self._set_heads(created, updated, households, household_audit)
        for resident, _row, changes in updated:
            audit.add(resident, AuditEntry.Action.UPDATE, self._masked(changes))
        audit.flush()
        household_audit.flush()

    def _create_households(self, rows: list[Row], audit: ImportAudit) -> dict[str, HouseholdRecord]:
        """Households named in the chunk: the existing ones, and new ones created in bulk."""
        households: dict[str, HouseholdRecord] = {}
        new: list[HouseholdRecord] = []
        for row in rows:
            number = row.values.get("household_number")
            if not number:
                continue
            if row.cleaned["household"] is not None:
                households[number] = row.cleaned["household"]
            elif number not in households:
                place: Place = row.cleaned["place"]
                household = HouseholdRecord(0, number, place.id, place.path, None, "")  # id: reserved below
                households[number] = household
                new.append(household)
        if new:
            now = timezone.now()
            for household, pk in zip(new, self.household_writer.reserve_ids(len(new)), strict=True):
                household.pk = pk
            self.household_writer.insert(
                (h.pk, now, now, h.node_id, h.path, h.number, h.address, None, False, self.job.pk) for h in new
            )
        self._new_households = new
        return households

    def _build(self, row: Row, households: dict[str, HouseholdRecord], pk: int, now: Any) -> tuple[Any, ...]:
        """The new resident as a row for the bulk insert (in the order of ``RESIDENT_COLUMNS``)."""
        values, cleaned = row.values, row.cleaned
        identity: Identity = cleaned["identity"]
        place: Place = cleaned["place"]
        pinyin, initials = cleaned["pinyin"]
        number = values.get("household_number")
        d = self.defaults

        def given(key: str) -> Any:
            value = values.get(key)
            return d[key] if value is None or value == "" else value

        return (
            pk,
            now,
            now,
            place.id,
            place.path,
            values["name"],
            pinyin,
            initials,
            cleaned["encrypted"],
            cleaned["hash"],
            identity.masked,
            identity.gender,
            identity.birth_date,
            given("phone"),
            given("ethnicity"),
            given("education"),
            given("political_status"),
            given("employment"),
            given("residence_type"),
            households[number].pk if number else None,
            values.get("relation") or "",
            False,
            d["archived_reason"],
            None,
            given("notes"),
            self.job.pk,
        )

    @staticmethod
    def _instance(known: SimpleNamespace) -> Resident:
        """A resident to update, from the values read in ``validate`` (every field ``_update`` may write)."""
        return Resident(**{f: getattr(known, f) for f in KNOWN_FIELDS if f != "id_hash"})

    def _update(
        self,
        resident: Resident,
        row: Row,
        changes: dict[str, list[Any]],
        households: dict[str, HouseholdRecord],
        moves: list[ResidentMove],
        now: Any,
    ) -> set[str]:
        fields = set()
        for key in COMPARED:
            if key in changes:
                setattr(resident, key, changes[key][1])
                fields.add(key)
        if "name" in changes:
            resident.pinyin, resident.initials = cached_pinyin(resident.name)
            fields |= {"pinyin", "initials"}
        if "node" in changes:
            place: Place = row.cleaned["place"]
            moves.append(
                ResidentMove(
                    resident_id=resident.pk,
                    from_node_id=resident.node_id,
                    to_node_id=place.id,
                    moved_on=timezone.localdate(),
                    reason=_("Spreadsheet import"),
                    recorded_by=self.user if getattr(self.user, "is_authenticated", False) else None,
                )
            )
            resident.node_id, resident.path = place.id, place.path
            fields |= {"node", "path"}
        if "household" in changes:
            resident.household_id = households[row.values["household_number"]].pk
            fields.add("household")
        if "relation" in changes:
            resident.relation = changes["relation"][1]
            fields.add("relation")
        resident.updated = now
        return fields

    def _set_heads(
        self,
        created: list[tuple[int, Row]],
        updated: list[tuple[Resident, Row, dict[str, list[Any]]]],
        households: dict[str, HouseholdRecord],
        audit: ImportAudit,
    ) -> None:
        new = {h.pk for h in self._new_households}
        pairs: list[tuple[int, int]] = []
        replaced: list[int] = []  # heads who are heads no more
        rows: Iterable[tuple[int, Row]] = [
            *created,
            *((r.pk, row) for r, row, _c in updated),
        ]
        for pk, row in rows:
            if row.values.get("relation") != Relation.HEAD or not row.values.get("household_number"):
                continue
            household = households[row.values["household_number"]]
            if household.head_id != pk:
                if household.pk not in new:
                    audit.add(household, AuditEntry.Action.UPDATE, {"head": [household.head_id, pk]})
                    if household.head_id:
                        replaced.append(household.head_id)
                household.head_id = pk
                pairs.append((pk, household.pk))
        if pairs:  # one statement for the chunk, not a CASE per row
            table = connection.ops.quote_name(Household._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET head_id = %s WHERE id = %s", pairs)
        if replaced:  # as do_set_head: the previous head's relation to the new one is to be set again
            heads = {pk for pk, _h in pairs}
            former = Resident.objects.filter(pk__in=replaced, relation=Relation.HEAD).exclude(pk__in=heads)
            resident_audit = ImportAudit(self.user, Resident)
            for pk, name, path in former.values_list("pk", "name", "path"):
                resident_audit.entry(
                    pk, name, path, AuditEntry.Action.UPDATE, {"relation": [Relation.HEAD.value, None]}
                )
            former.update(relation="")
            resident_audit.flush()

    @staticmethod
    def _masked(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {key: [_display(old), _display(new)] for key, (old, new) in changes.items() if key != "id_number"}


class HouseholdImporter(ScopedImporter):
    """Households by number: the place, the room, and the head (by identity number, already a resident)."""

    model = Household
    sheet_name = "households"
    columns = [
        Column("number", "户号", ("户编号", "户口号", "number"), required=True, parse=code_cell, example="H0001"),
        Column("node_code", "地区编码", NODE_CODE_SYNONYMS, parse=code_cell, example="420102001001", repeats=True),
        Column(
            "address", "地址", ("住址", "居住地址", "楼栋单元"), example="第1网格/阳光小区/1号楼/1单元", repeats=True
        ),
        Column("room", "门牌", ("房号", "门牌号", "室号"), example="402"),
        Column(
            "head_id",
            "户主身份证号",
            ("户主身份证", "户主公民身份号码", "户主证件号码"),
            parse=identity_cell,
            example="420102198503021236",
        ),
    ]

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
        for household in Household.objects.filter(number__in=list(numbers), dissolved=False).select_related("node"):
            existing.setdefault(household.number, []).append(household)
        heads = {
            id_hash_of(r.values["head_id"].number): r for r in numbers.values() if r.values.get("head_id") is not None
        }
        residents = {r.id_hash: r for r in Resident.objects.filter(id_hash__in=list(heads)).defer("id_number")}
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
            if row.cleaned["existing"] is None:
                result.created += 1
            elif self._changes(row):
                result.updated += 1
            else:
                result.unchanged += 1

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
