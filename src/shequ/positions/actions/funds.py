"""Writes on the work-fund ledger: the special account, entries recorded then approved (a workflow, ``WORKFLOW``),
reversing entries, and the quarterly statement published on the portal (``do_publish_statement``).

Invariants kept here, under a lock on the account: a book's balance is the sum of its approved entries and is
never negative; an approved entry never changes (corrections are reversing entries); the yearly rollup
(``FundYear``) moves in the same transaction as the balance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.indicators import mark_dirty
from shequ.core.models import TimelineKind
from shequ.core.workflow import Step, Workflow
from shequ.positions.indicators import PARTY_FUNDS, WORK_FUNDS, WORK_FUNDS_HOUSEHOLDS
from shequ.positions.models import (
    ALLOCATION_CATEGORIES,
    MAX_AMOUNT,
    UPKEEP_CATEGORIES,
    Book,
    Category,
    EntryAttachment,
    EntryEvent,
    EntryKind,
    EntryStatus,
    FundAccount,
    FundYear,
    LedgerEntry,
    Statement,
    mask_account,
)
from shequ.territory.models import Kind

# Who approves entries (a community worker records them; the street approves).
APPROVERS = ("street_officer", "district_officer", "city_admin")


def do_open_account(
    *, acting_user: Any, node: Any, bank: str, number: str, opened_on: date | None = None
) -> FundAccount:
    if node is None or node.kind != Kind.COMMUNITY:
        raise FieldErrors([{"field": "node", "message": _("Choose a community.")}])
    if FundAccount.objects.filter(node=node).exists():
        raise FieldErrors([{"field": "node", "message": _("This community already has its special account.")}])
    digits = number.replace(" ", "")
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise FieldErrors([{"field": "number", "message": _("An account number has 8 to 30 digits.")}])
    account = FundAccount(node=node, bank=bank, number=digits, opened_on=opened_on)
    with acting_as(acting_user), transaction.atomic():
        account.save()
        ensure_in_scope(account, acting_user, "add")
    return account


def check_entry(account: FundAccount, book: str, kind: str, category: str, amount: Decimal) -> None:
    errors = []
    if book not in Book.values:
        errors.append({"field": "book", "message": _("Choose a book.")})
    if kind not in (EntryKind.ALLOCATION, EntryKind.SPENDING):
        errors.append({"field": "kind", "message": _("Choose allocation or spending.")})
    if category not in Category.values:
        errors.append({"field": "category", "message": _("Choose a category.")})
    elif kind == EntryKind.ALLOCATION and category not in ALLOCATION_CATEGORIES:
        errors.append(
            {
                "field": "category",
                "message": _("An allocation comes from the city, district, street or another source."),
            }
        )
    elif kind == EntryKind.SPENDING and category in ALLOCATION_CATEGORIES:
        errors.append({"field": "category", "message": _("Choose what the money was spent on.")})
    elif kind == EntryKind.SPENDING and (category in UPKEEP_CATEGORIES) != (book == Book.UPKEEP):
        errors.append(
            {
                "field": "category",
                "message": _("Heating, utilities and maintenance are kept apart, in their own book only."),
            }
        )
    if amount is None or amount <= 0:
        errors.append({"field": "amount", "message": _("The amount must be more than zero.")})
    elif amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        errors.append({"field": "amount", "message": _("At most 100,000,000 yuan, in fen.")})
    if errors:
        raise FieldErrors(errors)


def _balance_after(account: FundAccount, book: str, change: Decimal) -> Decimal:
    after = account.balance(book) + change
    if after < 0:
        raise ActionError(
            _("The %(book)s balance is %(balance)s yuan: this entry would make it negative.")
            % {"book": Book(book).label, "balance": account.balance(book)},
            code="negative_balance",
        )
    return after


def do_record_entry(
    *,
    acting_user: Any,
    account: FundAccount,
    book: str,
    kind: str,
    category: str,
    amount: Decimal,
    occurred_on: date,
    voucher: str = "",
    description: str = "",
) -> LedgerEntry:
    """Record an entry awaiting approval; spending beyond the approved balance is refused at once."""
    amount = Decimal(amount)
    check_entry(account, book, kind, category, amount)
    if occurred_on > timezone.localdate():
        raise FieldErrors([{"field": "occurred_on", "message": _("The date cannot be in the future.")}])
    signed = amount if kind == EntryKind.ALLOCATION else -amount
    with acting_as(acting_user), transaction.atomic():
        if signed < 0:
            _balance_after(FundAccount.objects.select_for_update().get(pk=account.pk), book, signed)
        entry = LedgerEntry(
            account=account,
            node_id=account.node_id,
            book=book,
            kind=kind,
            category=category,
            amount=signed,
            occurred_on=occurred_on,
            voucher=voucher,
            description=description,
            status=EntryStatus.PENDING,
            is_open=True,
            recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        entry.save()
        ensure_in_scope(entry, acting_user, "add")
        WORKFLOW.log(entry, TimelineKind.STATUS, user=acting_user, text=_("Recorded."), to_status=entry.status)
    return entry


def _post(entry: LedgerEntry, account: FundAccount) -> None:
    """Credit an approved entry to its account's balance and to the yearly rollup (under the account's lock)."""
    after = _balance_after(account, entry.book, Decimal(entry.amount))
    FundAccount.objects.filter(pk=account.pk).update(**{f"{entry.book}_balance": after})
    setattr(account, f"{entry.book}_balance", after)
    kind = entry.reverses.kind if entry.reverses_id and entry.reverses else entry.kind
    year, _created = FundYear.objects.get_or_create(
        node_id=account.node_id, year=entry.occurred_on.year, book=entry.book, defaults={"path": account.path}
    )
    if kind == EntryKind.ALLOCATION:
        FundYear.objects.filter(pk=year.pk).update(allocated=F("allocated") + entry.amount)
    else:
        FundYear.objects.filter(pk=year.pk).update(spent=F("spent") - entry.amount)
    mark_dirty([WORK_FUNDS, WORK_FUNDS_HOUSEHOLDS, PARTY_FUNDS], account.node)


def _locked_account(entry: LedgerEntry) -> FundAccount:
    return FundAccount.objects.select_for_update().select_related("node").get(pk=entry.account_id)


def do_approve_entry(entry: Any, *, acting_user: Any) -> LedgerEntry:
    """Approve a recorded entry: it counts in the balance from now on and never changes again."""
    with WORKFLOW.transition(entry, "approve", acting_user=acting_user) as move:
        account = _locked_account(move.case)
        _post(move.case, account)
        move.case.approved_at = timezone.now()
        move.to(EntryStatus.APPROVED, _("Approved."))
    return move.case


def do_reject_entry(entry: Any, *, acting_user: Any, reason: str) -> LedgerEntry:
    with WORKFLOW.transition(entry, "reject", acting_user=acting_user) as move:
        move.to(EntryStatus.REJECTED, reason)
        if move.case.recorded_by_id:
            move.notify([move.case.recorded_by], _("A ledger entry was rejected: %(reason)s") % {"reason": reason})
    return move.case


def do_reverse_entry(entry: Any, *, acting_user: Any, reason: str) -> LedgerEntry:
    """Correct an approved entry by a reversing entry of the opposite amount (approved at once); the original
    stays as it was.  Returns the reversing entry."""
    with WORKFLOW.transition(entry, "reverse", acting_user=acting_user) as move:
        original = move.case
        if original.kind == EntryKind.REVERSAL or LedgerEntry.objects.filter(reverses=original).exists():
            raise ActionError(_("This entry has already been reversed."), code="reversed")
        account = _locked_account(original)
        reversal = LedgerEntry(
            account=account,
            node_id=account.node_id,
            book=original.book,
            kind=EntryKind.REVERSAL,
            category=original.category,
            amount=-original.amount,
            occurred_on=timezone.localdate(),
            voucher=original.voucher,
            description=reason[:200],
            status=EntryStatus.APPROVED,
            is_open=False,
            reverses=original,
            recorded_by=move.user,
            approved_at=timezone.now(),
        )
        reversal.save()
        _post(reversal, account)
        WORKFLOW.log(reversal, TimelineKind.STATUS, user=move.user, text=reason, to_status=reversal.status)
        move.log(TimelineKind.COMMENT, _("Reversed: %(reason)s") % {"reason": reason})
    return reversal


def do_attach_voucher(entry: Any, *, acting_user: Any, upload: Any) -> EntryAttachment:
    """A voucher (invoice, receipt, transfer slip) of an entry awaiting approval; an approved entry's vouchers
    never change (a correction is a reversing entry, with its own)."""
    from shequ.services.actions.attachments import check_upload

    name, content_type = check_upload(upload)
    with WORKFLOW.transition(entry, "attach", acting_user=acting_user) as move:
        found = EntryAttachment.store(
            upload,
            folder="positions",
            key=f"entry-{move.case.pk}",
            name=name,
            content_type=content_type,
            entry=move.case,
        )
        move.log(TimelineKind.ATTACHMENT, _("Voucher attached: %(name)s") % {"name": name})
    return found


def _not_reversed(entry: LedgerEntry) -> str:
    if entry.kind == EntryKind.REVERSAL:
        return _("A reversing entry is not reversed again.")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        return _("This entry has already been reversed.")
    return ""


def do_update_entry(entry: LedgerEntry, *, acting_user: Any) -> LedgerEntry:
    """Change an entry still awaiting approval (an approved one never changes)."""
    stored = LedgerEntry.objects.filter(pk=entry.pk).values_list("status", flat=True).first()
    if stored != EntryStatus.PENDING:
        raise ActionError(_("An approved entry is never changed: record a reversing entry instead."), code="approved")
    amount = abs(Decimal(entry.amount))
    check_entry(entry.account, entry.book, entry.kind, entry.category, amount)
    entry.amount = amount if entry.kind == EntryKind.ALLOCATION else -amount
    with acting_as(acting_user), transaction.atomic():
        entry.save()
        ensure_in_scope(entry, acting_user, "change")
    return entry


WORKFLOW = Workflow(
    LedgerEntry,
    states=EntryStatus,
    open_states=(EntryStatus.PENDING,),
    timeline=EntryEvent,
    timeline_fk="entry",
    steps=[
        Step(
            "approve",
            gettext_lazy("Approve"),
            run=lambda u, e, d: do_approve_entry(e, acting_user=u),
            states=(EntryStatus.PENDING,),
            roles=APPROVERS,
            style="primary",
        ),
        Step(
            "reject",
            gettext_lazy("Reject"),
            form="shequ.core.forms.ReasonForm",
            run=lambda u, e, d: do_reject_entry(e, acting_user=u, reason=d["reason"]),
            states=(EntryStatus.PENDING,),
            roles=APPROVERS,
            style="danger",
        ),
        Step(
            "attach",
            gettext_lazy("Attach a voucher"),
            lambda u, e, d: do_attach_voucher(e, acting_user=u, upload=d["file"]),
            states=(EntryStatus.PENDING,),
            form="shequ.positions.forms.VoucherForm",
            files=True,
            api=False,
        ),
        Step(
            "reverse",
            gettext_lazy("Reverse"),
            form="shequ.core.forms.ReasonForm",
            run=lambda u, e, d: do_reverse_entry(e, acting_user=u, reason=d["reason"]),
            states=(EntryStatus.APPROVED,),
            roles=APPROVERS,
            guard=_not_reversed,
            guard_code="reversed",
        ),
    ],
    timeline_title=gettext_lazy("History of the entry"),
)


# -- the quarterly statement ---------------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def statement_totals(account: FundAccount, year: int, quarter: int) -> dict[str, Any]:
    """Per book: opening balance, money in, money out, closing balance, and the amounts by category, from the
    approved entries (a reversal counts under its original's category)."""
    start, end = quarter_bounds(year, quarter)
    approved = LedgerEntry.objects.filter(account=account, status=EntryStatus.APPROVED)
    opening = dict(
        approved.filter(occurred_on__lt=start).values("book").annotate(s=Sum("amount")).values_list("book", "s")
    )
    rows = (
        approved.filter(occurred_on__gte=start, occurred_on__lt=end)
        .values("book", "category")
        .annotate(s=Sum("amount"))
        .order_by("book", "category")
    )
    books: dict[str, Any] = {
        b: {"opening": Decimal(opening.get(b) or 0), "in": Decimal(0), "out": Decimal(0), "categories": {}}
        for b in Book.values
    }
    for row in rows:
        book = books[row["book"]]
        amount = Decimal(row["s"] or 0)
        book["categories"][row["category"]] = _money(amount)
        if row["category"] in ALLOCATION_CATEGORIES:
            book["in"] += amount
        else:
            book["out"] -= amount
    for book in books.values():
        book["closing"] = _money(book["opening"] + book["in"] - book["out"])
        book["opening"], book["in"], book["out"] = _money(book["opening"]), _money(book["in"]), _money(book["out"])
    return books


def do_publish_statement(*, acting_user: Any, node: Any, year: int, quarter: int) -> Statement:
    """Publish (or publish again, corrected) the quarterly statement of a community's account on the portal."""
    if not 1 <= quarter <= 4:
        raise FieldErrors([{"field": "quarter", "message": _("A quarter is 1 to 4.")}])
    start, _end = quarter_bounds(year, quarter)
    if start > timezone.localdate():
        raise FieldErrors([{"field": "quarter", "message": _("This quarter has not begun yet.")}])
    account = FundAccount.objects.restrict(acting_user, "view").filter(node=node).first()
    if account is None:
        raise NotFound()
    with acting_as(acting_user), transaction.atomic():
        statement, _created = Statement.objects.update_or_create(
            node=account.node,
            year=year,
            quarter=quarter,
            defaults={
                "bank": account.bank,
                "masked_number": mask_account(account.number),
                "totals": statement_totals(account, year, quarter),
                "published_at": timezone.now(),
                "path": account.path,
            },
        )
        ensure_in_scope(statement, acting_user, "add")
        _to_the_board(statement, acting_user)
    return statement


BOARD_DAYS = 92  # a quarterly statement stays on the board until the next one is due


def _to_the_board(statement: Statement, acting_user: Any) -> None:
    """The statement, in short, on the community's public board (finances: 财务公开), with a link to it in full."""
    from django.urls import reverse

    from shequ.governance.actions import do_publish_disclosure
    from shequ.governance.models import DisclosureKind

    lines = [
        _("%(book)s: at the start %(opening)s yuan, in %(in)s yuan, out %(out)s yuan, at the end %(closing)s yuan.")
        % {"book": Book(book).label, **{k: figures[k] for k in ("opening", "in", "out", "closing")}}
        for book, figures in statement.totals.items()
        if any(Decimal(figures[k]) for k in ("opening", "in", "out", "closing"))
    ]
    lines.append(
        _("The statement in full: %(url)s") % {"url": reverse("positions:portal_statement", args=[statement.pk])}
    )
    today = timezone.localdate()
    do_publish_disclosure(
        acting_user=acting_user,
        node=statement.node,
        kind=DisclosureKind.FINANCE,
        title=_("Community funds, %(year)s quarter %(quarter)s")
        % {"year": statement.year, "quarter": statement.quarter},
        body="\n".join(str(line) for line in lines),
        published_on=today,
        expires_on=today + timedelta(days=BOARD_DAYS),
    )
