"""Residents from a spreadsheet, keyed by identity number, with their households, relations and tags."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.crypto import encrypt_many
from shequ.core.importing import BulkInsert, Column, ImportResult, Row, choice_cell, date_cell
from shequ.core.memo import Bounded
from shequ.core.models import AuditEntry
from shequ.core.text import name_pinyin
from shequ.people.cells import (
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
from shequ.people.fields import id_hashes_of
from shequ.people.identity import Identity
from shequ.people.models import (
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
from shequ.people.places import Place

from .common import CHUNK, NODE_CODE_SYNONYMS, HouseholdRecord, ImportAudit, ScopedImporter, _display

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


_pinyin_cache: Bounded[str, tuple[str, str]] = Bounded(100_000)  # full names hardly repeat: this holds the common ones


def cached_pinyin(name: str) -> tuple[str, str]:
    return _pinyin_cache.get_or(name, name_pinyin, name)


def set_heads(pairs: list[tuple[int, int]]) -> None:
    """``head_id = head`` for each ``(head, household id)``: on PostgreSQL one statement joining the two arrays
    (a statement per household cost a round trip each), on SQLite one prepared statement run for each pair."""
    table = connection.ops.quote_name(Household._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            heads, ids = zip(*pairs, strict=True)
            cursor.execute(
                f"UPDATE {table} AS h SET head_id = v.head FROM unnest(%s::bigint[], %s::bigint[]) AS v(head, id)"
                " WHERE h.id = v.id",
                [list(heads), list(ids)],
            )
        else:
            cursor.executemany(f"UPDATE {table} SET head_id = %s WHERE id = %s", pairs)


class ResidentImporter(ScopedImporter):
    model = Resident
    sheet_name = "residents"
    # Each chunk commits on its own (mode "valid rows"): 5,000 rows make a fifth of the commits of 2,000 per
    # million rows (each an fsync on SQLite) for 20 MB more memory.
    chunk_size = 5000
    columns = [
        Column(
            "name",
            "姓名",
            ("名字", "居民姓名", "name"),
            required=True,
            example="张伟",
            meaning=gettext_lazy("The full name, as on the identity card."),
        ),
        Column(
            "id_number",
            "身份证号",
            ("公民身份号码", "身份证号码", "身份证", "证件号码", "身份号码", "身份证件号码", "id_number"),
            required=True,
            parse=identity_cell,
            example="420102198503021237",
            meaning=gettext_lazy(
                "The identity number: it keys the record, so importing the same number again updates the resident."
            ),
        ),
        Column(
            "gender",
            "性别",
            ("gender",),
            parse=choice_cell(Gender, GENDER_WORDS),
            example="男",
            repeats=True,
            meaning=gettext_lazy("Must agree with the identity number (read from it when empty)."),
        ),
        Column(
            "birth_date",
            "出生日期",
            ("出生年月", "出生年月日", "生日"),
            parse=date_cell,
            example="1985-03-02",
            repeats=True,
            meaning=gettext_lazy("Must agree with the identity number (read from it when empty)."),
        ),
        Column(
            "phone",
            "联系电话",
            ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
            parse=phone_cell,
            example="13812345678",
            meaning=gettext_lazy("A number to reach them."),
        ),
        Column(
            "ethnicity",
            "民族",
            (),
            parse=ethnicity_cell,
            example="汉族",
            repeats=True,
            meaning=gettext_lazy("Their ethnic group."),
        ),
        Column(
            "education",
            "文化程度",
            ("学历",),
            parse=choice_cell(Education, EDUCATION_WORDS),
            example="本科",
            repeats=True,
            meaning=gettext_lazy("The highest schooling completed."),
        ),
        Column(
            "political_status",
            "政治面貌",
            (),
            parse=choice_cell(PoliticalStatus, POLITICAL_WORDS),
            example="中共党员",
            repeats=True,
            meaning=gettext_lazy("Their political affiliation."),
        ),
        Column(
            "employment",
            "就业状况",
            ("就业情况", "就业状态"),
            parse=choice_cell(Employment, EMPLOYMENT_WORDS),
            example="在职",
            repeats=True,
            meaning=gettext_lazy("Whether and how they work."),
        ),
        Column(
            "residence_type",
            "人员类型",
            ("人口类型", "户籍类型", "居住类型", "居住状态"),
            parse=choice_cell(ResidenceType, RESIDENCE_WORDS),
            example="户籍",
            repeats=True,
            meaning=gettext_lazy(
                "Registered here (户籍), floating (流动), or registered here but living elsewhere (人户分离)."
            ),
        ),
        Column(
            "node_code",
            "地区编码",
            NODE_CODE_SYNONYMS,
            parse=code_cell,
            example="420102001001",
            repeats=True,
            meaning=gettext_lazy("The code of the community (or of a place below it) where they live."),
        ),
        Column(
            "address",
            "地址",
            ("住址", "居住地址", "现住址", "楼栋单元"),
            example="第1网格/阳光小区/1号楼/1单元",
            repeats=True,
            meaning=gettext_lazy("Where they live below that place: names separated by /, down to the unit."),
        ),
        Column(
            "household_number",
            "户号",
            ("户编号", "户口号"),
            parse=code_cell,
            example="H0001",
            meaning=gettext_lazy("Their household's number: a number not yet known makes a new household."),
        ),
        Column(
            "relation",
            "与户主关系",
            ("关系", "家庭关系", "与户主的关系"),
            parse=choice_cell(Relation, RELATION_WORDS),
            example="户主",
            repeats=True,
            meaning=gettext_lazy("Their relation to the head of the household (needs 户号)."),
        ),
        Column(
            "tags",
            "特殊人群",
            ("人群类别", "重点人群", "关爱标签", "特殊人群标签", "标签"),
            parse=tags_cell,
            repeats=True,
            meaning=gettext_lazy("The special-care groups they belong to."),
        ),
        Column("notes", "备注", ("notes",), meaning=gettext_lazy("Anything else worth noting.")),
    ]

    def sample(self) -> dict[str, Any]:
        """A made-up person (张伟, with a number nobody has) at a place of the user's area, in a special-care group
        that exists."""
        from shequ.people.identity import sample_number

        row = super().sample()
        row["id_number"] = sample_number(Resident.objects.all())
        row["tags"] = CareTag.objects.filter(active=True).order_by("pk").values_list("name", flat=True).first() or ""
        return row

    def begin(self, *, dry_run: bool, mode: str) -> None:
        super().begin(dry_run=dry_run, mode=mode)
        self.seen: dict[int, int] = {}  # 64 bits of the blind index → row number, across chunks
        self.tags: dict[str, CareTag] = {}
        for tag in CareTag.objects.filter(active=True):
            self.tags[tag.name] = self.tags[tag.code] = tag
        self.planned_households: dict[str, tuple[int, int]] = {}  # number → (node id, row) to be created
        self.writer = BulkInsert(Resident, RESIDENT_COLUMNS, prepared=("id_number",))
        self.household_writer = BulkInsert(Household, HOUSEHOLD_COLUMNS)
        self.tag_writer = BulkInsert(Resident.tags.through, ("resident", "caretag"))
        self.defaults = {f.name: f.get_default() for f in Resident._meta.concrete_fields}
        self.heads: dict[str, int] = {}  # household number → row naming its head

    # -- checks ------------------------------------------------------------------------------------------------
    def prepare(self, rows: list[Row]) -> None:
        """What needs no database, in file order (for large files in the reader process): the checks of
        each row and across the file, the blind index, the encrypted number, the pinyin."""
        hashes = id_hashes_of([row.values["id_number"].number for row in rows])
        for row, id_hash in zip(rows, hashes, strict=True):
            self._check_row(row, id_hash)
        checked = [row for row in rows if not row.error]
        for row, token in zip(checked, encrypt_many([row.cleaned["identity"].number for row in checked]), strict=True):
            row.cleaned["encrypted"] = token

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
            for r in Resident.objects.filter(id_hash__anyof=list(hashes)).values(*KNOWN_FIELDS)
        }
        numbers = {r.values["household_number"] for r in rows if not r.error and r.values.get("household_number")}
        households: dict[str, list[HouseholdRecord]] = {}
        for values in Household.objects.filter(number__anyof=list(numbers), dissolved=False).values(*HOUSEHOLD_FIELDS):
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

    def _check_row(self, row: Row, id_hash: str) -> None:
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
            tags = list(dict.fromkeys([self.tags[t].pk for t in values["tags"]]))  # ids: cheap to send
        row.cleaned = {
            "identity": identity,
            "hash": id_hash,
            "encrypted": "",  # all the chunk's numbers at once, in ``prepare``
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
            result.count(row.cleaned["existing"], self._changes, row)

    # -- writing ----------------------------------------------------------------------------------------------
    def apply(self, rows: list[Row], result: ImportResult) -> None:
        now = timezone.now()
        audit = ImportAudit(self.user, Resident)
        household_audit = ImportAudit(self.user, Household)
        new_rows = [row for row in rows if row.cleaned["existing"] is None]
        new_ids = self.writer.reserve_ids(len(new_rows))
        # A new household whose head is a new resident of the chunk is inserted with its head (the key is
        # checked at commit), not given it by an UPDATE afterwards.
        new_heads: dict[str, int] = {}
        for row, pk in zip(new_rows, new_ids, strict=True):
            number = row.values.get("household_number")
            if number and row.values.get("relation") == Relation.HEAD:
                new_heads.setdefault(number, pk)
        households = self._create_households(rows, household_audit, new_heads)
        created: list[tuple[int, Row]] = []
        updated: list[tuple[Resident, Row, dict[str, list[Any]]]] = []
        ids = iter(new_ids)
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
        # The tags of new residents: plain rows by the bulk path (no model instances, nothing to conflict with).
        self.tag_writer.insert((pk, tag) for pk, row in created for tag in (row.cleaned["tags"] or ()))
        new_links: list[Any] = []
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

    def _create_households(
        self, rows: list[Row], audit: ImportAudit, heads: dict[str, int]
    ) -> dict[str, HouseholdRecord]:
        """Households named in the chunk: the existing ones, and new ones created in bulk (with their head, the
        id of a resident about to be inserted, when *heads* names one)."""
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
                household = HouseholdRecord(0, number, place.id, place.path, heads.get(number), "")  # id: below
                households[number] = household
                new.append(household)
        if new:
            now = timezone.now()
            for household, pk in zip(new, self.household_writer.reserve_ids(len(new)), strict=True):
                household.pk = pk
            self.household_writer.insert(
                (h.pk, now, now, h.node_id, h.path, h.number, h.address, h.head_id, False, self.job.pk) for h in new
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
        get = values.get  # the columns below hold text: empty or missing takes the field's default

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
            get("phone") or d["phone"],
            get("ethnicity") or d["ethnicity"],
            get("education") or d["education"],
            get("political_status") or d["political_status"],
            get("employment") or d["employment"],
            get("residence_type") or d["residence_type"],
            households[number].pk if number else None,
            values.get("relation") or "",
            False,
            d["archived_reason"],
            None,
            get("notes") or d["notes"],
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
        if pairs:
            set_heads(pairs)
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
