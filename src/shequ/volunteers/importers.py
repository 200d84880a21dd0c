"""Volunteers, team members and past service hours from spreadsheets (and back, with the same columns).

A person is named by name and identity number: a full number finds the resident anywhere on the platform
(a volunteer may live in another community); a masked one (as exported) finds them by name and masked number
within the user's area.  A team is named by its name (and, when two share it, the place it sits on)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.crypto import blind_index
from shequ.core.exceptions import ActionError
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError, date_cell, phone_cell
from shequ.orgs.importers.common import node_path_text
from shequ.people.cells import id_number_cell
from shequ.people.identity import mask_id
from shequ.territory.models import Kind, Node

from . import actions
from .forms import teams_for
from .models import MAX_HOURS_A_DAY, HoursSource, HoursStatus, ServiceHours, Skill, TeamMembership, Volunteer

AVAILABILITY = {"工作日": "weekdays", "晚间": "evenings", "晚上": "evenings", "周末": "weekends"}
AVAILABILITY_NAMES = {"weekdays": "工作日", "evenings": "晚间", "weekends": "周末"}


def split_names(text: str) -> list[str]:
    for sep in "，、;；/":
        text = text.replace(sep, ",")
    return [p.strip() for p in text.split(",") if p.strip()]


def hours_cell(value: Any) -> Decimal:
    if value in (None, ""):
        raise RowError(_("Give the hours."), code="hours_required")
    try:
        return actions.hours.clean_hours(value)
    except ActionError as exc:
        raise RowError(exc.messages[0], code="invalid_hours") from None


NAME = Column(
    "name",
    "姓名",
    ("名字", "志愿者姓名", "name"),
    required=True,
    example="张三",
    meaning=gettext_lazy("The person's name, as in the resident registry."),
)
ID_NUMBER = Column(
    "id_number",
    "身份证号",
    ("身份证号码", "公民身份号码", "证件号码", "身份证", "id number"),
    required=True,
    parse=id_number_cell,
    example="11010519491231002X",
    meaning=gettext_lazy(
        "The resident's identity number: a full one finds them anywhere on the platform; a masked one (as exported) "
        "together with the name, in your area."
    ),
)
TEAM = Column(
    "team",
    "服务队",
    ("志愿服务队", "所属服务队", "队伍", "team"),
    example="和平社区第一志愿服务队",
    meaning=gettext_lazy("The volunteer team, by its name."),
)
TEAM_PLACE = Column(
    "team_place",
    "服务队所在地",
    ("服务队所在地点", "服务队地点"),
    example="和平街道/和平社区",
    meaning=gettext_lazy("Where the team sits (street/community …): needed only when two teams share a name."),
)
NOTES = Column("notes", "备注", ("说明", "notes"), meaning=gettext_lazy("Anything else worth noting."))


def person_sample(resident: Any) -> dict[str, Any]:
    """A template's person: a resident of the user's own area, by name and masked number (never a full one)."""
    return {"name": resident.name, "id_number": resident.id_masked} if resident is not None else {}


def team_sample(team: Any) -> dict[str, Any]:
    from shequ.territory import samples

    return {"team": team.name, "team_place": samples.names_below(None, team.node)} if team is not None else {}


class PeopleMixin:
    """Finding the resident (and their volunteer record) of a row."""

    user: Any

    def people(self, rows: list[Row]) -> None:
        from shequ.people.models import Resident

        numbers = {
            r.values["id_number"] for r in rows if r.values.get("id_number") and "*" not in r.values["id_number"]
        }
        self.by_hash = {
            p.id_hash: p
            for p in Resident.objects.filter(
                id_hash__in=[blind_index(n) for n in numbers], archived=False
            ).select_related("node")
        }
        self.visible_residents = Resident.objects.restrict(self.user, "view")
        self.volunteers = {
            v.resident_id: v
            for v in Volunteer.objects.filter(resident__in=list(self.by_hash.values())).select_related("resident")
        }
        self.team_cache: dict[tuple[str, str], Any] = {}

    def resident(self, row: Row) -> Any:
        name, number = row.values["name"], row.values["id_number"]
        if "*" in number:
            found = list(self.visible_residents.filter(name=name, id_masked=number, archived=False)[:2])
            if len(found) != 1:
                raise RowError(
                    _("No single resident %(name)s with the identity number %(number)s in your area.")
                    % {"name": name, "number": number},
                    code="not_a_resident",
                )
            return found[0]
        person = self.by_hash.get(blind_index(number))
        if person is None:
            raise RowError(
                _(
                    "%(name)s (%(number)s) is not a resident of the platform: register them in the resident registry "
                    "first."
                )
                % {"name": name, "number": mask_id(number)},
                code="not_a_resident",
            )
        if person.name != name:
            raise RowError(
                _("The identity number %(number)s belongs to %(resident)s, not %(name)s.")
                % {"number": mask_id(number), "resident": person.name, "name": name},
                code="name_mismatch",
            )
        return person

    def volunteer(self, row: Row) -> Volunteer:
        resident = self.resident(row)
        found = (
            Volunteer.objects.restrict(self.user, "view").select_related("resident").filter(resident=resident).first()
        )
        if found is None:
            raise RowError(
                _("%(name)s is not a volunteer in your area.") % {"name": resident.name}, code="not_a_volunteer"
            )
        return found

    def team(self, name: str, place: str, action: str, model: Any) -> Any:
        key = (name, place)
        if key not in self.team_cache:
            qs = teams_for(self.user, action, model).filter(name=name)
            if place:
                qs = qs.filter(node__in=_places(place))
            found = list(qs[:2])
            if not found:
                raise RowError(_("No volunteer team “%(team)s” in your area.") % {"team": name}, code="no_team")
            if len(found) > 1:
                raise RowError(
                    _("More than one team is called “%(team)s”: fill in 服务队所在地.") % {"team": name},
                    code="ambiguous_team",
                )
            self.team_cache[key] = found[0]
        return self.team_cache[key]


def _places(text: str) -> Any:
    from shequ.orgs.cells import split_path
    from shequ.orgs.importers.common import _chain_filter

    if text.isdigit():
        return Node.objects.filter(code=text)
    return Node.objects.filter(**_chain_filter(split_path(text)))


@dataclass
class VolunteerRow:
    resident: Any
    community: Any
    existing: Volunteer | None
    skills: list[Any]
    changes: dict[str, Any] = field(default_factory=dict)
    team: Any = None


class VolunteerImporter(PeopleMixin, Importer):
    model = Volunteer
    sheet_name = "volunteers"
    columns = [
        NAME,
        ID_NUMBER,
        Column(
            "community",
            "登记社区",
            ("社区", "所在社区", "登记社区编码"),
            example="和平街道/和平社区",
            meaning=gettext_lazy("The community where they register (default: where they live)."),
        ),
        Column(
            "phone",
            "联系电话",
            ("电话", "手机", "手机号", "phone"),
            parse=phone_cell,
            example="13812345678",
            meaning=gettext_lazy("The phone the one-time sign-up codes go to (default: the resident's)."),
        ),
        Column(
            "skills",
            "技能",
            ("特长", "专业技能", "skills"),
            example="应急救护、助老服务",
            meaning=gettext_lazy("Skills from the list of skills, separated by 、 or commas."),
        ),
        Column(
            "availability",
            "服务时间",
            ("可服务时间", "availability"),
            example="周末",
            meaning=gettext_lazy("When they can serve: 工作日, 晚间 and/or 周末."),
        ),
        Column(
            "consent_on",
            "同意日期",
            ("授权日期", "同意使用个人信息日期"),
            required=True,
            parse=date_cell,
            example="2024-03-01",
            meaning=gettext_lazy("The day they agreed to the use of their personal information."),
        ),
        Column(
            "registered_on",
            "登记日期",
            ("注册日期", "registered"),
            parse=date_cell,
            example="2024-03-01",
            meaning=gettext_lazy("The day they registered as a volunteer (default: today)."),
        ),
        TEAM,
        TEAM_PLACE,
        NOTES,
    ]

    def sample(self) -> dict[str, Any]:
        """A resident of the user's area who is not yet a volunteer, joining a team of the area (if any)."""
        from shequ.people.models import Resident
        from shequ.territory import samples

        row = super().sample()
        resident = (
            Resident.objects.restrict(self.user, "view")
            .filter(archived=False, volunteer_records__isnull=True)
            .select_related("node")
            .order_by("path", "pk")
            .first()
        )
        row.update(person_sample(resident), phone="", team="", team_place="")
        # Skills from the list as it stands (it may be renamed or emptied), never a name it lacks.
        row["skills"] = "、".join(Skill.objects.filter(active=True).order_by("pk").values_list("name", flat=True)[:2])
        if resident is not None:
            community = samples.community_of(resident.node)
            row["community"] = samples.names_below(None, community) if community is not None else ""
            row.update(team_sample(teams_for(self.user, "add", TeamMembership).order_by("path", "pk").first()))
        return row

    def validate(self, rows: list[Row]) -> None:
        self.people(rows)
        skills = {s.name: s for s in Skill.objects.filter(active=True)}
        seen: dict[int, int] = {}
        for row in rows:
            try:
                row.cleaned = self._row(row, skills)
                if row.cleaned.resident.pk in seen:
                    raise RowError(
                        _("The same person as row %(row)d.") % {"row": seen[row.cleaned.resident.pk]}, code="duplicate"
                    )
                seen[row.cleaned.resident.pk] = row.number
            except RowError as exc:
                row.reject(exc, exc.code)

    def _row(self, row: Row, skills: dict[str, Skill]) -> VolunteerRow:
        from shequ.accounts.scope import can

        v = row.values
        resident = self.resident(row)
        if v.get("community"):
            matches = list(_places(v["community"]).filter(kind=Kind.COMMUNITY)[:2])
            if len(matches) != 1:
                raise RowError(_("No single community “%(place)s”.") % {"place": v["community"]}, code="no_community")
            community = matches[0]
        else:
            from shequ.core.indicators import community_of

            community = community_of(resident.node)
        if community is None or not can(self.user, Volunteer, "add", community.path):
            raise RowError(
                _("No community “%(place)s” in your area.") % {"place": v.get("community") or "—"}, code="outside"
            )
        chosen = []
        for name in split_names(v.get("skills") or ""):
            if name not in skills:
                raise RowError(_("Unknown skill “%(skill)s”.") % {"skill": name}, code="unknown_skill")
            chosen.append(skills[name])
        availability = {"weekdays": False, "evenings": False, "weekends": False}
        for name in split_names(v.get("availability") or ""):
            if name not in AVAILABILITY:
                raise RowError(
                    _("Unknown time “%(time)s”: 工作日, 晚间 or 周末.") % {"time": name}, code="unknown_time"
                )
            availability[AVAILABILITY[name]] = True
        if not v.get("availability"):
            availability["weekends"] = True
        today = timezone.localdate()
        for key in ("consent_on", "registered_on"):
            if v.get(key) and v[key] > today:
                raise RowError(_("A date in the future: %(day)s.") % {"day": v[key].isoformat()}, code="date_in_future")
        existing = self.volunteers.get(resident.pk) or Volunteer.objects.filter(resident=resident).first()
        if existing is not None and not Volunteer.objects.restrict(self.user, "change").filter(pk=existing.pk).exists():
            raise RowError(
                _("%(name)s is registered as a volunteer elsewhere.") % {"name": resident.name}, code="duplicate"
            )
        cleaned = VolunteerRow(resident, community, existing, chosen)
        if v.get("team"):
            cleaned.team = self.team(v["team"], v.get("team_place") or "", "add", TeamMembership)
        if existing is not None:
            wanted = {
                "phone": v.get("phone") or existing.phone,
                **availability,
                "notes": v.get("notes") or existing.notes,
            }
            cleaned.changes = {k: val for k, val in wanted.items() if getattr(existing, k) != val}
            if {s.pk for s in chosen} != set(existing.skills.values_list("pk", flat=True)) and v.get("skills"):
                cleaned.changes["skills"] = chosen
        else:
            cleaned.changes = availability
        return cleaned

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            c: VolunteerRow = row.cleaned
            result.count(c.existing, bool, c.changes)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            c: VolunteerRow = row.cleaned
            v = row.values
            try:
                if c.existing is None:
                    actions.do_register_volunteer(
                        acting_user=self.user,
                        resident=c.resident,
                        node=c.community,
                        consent_on=v["consent_on"],
                        phone=v.get("phone") or "",
                        skills=c.skills,
                        registered_on=v.get("registered_on"),
                        notes=v.get("notes") or "",
                        team=c.team,
                        import_job=self.job,
                        **c.changes,
                    )
                    result.created += 1
                elif c.changes:
                    changes = dict(c.changes)
                    skills = changes.pop("skills", None)
                    actions.do_update_volunteer(c.existing, acting_user=self.user, skills=skills, **changes)
                    result.updated += 1
                else:
                    result.unchanged += 1
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")


