"""Demo development pipeline, reports to the home community with activities, and the yearly selection."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from shequ.core.importing import BulkInsert
from shequ.party.models import (
    CommunityReport,
    DevelopmentRecord,
    EventKind,
    OutstandingSelection,
    ReportActivity,
    Stage,
)
from shequ.party.models.common import add_years
from shequ.people.fields import id_hash_of
from shequ.people.identity import mask_id
from shequ.people.models import PoliticalStatus, Resident
from shequ.territory.models import Node

from .base import (
    ACTIVITIES,
    ACTIVITY_FIELDS,
    PIPELINE_SHARE,
    RECORD_FIELDS,
    REPORT_FIELDS,
    SELECTION_FIELDS,
    _Base,
    _Kept,
    _Org,
)


class _Pipeline(_Base):
    def introducers(self, community: str, exclude: int) -> list[_Kept]:
        pool = [m for m in self.pools.get(community, []) if m.pk != exclude]
        if len(pool) < 2:
            return []
        return self.rng.sample(pool, 2)

    def record_row(
        self,
        org: _Org,
        person: _Kept,
        stage: str,
        applied: date,
        activist: date | None = None,
        target: date | None = None,
        admitted: date | None = None,
        contacts: list[_Kept] | None = None,
        introducers: list[_Kept] | None = None,
        member: int | None = None,
        stopped: date | None = None,
        reason: str = "",
    ) -> tuple:
        pinyin, initials = self.names(person.name)
        contacts, introducers = contacts or [], introducers or []
        return (
            self.now,
            self.now,
            org.node_id,
            org.path,
            person.name,
            pinyin,
            initials,
            person.id_number,
            id_hash_of(person.id_number),
            mask_id(person.id_number),
            person.gender,
            person.born,
            person.phone,
            person.education,
            person.occupation,
            org.pk,
            person.resident_id,
            str(stage),
            applied,
            activist,
            target,
            admitted,
            contacts[0].pk if contacts else None,
            contacts[1].pk if len(contacts) > 1 else None,
            introducers[0].pk if introducers else None,
            introducers[1].pk if len(introducers) > 1 else None,
            member,
            stopped,
            reason,
            "",
        )

    def seed_development(self) -> int:
        rng, t, today = self.rng, self.titles, self.today
        rows: list[tuple] = []
        # The probationary members came through the pipeline.
        for kept in self.probationary:
            pool_key = kept.org.community or kept.home
            people = self.introducers(pool_key, kept.pk)
            admitted = kept.joined_on
            target = admitted - self.days(15, 120)
            activist = add_years(target, -1) - self.days(0, 90)
            applied = activist - self.days(60, 240)
            if len(people) < 2 or applied < add_years(kept.born, 18):
                self.event(kept.pk, EventKind.ADMITTED, admitted, t.admitted, kept.org)
                continue
            contacts = people[:1]
            rows.append(
                self.record_row(
                    kept.org,
                    kept,
                    Stage.PROBATIONARY,
                    applied,
                    activist,
                    target,
                    admitted,
                    contacts=contacts,
                    introducers=people,
                    member=kept.pk,
                )
            )
            self.event(
                kept.pk,
                EventKind.ADMITTED,
                admitted,
                t.admitted_by % {"a": people[0].name, "b": people[1].name},
                kept.org,
                details=t.admitted_details
                % {"applied": applied.isoformat(), "activist": activist.isoformat(), "target": target.isoformat()},
            )
        # Applicants, activists and development targets in progress in several communities.
        earliest_birth = add_years(today, -46)
        latest_birth = add_years(today, -21)
        for community in self.orgs.communities:
            if rng.random() >= PIPELINE_SHARE:
                continue
            pool = self.pools.get(community, [])
            if len(pool) < 2:
                continue
            candidates = list(
                Resident.objects.within(community)
                .filter(
                    archived=False,
                    political_status__in=(PoliticalStatus.LEAGUE_MEMBER, PoliticalStatus.NONE),
                    birth_date__gt=earliest_birth,
                    birth_date__lte=latest_birth,
                )
                .exclude(id_hash=None)
                .order_by("id")
                .values_list("id", "path", "name", "id_number", "gender", "birth_date", "phone", "education")[:60]
            )
            wanted = [Stage.APPLICANT] * rng.randint(1, 3) + [Stage.ACTIVIST] * rng.randint(1, 2)
            wanted += [Stage.TARGET] * rng.randint(0, 2) + [Stage.STOPPED] * (rng.random() < 0.3)
            chosen = rng.sample(candidates, min(len(wanted), len(candidates)))
            for stage, (rid, path, name, number, gender, born, phone, education) in zip(wanted, chosen, strict=False):
                org = self.orgs.home(path)
                if org is None:
                    continue
                person = _Kept(0, org, name, "", "", today, born, number, gender, phone, education, "", rid)
                contacts = rng.sample(pool, min(len(pool), rng.choice((1, 2))))
                if stage == Stage.APPLICANT:
                    rows.append(self.record_row(org, person, stage, today - self.days(10, 200)))
                elif stage == Stage.ACTIVIST:
                    activist = today - self.days(20, 400)
                    applied = activist - self.days(60, 180)
                    rows.append(self.record_row(org, person, stage, applied, activist, contacts=contacts))
                elif stage == Stage.TARGET:
                    activist = today - self.days(400, 700)
                    applied = activist - self.days(60, 200)
                    target = min(today, add_years(activist, 1) + self.days(0, 30))
                    rows.append(self.record_row(org, person, stage, applied, activist, target, contacts=contacts))
                else:
                    applied = today - self.days(200, 600)
                    stopped = applied + self.days(30, 150)
                    reason = rng.choice(("本人撤回入党申请", "工作调动离开本社区"))
                    rows.append(self.record_row(org, person, stage, applied, stopped=stopped, reason=reason))
        self.shown_applicant(rows)
        return BulkInsert(DevelopmentRecord, RECORD_FIELDS).insert(rows)

    def shown_applicant(self, rows: list[tuple]) -> None:
        """An applicant in the first community (the demo logins' one) whose designation as activist is due,
        when the draws left none there.  No draw of the generator: the rest of the demo stays as it is."""
        first = self.first_community()
        stage_at, resident_at = RECORD_FIELDS.index("stage"), RECORD_FIELDS.index("resident")
        if not first or any(r[3].startswith(first) and r[stage_at] == Stage.APPLICANT for r in rows):
            return
        used = {r[resident_at] for r in rows}
        today = self.today
        candidates = (
            Resident.objects.within(first)
            .filter(
                archived=False,
                political_status__in=(PoliticalStatus.LEAGUE_MEMBER, PoliticalStatus.NONE),
                birth_date__gt=add_years(today, -46),
                birth_date__lte=add_years(today, -21),
            )
            .exclude(id_hash=None)
            .order_by("id")
            .values_list("id", "path", "name", "id_number", "gender", "birth_date", "phone", "education")
        )
        for rid, path, name, number, gender, born, phone, education in candidates[:60]:
            org = self.orgs.home(path)
            if rid in used or org is None:
                continue
            person = _Kept(0, org, name, "", "", today, born, number, gender, phone, education, "", rid)
            rows.append(self.record_row(org, person, Stage.APPLICANT, today - timedelta(days=30)))
            return

    # -- reports ------------------------------------------------------------------------------------------

    def seed_reports(self) -> tuple[int, int]:
        rng, t, today = self.rng, self.titles, self.today
        reports = BulkInsert(CommunityReport, REPORT_FIELDS)
        chosen = []
        for kept in self.reporting:
            community = kept.home
            if not community:
                continue
            if community not in self.community_rate:
                self.community_rate[community] = rng.choice((0.3, 0.55, 0.7, 0.8, 0.9, 1.0))
            if rng.random() < self.community_rate[community]:
                chosen.append(kept)
        ids = reports.reserve_ids(len(chosen))
        community_nodes = dict(Node.objects.filter(path__in=self.orgs.communities).values_list("path", "id"))
        report_rows: list[tuple] = []
        activity_rows: list[tuple] = []
        hours_by: list[tuple[int, date, Decimal]] = []
        for pk, kept in zip(ids, chosen, strict=True):
            earliest = max(kept.joined_on, add_years(kept.born, 18))
            registered = max(earliest, today - self.days(20, 1100))
            branch = kept.home_branch if kept.home_branch and kept.home_branch.community == kept.home else None
            if branch is None:
                branch = self.orgs.home(kept.home)
            report_rows.append(
                (pk, self.now, self.now, community_nodes[kept.home], kept.home, kept.pk, branch.pk if branch else None,
                 registered, None, "")
            )  # fmt: skip
            title = t.reported % {"place": self.orgs.community_names[kept.home]}
            if branch is not None:
                title += f" · {branch.name}"
            self.event(kept.pk, EventKind.REPORT, registered, title, kept.org)
            span = (today - registered).days
            for _ in range(rng.choice((0, 1, 2, 3, 4, 5, 6, 8))):
                on = registered + timedelta(days=rng.randint(0, span))
                hours = Decimal(rng.choice(("1.0", "2.0", "2.5", "3.0", "4.0", "6.0", "8.0")))
                activity_rows.append((pk, on, rng.choice(ACTIVITIES), hours, self.now))
                hours_by.append((pk, on, hours))
            kept_report = (pk, kept, registered)
            self._reports.append(kept_report)
        reports.insert(report_rows)
        BulkInsert(ReportActivity, ACTIVITY_FIELDS).insert(activity_rows)
        self.select_outstanding(hours_by)
        return len(report_rows), len(activity_rows)

    def select_outstanding(self, hours_by: list[tuple[int, date, Decimal]]) -> None:
        """Around 1 July: each community selects its one or two on-the-job members with the most hours."""
        rng, t = self.rng, self.titles
        rows = []
        for year in (self.today.year - 1, self.today.year):
            selected_on = date(year, 7, 1)
            if selected_on > self.today:
                continue
            start = date(year - 1, 7, 1)
            totals: dict[int, Decimal] = defaultdict(Decimal)
            for report, on, hours in hours_by:
                if start <= on < selected_on:
                    totals[report] += hours
            by_community: dict[str, list[tuple[Decimal, int, _Kept]]] = defaultdict(list)
            for report, kept, registered in self._reports:
                if registered < selected_on and totals.get(report):
                    by_community[kept.home].append((totals[report], report, kept))
            for community in sorted(by_community):
                ranked = sorted(by_community[community], key=lambda item: (-item[0], item[1]))
                for total, report, kept in ranked[: 2 if len(ranked) >= 6 else 1]:
                    deed = rng.choice(("热心社区志愿服务", "带头参与社区治理", "积极参与防汛值守"))
                    citation = f"服务时长{total.normalize():f}小时，{deed}"
                    rows.append((report, year, citation, self.now))
                    place = self.orgs.community_names[community]
                    self.event(
                        kept.pk,
                        EventKind.HONOUR,
                        selected_on,
                        t.outstanding % {"year": year, "place": place},
                        kept.org,
                        details=citation,
                    )
        self.counts["outstanding"] = BulkInsert(OutstandingSelection, SELECTION_FIELDS).insert(rows)

    # -- the whole --------------------------------------------------------------------------------------
