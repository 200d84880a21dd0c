"""Demo members: the residents who are members, and those who do not live in the territory; their dues."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from shequ.party.dues import monthly_dues
from shequ.party.models import (
    Category,
    EventKind,
    MemberStatus,
)
from shequ.party.models.common import add_years
from shequ.people.fields import id_hash_of
from shequ.people.identity import mask_id
from shequ.people.models import Employment, PoliticalStatus, ResidenceType, Resident

from .base import CHUNK, ELSEWHERE_SHARE, OCCUPATIONS, SCHOOLS, TRANSFER_TYPES, WORK_UNITS, _Kept, _Org
from .transfers import _Transfers


class _Members(_Transfers):
    def member(
        self,
        org: _Org,
        *,
        name: str,
        id_number: str,
        id_hash: str,
        gender: str,
        born: date,
        status: str,
        category: str,
        joined: date,
        converted: date | None,
        ends: date | None,
        extended: bool,
        phone: str = "",
        education: str = "",
        ethnicity: str = "汉族",
        resident_id: int | None = None,
        work_unit: str = "",
        occupation: str = "",
        changed: date | None = None,
    ) -> int:
        rng = self.rng
        pk = self.next_id()
        pinyin, initials = self.names(name)
        base: Decimal | None = None
        allowance = False
        if category in (Category.ON_THE_JOB, Category.FLOATING, Category.OTHER):
            base = Decimal(max(2000, min(40000, int(rng.lognormvariate(8.6, 0.45)) // 100 * 100)))
        elif category == Category.RETIRED:
            base = Decimal(max(1500, min(12000, int(rng.lognormvariate(8.2, 0.35)) // 100 * 100)))
        elif category == Category.LAID_OFF:
            allowance = rng.random() < 0.2
        if changed is None:
            changed = converted if status == MemberStatus.FULL else joined
        self.member_rows.append(
            (
                pk,
                self.now,
                self.now,
                org.node_id,
                org.path,
                name,
                pinyin,
                initials,
                id_number,
                id_hash,
                mask_id(id_number),
                gender,
                born,
                phone,
                education,
                occupation,
                resident_id,
                ethnicity,
                work_unit,
                str(status),
                changed,
                str(category),
                org.pk,
                joined,
                converted if converted is not None else ends,
                extended,
                converted,
                base,
                allowance,
                "",
            )
        )
        t = self.titles
        if status != MemberStatus.PROBATIONARY:  # a probationary member's admission is written with the pipeline
            self.event(pk, EventKind.ADMITTED, joined, t.admitted, org)
        if extended:
            end = converted or ends or joined
            months = max(1, min(12, round((end - add_years(joined, 1)).days / 30.44)))
            self.event(
                pk,
                EventKind.PROBATION_EXTENDED,
                add_years(joined, 1),
                t.extended % {"months": months, "end": end.isoformat()},
                org,
            )
        if converted is not None:
            self.event(pk, EventKind.CONVERTED, converted, t.converted, org)
        if joined.year < self.today.year and rng.random() < 0.25 and status in (MemberStatus.FULL,):
            on = date(self.today.year - 1, 11, rng.randint(2, 28))
            hours = Decimal(rng.choice((8, 12, 16)))
            self.event(pk, EventKind.TRAINING, on, f"{on.year}年度党员集中轮训", org, hours=hours)
        if status in (MemberStatus.FULL, MemberStatus.PROBATIONARY) and org.path.startswith(self.dues_area):
            self.dues(pk, org, joined, category, base, allowance)
        return pk

    def dues(self, pk: int, org: _Org, joined: date, category: str, base: Decimal | None, allowance: bool) -> None:
        from shequ.party.arrears import months_due

        rng = self.rng
        amount = monthly_dues(category, base, allowance)
        months = months_due(joined, self.today.year, self.today)
        if self.today.day > 10 and rng.random() < 0.4 and joined.replace(day=1) <= self.today.replace(day=1):
            months.append(self.today.replace(day=1))
        draw = rng.random()
        if draw < 0.08 and months:
            months = months[: -rng.randint(1, min(3, len(months)))]  # behind by a few months
        elif draw < 0.12 and len(months) > 2:
            for gone in rng.sample(months, rng.randint(1, min(5, len(months) - 1))):
                months.remove(gone)
        for month in months:
            paid = min(self.today, max(joined, month + timedelta(days=rng.randint(2, 35))))
            self.dues_rows.append((self.now, self.now, org.node_id, org.path, pk, month, base, amount, paid))

    def keep(self, kept: _Kept) -> None:
        if kept.status == MemberStatus.FULL and kept.org.community:
            pool = self.pools[kept.org.community]
            if len(pool) < 8:
                pool.append(kept)

    def resident_members(self) -> Iterator[tuple]:
        statuses = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)
        return (
            Resident.objects.within(self.city.path)
            .filter(archived=False, political_status__in=statuses)
            .order_by("id")
            .values_list(
                "id",
                "path",
                "name",
                "id_number",
                "id_hash",
                "gender",
                "birth_date",
                "phone",
                "ethnicity",
                "education",
                "political_status",
                "employment",
                "residence_type",
            )
            .iterator(chunk_size=CHUNK)
        )

    def seed_residents(self) -> int:
        rng = self.rng
        made = 0
        for row in self.resident_members():
            rid, path, name, number, id_hash, gender, born, phone, ethnicity, education, political, job, residence = row
            home_branch = self.orgs.home(path)
            if home_branch is None or born is None or not number:
                self.counts["skipped"] += 1
                continue
            if political == PoliticalStatus.PROBATIONARY:
                dates = self.shown_probation(path, born, self.probation_dates(born))
                if dates is None:
                    self.counts["skipped"] += 1
                    continue
                joined, ends, extended = dates
                status, converted = MemberStatus.PROBATIONARY, None
            else:
                full = self.full_dates(born)
                if full is None:  # too young to be a full member: the register is wrong
                    self.counts["skipped"] += 1
                    continue
                joined, converted, extended = full
                status, ends = MemberStatus.FULL, None
            category = {
                Employment.EMPLOYED: Category.ON_THE_JOB,
                Employment.SELF_EMPLOYED: Category.ON_THE_JOB,
                Employment.RETIRED: Category.RETIRED,
                Employment.UNEMPLOYED: Category.LAID_OFF,
                Employment.STUDENT: Category.STUDENT,
            }.get(job, Category.OTHER)
            if residence == ResidenceType.LEFT:
                category = Category.FLOATING
            org, work_unit, occupation = home_branch, "", ""
            home = self.orgs.community_of(path)
            if category == Category.ON_THE_JOB:
                occupation = rng.choice(OCCUPATIONS)
                work_unit = rng.choice(WORK_UNITS)
                if status == MemberStatus.FULL and rng.random() < ELSEWHERE_SHARE:
                    org, work_unit, occupation = self.workplace(home_branch)
            elif category == Category.STUDENT:
                work_unit = rng.choice(SCHOOLS)
            pk = self.member(
                org,
                name=name,
                id_number=number,
                id_hash=id_hash,
                gender=gender,
                born=born,
                status=status,
                category=category,
                joined=joined,
                converted=converted,
                ends=ends,
                extended=extended,
                phone=phone,
                education=education,
                ethnicity=ethnicity or "汉族",
                resident_id=rid,
                work_unit=work_unit,
                occupation=occupation,
            )
            kept = _Kept(
                pk,
                org,
                name,
                status,
                category,
                joined,
                born,
                number,
                gender,
                phone,
                education,
                occupation,
                rid,
                home,
                home_branch,
            )
            self.keep(kept)
            if status == MemberStatus.PROBATIONARY:
                self.probationary.append(kept)
            if org is not home_branch:
                self.reporting.append(kept)
            made += 1
        return made

    def workplace(self, home: _Org) -> tuple[_Org, str, str]:
        """Where an on-the-job member keeps the relation: the street office or another community's office."""
        rng = self.rng
        street = self.orgs.street.get(home.street)
        if street is not None and rng.random() < 0.5:
            return street, street.name.replace("党工委", "办事处"), "公务员"
        others = [c for c in self.orgs.committee.values() if c.community != home.community]
        if not others:
            return (street, street.name, "公务员") if street is not None else (home, "", "")
        other = others[rng.randrange(len(others))]
        return other, self.orgs.community_names[other.community] + "居民委员会", "社区工作者"

    def seed_outsiders(self, count: int) -> None:
        rng = self.rng
        orgs = self.orgs.keeping
        streets = list(self.orgs.street.values())
        every = max(1, count // max(1, self.transfer_sets() * len(TRANSFER_TYPES)))
        kinds = iter(TRANSFER_TYPES * self.transfer_sets())
        for index in range(count):
            transfer = next(kinds, None) if index % every == every - 1 else None
            if streets and rng.random() < 0.04:
                org = streets[rng.randrange(len(streets))]
            else:
                org = orgs[rng.randrange(len(orgs))]
            name, number, gender, born, education = self.outsider(30 if transfer else 18)
            age = self.gen.today.year - born.year
            retire = 60 if gender == "M" else 55
            if age >= retire:
                category = Category.RETIRED if rng.random() < 0.92 else Category.OTHER
            elif age <= 24 and rng.random() < 0.5:
                category = Category.STUDENT
            else:
                category = rng.choices(
                    (Category.ON_THE_JOB, Category.FLOATING, Category.LAID_OFF, Category.OTHER),
                    weights=(75, 10, 7, 8),
                )[0]
            status: str = MemberStatus.FULL
            probation = rng.random() < 0.03 and transfer is None
            dates = self.probation_dates(born) if probation else None
            if dates is not None:
                joined, ends, extended = dates
                converted, status = None, MemberStatus.PROBATIONARY
            else:
                latest = add_years(self.today, -3) if transfer else None
                full = self.full_dates(born, latest)
                if full is None:
                    continue
                joined, converted, extended = full
                ends = None
            changed = None
            if transfer is None and status == MemberStatus.FULL:
                draw = rng.random()
                if draw < 0.008 and age >= 70:
                    status, changed = MemberStatus.DECEASED, self.today - self.days(10, 700)
                elif draw < 0.012:
                    status, changed = MemberStatus.LOST_CONTACT, self.today - self.days(30, 900)
            final, target = org, None
            if transfer is not None:
                final, status, target = self.transfer_plan(transfer, org, status)
            id_hash = id_hash_of(number)
            work_unit = rng.choice(WORK_UNITS) if category == Category.ON_THE_JOB else ""
            occupation = rng.choice(OCCUPATIONS) if category == Category.ON_THE_JOB else ""
            if category == Category.STUDENT:
                work_unit = rng.choice(SCHOOLS)
            if changed is not None and converted is not None and changed < converted:
                changed = converted
            pk = self.member(
                final,
                name=name,
                id_number=number,
                id_hash=id_hash,
                gender=gender,
                born=born,
                status=status,
                category=category,
                joined=joined,
                converted=converted,
                ends=ends,
                extended=extended,
                phone=self.gen.phone(age),
                education=education,
                work_unit=work_unit,
                occupation=occupation,
                changed=changed,
            )
            kept = _Kept(pk, final, name, status, category, joined, born, number, gender)
            if status in (MemberStatus.DECEASED, MemberStatus.LOST_CONTACT):
                assert changed is not None
                self.event(
                    pk,
                    EventKind.STATUS_CHANGED,
                    changed,
                    self.titles.status
                    % {"old": self.titles.statuses[MemberStatus.FULL], "new": self.titles.statuses[status]},
                    final,
                )
            if transfer is not None:
                self.transfer(transfer, kept, org, target)
            else:
                self.keep(kept)
            if status == MemberStatus.PROBATIONARY:
                self.probationary.append(kept)
            elif category == Category.ON_THE_JOB and status == MemberStatus.FULL and rng.random() < 0.02:
                # Registered as living elsewhere, but reporting to a community all the same.
                kept.home = self.orgs.communities[rng.randrange(len(self.orgs.communities))]
                self.reporting.append(kept)

    # -- transfers --------------------------------------------------------------------------------------