def _id_cell(show: bool) -> Any:
    def get(resident: Any) -> str:
        return (resident.id_number or "") if show else resident.id_masked

    return get


def volunteer_export_columns(show_id_numbers: bool) -> list[tuple[str, Any]]:
    ident = _id_cell(show_id_numbers)

    def teams(v: Volunteer) -> str:
        current = [m.team for m in v.memberships.all() if m.ended_on is None]
        return current[0].name if current else ""

    def team_place(v: Volunteer) -> str:
        current = [m.team for m in v.memberships.all() if m.ended_on is None]
        return node_path_text(current[0].node, 2) if current else ""

    return [
        ("姓名", lambda v: v.resident.name),
        ("身份证号", lambda v: ident(v.resident)),
        ("登记社区", lambda v: v.node.code or node_path_text(v.node, 2)),
        ("联系电话", lambda v: v.phone),
        ("技能", lambda v: "、".join(s.name for s in v.skills.all())),
        (
            "服务时间",
            lambda v: "、".join(AVAILABILITY_NAMES[k] for k in ("weekdays", "evenings", "weekends") if getattr(v, k)),
        ),
        ("同意日期", lambda v: v.consent_on),
        ("登记日期", lambda v: v.registered_on),
        ("服务队", teams),
        ("服务队所在地", team_place),
        ("备注", lambda v: v.notes),
        ("状态", lambda v: v.get_status_display()),
        ("累计服务时长", lambda v: v.total_hours),
        ("星级", lambda v: v.stars),
    ]


