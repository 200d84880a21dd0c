"""Demo relation transfers: every kind, open (some overdue) and closed, with the members' rows adjusted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shequ.party.models import (
    Category,
    EventKind,
    MemberStatus,
    TransferKind,
    TransferStatus,
)
from shequ.party.models.common import add_years
from shequ.party.models.transfers import TRANSFER_DAYS
from shequ.people.fields import id_hash_of
from shequ.people.identity import mask_id

from .base import LETTER_PREFIXES, MEMBER_FIELDS, OUTSIDE_ORGS, _Base, _Kept, _Org


class _Transfers(_Base):
    def transfer_sets(self) -> int:
        return max(1, len(self.orgs.communities) // 9)

    def transfer_plan(self, kind: str, org: _Org, status: str) -> tuple[_Org, str, _Org | None]:
        """The member's organization and status once the transfer of *kind* is where it is, and the
        receiving organization on the platform (None for a transfer out)."""
        if kind == "in_done":
            return org, status, org
        if kind in ("out_open", "out_done"):
            return org, MemberStatus.TRANSFERRED_OUT if kind == "out_done" else status, None
        target = self.other_org(org)
        return (target if kind == "completed" else org), status, target

    def other_org(self, org: _Org) -> _Org:
        choices = self.orgs.keeping
        for _attempt in range(20):
            other = choices[self.rng.randrange(len(choices))]
            if other.community != org.community:
                return other
        return org

    def letter(self, on: date) -> str:
        return f"{self.rng.choice(LETTER_PREFIXES)}〔{on.year}〕{self.rng.randint(1, 999):04d}号"

    def transfer(self, kind: str, kept: _Kept, origin: _Org, target: _Org | None) -> None:
        """One relation transfer of *kind* for the member just made (whose row may still change)."""
        rng, today, t = self.rng, self.today, self.titles
        row: dict[str, Any] = {
            "member": kept.pk,
            "kind": TransferKind.INTERNAL,
            "from_org": origin,
            "to_org": None,
            "outside_org": "",
            "letter_number": "",
            "valid_until": None,
            "reason": rng.choice(("工作调动", "居住地变更", "随子女居住", "退休后回原籍")),
            "approved_on": None,
            "closed_on": None,
            "response": "",
            "holder": origin,
        }
        if kind in ("requested", "overdue", "approved", "completed", "rejected", "returned"):
            assert target is not None
            row["to_org"] = target
            if kind == "requested":
                row.update(status=TransferStatus.REQUESTED, requested_on=today - self.days(2, 20))
            elif kind == "overdue":
                row.update(status=TransferStatus.REQUESTED, requested_on=today - self.days(35, 80))
            elif kind == "approved":
                requested = today - self.days(6, 25)
                row.update(
                    status=TransferStatus.APPROVED, requested_on=requested, approved_on=requested + self.days(1, 5)
                )
            elif kind == "completed":
                requested = today - self.days(60, 700)
                approved = requested + self.days(1, 5)
                closed = approved + self.days(1, 10)
                row.update(
                    status=TransferStatus.COMPLETED,
                    requested_on=requested,
                    approved_on=approved,
                    closed_on=closed,
                    holder=target,
                )
                self.event(
                    kept.pk,
                    EventKind.TRANSFER,
                    closed,
                    t.transferred % {"from": origin.name, "to": target.name},
                    target,
                    details=row["reason"],
                )
            elif kind == "rejected":
                requested = today - self.days(30, 400)
                row.update(
                    status=TransferStatus.REJECTED,
                    requested_on=requested,
                    closed_on=requested + self.days(1, 7),
                    response="材料不全，请补充后重新申请",
                )
            else:
                requested = today - self.days(30, 400)
                approved = requested + self.days(1, 4)
                row.update(
                    status=TransferStatus.RETURNED,
                    requested_on=requested,
                    approved_on=approved,
                    closed_on=approved + self.days(1, 7),
                    response="经核实，该党员不在本小区居住",
                )
        elif kind in ("out_open", "out_done"):
            outside = rng.choice(OUTSIDE_ORGS)
            requested = today - (self.days(5, 40) if kind == "out_open" else self.days(60, 700))
            approved = requested + self.days(1, 3)
            row.update(
                kind=TransferKind.OUTGOING,
                outside_org=outside,
                letter_number=self.letter(approved),
                valid_until=approved + timedelta(days=90),
                requested_on=requested,
                approved_on=approved,
                status=TransferStatus.APPROVED,
            )
            if kind == "out_done":
                closed = approved + self.days(5, 60)
                row.update(status=TransferStatus.COMPLETED, closed_on=closed)
                self.patch_status(kept.pk, closed)
                self.event(
                    kept.pk,
                    EventKind.TRANSFER,
                    closed,
                    t.transferred_out % {"to": outside, "letter": row["letter_number"]},
                    origin,
                )
        else:  # in_done: the member came from outside the platform
            assert target is not None
            outside = rng.choice(OUTSIDE_ORGS)
            requested = today - self.days(60, 700)
            closed = requested + self.days(1, 10)
            row.update(
                kind=TransferKind.INCOMING,
                from_org=None,
                to_org=target,
                outside_org=outside,
                letter_number=self.letter(requested),
                valid_until=requested + timedelta(days=60),
                requested_on=requested,
                closed_on=closed,
                status=TransferStatus.COMPLETED,
                holder=target,
                person=(kept.name, kept.id_number, kept.status, kept.joined_on, kept.category),
            )
            self.event(
                kept.pk,
                EventKind.TRANSFER,
                closed,
                t.transferred_in % {"from": outside, "letter": row["letter_number"]},
                target,
            )
        self.add_transfer(row)

    def patch_status(self, pk: int, on: date) -> None:
        """The member row just appended: transferred out on *on*."""
        row = list(self.member_rows[-1])
        assert row[0] == pk
        row[MEMBER_FIELDS.index("status_changed_on")] = on
        self.member_rows[-1] = tuple(row)

    def incoming_open(self) -> None:
        """Members announced by a letter from outside the platform, not arrived yet (no archive)."""
        rng = self.rng
        for _ in range(self.transfer_sets()):
            target = self.orgs.keeping[rng.randrange(len(self.orgs.keeping))]
            name, number, gender, born, _education = self.outsider(30)
            full = self.full_dates(born, add_years(self.today, -2))
            if full is None:
                continue
            requested = self.today - self.days(1, 20)
            self.add_transfer(
                {
                    "member": None,
                    "kind": TransferKind.INCOMING,
                    "status": TransferStatus.REQUESTED,
                    "from_org": None,
                    "to_org": target,
                    "outside_org": rng.choice(OUTSIDE_ORGS),
                    "letter_number": self.letter(requested),
                    "valid_until": requested + timedelta(days=60),
                    "reason": "居住地变更",
                    "requested_on": requested,
                    "approved_on": None,
                    "closed_on": None,
                    "response": "",
                    "holder": target,
                    "person": (name, number, MemberStatus.FULL, full[0], Category.RETIRED),
                }
            )

    def add_transfer(self, row: dict[str, Any]) -> None:
        status = row["status"]
        is_open = status in (TransferStatus.REQUESTED, TransferStatus.APPROVED)
        holder: _Org = row["holder"]
        to_org: _Org | None = row["to_org"]
        from_org: _Org | None = row["from_org"]
        due = row["valid_until"] or row["requested_on"] + timedelta(days=TRANSFER_DAYS)
        name, number, member_status, joined, category = row.get("person") or ("", "", "", None, "")
        self.transfers.append(
            (
                self.now,
                self.now,
                holder.node_id,
                holder.path,
                row["member"],
                str(row["kind"]),
                str(status),
                is_open,
                from_org.pk if from_org else None,
                to_org.pk if to_org else None,
                to_org.path if to_org else "",
                row["outside_org"],
                row["letter_number"],
                row["valid_until"],
                row["reason"],
                row["requested_on"],
                due,
                row["approved_on"],
                row["closed_on"],
                row["response"],
                name,
                number,
                id_hash_of(number) if number else None,
                mask_id(number) if number else "",
                str(member_status),
                joined,
                str(category),
            )
        )

    # -- development --------------------------------------------------------------------------------------