class MembershipImporter(PeopleMixin, Importer):
    model = TeamMembership
    sheet_name = "team members"
    columns = [
        NAME,
        ID_NUMBER,
        Column("team", "服务队", TEAM.synonyms, required=True, example=TEAM.example, meaning=TEAM.meaning),
        TEAM_PLACE,
        Column(
            "started_on",
            "加入日期",
            ("入队日期", "开始日期", "started"),
            required=True,
            parse=date_cell,
            example="2024-03-01",
            meaning=gettext_lazy("The day they joined the team."),
        ),
        Column(
            "ended_on",
            "退出日期",
            ("离队日期", "结束日期", "ended"),
            parse=date_cell,
            meaning=gettext_lazy("The day they left it (empty while they belong to it)."),
        ),
        NOTES,
    ]

    def sample(self) -> dict[str, Any]:
        """A volunteer of the user's area joining a team of the area they are not in yet."""
        row = super().sample()
        team = teams_for(self.user, "add", TeamMembership).order_by("path", "pk").first()
        volunteers = Volunteer.objects.restrict(self.user, "view").select_related("resident")
        if team is not None:
            volunteers = volunteers.exclude(memberships__team=team, memberships__ended_on__isnull=True)
        found = volunteers.order_by("path", "pk").first()
        row.update(person_sample(found.resident if found is not None else None), **team_sample(team))
        return row

    def validate(self, rows: list[Row]) -> None:
        self.people(rows)
        for row in rows:
            try:
                v = row.values
                volunteer = self.volunteer(row)
                team = self.team(v["team"], v.get("team_place") or "", "add", TeamMembership)
                if v["started_on"] > timezone.localdate():
                    raise RowError(
                        _("A date in the future: %(day)s.") % {"day": v["started_on"].isoformat()},
                        code="date_in_future",
                    )
                if v.get("ended_on") and v["ended_on"] < v["started_on"]:
                    raise RowError(_("A membership cannot end before it starts."), code="invalid_dates")
                existing = TeamMembership.objects.filter(
                    volunteer=volunteer, team=team, started_on=v["started_on"]
                ).first()
                if (
                    existing is None
                    and TeamMembership.objects.filter(volunteer=volunteer, team=team, ended_on__isnull=True).exists()
                ):
                    raise RowError(
                        _("%(name)s is already a member of %(team)s.")
                        % {"name": volunteer.resident.name, "team": team.name},
                        code="duplicate",
                    )
                row.cleaned = (volunteer, team, existing)
            except RowError as exc:
                row.reject(exc, exc.code)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            _v, _t, existing = row.cleaned
            result.count(
                existing,
                lambda e, r: bool(r.values.get("ended_on")) and e.ended_on != r.values["ended_on"],
                existing,
                row,
            )

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            volunteer, team, existing = row.cleaned
            v = row.values
            try:
                if existing is None:
                    membership = actions.do_add_member(
                        acting_user=self.user,
                        volunteer=volunteer,
                        team=team,
                        started_on=v["started_on"],
                        notes=v.get("notes") or "",
                        import_job=self.job,
                    )
                    if v.get("ended_on"):
                        actions.do_end_membership(membership, acting_user=self.user, ended_on=v["ended_on"])
                    result.created += 1
                elif v.get("ended_on") and existing.ended_on != v["ended_on"] and existing.ended_on is None:
                    actions.do_end_membership(existing, acting_user=self.user, ended_on=v["ended_on"])
                    result.updated += 1
                else:
                    result.unchanged += 1
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")


def membership_export_columns(show_id_numbers: bool) -> list[tuple[str, Any]]:
    ident = _id_cell(show_id_numbers)
    return [
        ("姓名", lambda m: m.volunteer.resident.name),
        ("身份证号", lambda m: ident(m.volunteer.resident)),
        ("服务队", lambda m: m.team.name),
        ("服务队所在地", lambda m: node_path_text(m.team.node, 2)),
        ("加入日期", lambda m: m.started_on),
        ("退出日期", lambda m: m.ended_on),
        ("备注", lambda m: m.notes),
    ]


class HoursImporter(PeopleMixin, Importer):
    """Past service hours (from before the platform): confirmed on import and credited at once."""

    model = ServiceHours
    sheet_name = "service hours"
    columns = [
        NAME,
        ID_NUMBER,
        Column("team", "服务队", TEAM.synonyms, required=True, example=TEAM.example, meaning=TEAM.meaning),
        TEAM_PLACE,
        Column(
            "served_on",
            "服务日期",
            ("日期", "date"),
            required=True,
            parse=date_cell,
            example="2023-05-01",
            meaning=gettext_lazy("The day of the service (they must have been in the team that day)."),
        ),
        Column(
            "hours",
            "服务时长",
            ("时长", "小时", "时长(小时)", "hours"),
            required=True,
            parse=hours_cell,
            example="2.5",
            meaning=gettext_lazy("Hours served that day (at most 24), in steps of a tenth."),
        ),
        Column(
            "description",
            "服务内容",
            ("内容", "活动", "description"),
            meaning=gettext_lazy("What they did."),
        ),
    ]

    def sample(self) -> dict[str, Any]:
        """Two and a half hours served by a member of a team of the user's area, on a day they belonged to it."""
        row = super().sample()
        membership = (
            TeamMembership.objects.restrict(self.user, "add", perm_model=ServiceHours)
            .filter(ended_on__isnull=True)
            .select_related("volunteer__resident", "team__node")
            .order_by("path", "pk")
            .first()
        )
        if membership is not None:
            day = max(membership.started_on, timezone.localdate() - timedelta(days=30))
            row.update(
                person_sample(membership.volunteer.resident),
                **team_sample(membership.team),
                served_on=day.isoformat(),
                hours="2.5",
            )
        return row

    def validate(self, rows: list[Row]) -> None:
        self.people(rows)
        per_day: dict[tuple[int, Any], Decimal] = defaultdict(Decimal)
        for row in rows:
            try:
                v = row.values
                volunteer = self.volunteer(row)
                team = self.team(v["team"], v.get("team_place") or "", "add", ServiceHours)
                if v["served_on"] > timezone.localdate():
                    raise RowError(_("Hours cannot be logged for a day in the future."), code="date_in_future")
                description = (v.get("description") or "")[:200]
                existing = ServiceHours.objects.filter(
                    volunteer=volunteer, team=team, served_on=v["served_on"], hours=v["hours"], description=description
                ).first()
                if existing is None:
                    key = (volunteer.pk, v["served_on"])
                    if key not in per_day:
                        per_day[key] = ServiceHours.objects.filter(
                            volunteer=volunteer,
                            served_on=v["served_on"],
                            status__in=(HoursStatus.PENDING, HoursStatus.CONFIRMED),
                        ).aggregate(h=Sum("hours"))["h"] or Decimal(0)
                    if per_day[key] + v["hours"] > MAX_HOURS_A_DAY:
                        raise RowError(
                            _("%(name)s would have more than 24 hours on %(day)s.")
                            % {"name": volunteer.resident.name, "day": v["served_on"].isoformat()},
                            code="over_24_hours",
                        )
                    per_day[key] += v["hours"]
                row.cleaned = (volunteer, team, existing, description)
            except RowError as exc:
                row.reject(exc, exc.code)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            result.count(row.cleaned[2], bool, False)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        now = timezone.now()
        for row in rows:
            volunteer, team, existing, description = row.cleaned
            if existing is not None:
                result.unchanged += 1
                continue
            v = row.values
            ServiceHours.objects.create(
                volunteer=volunteer,
                team=team,
                node=team.node,
                served_on=v["served_on"],
                hours=v["hours"],
                description=description,
                source=HoursSource.IMPORT,
                status=HoursStatus.CONFIRMED,
                is_open=False,
                decided_by=self.user,
                decided_at=now,
                created_by=self.user,
                import_job=self.job,
            )
            actions.credit(volunteer.pk, team, v["served_on"], v["hours"])
            result.created += 1


def hours_export_columns(show_id_numbers: bool) -> list[tuple[str, Any]]:
    ident = _id_cell(show_id_numbers)
    return [
        ("姓名", lambda h: h.volunteer.resident.name),
        ("身份证号", lambda h: ident(h.volunteer.resident)),
        ("服务队", lambda h: h.team.name),
        ("服务队所在地", lambda h: node_path_text(h.team.node, 2)),
        ("服务日期", lambda h: h.served_on),
        ("服务时长", lambda h: h.hours),
        ("服务内容", lambda h: h.description),
        ("状态", lambda h: h.get_status_display()),
    ]
