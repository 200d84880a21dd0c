"""Party-member archives, the development pipeline, relation transfers, on-the-job reporting and dues (domain §3)."""

from .development import DevelopmentRecord, Stage
from .dues import DuesPayment
from .members import Category, EventKind, MemberEvent, MemberStatus, PartyMember
from .reports import CommunityReport, OutstandingSelection, ReportActivity
from .tally import MemberTally
from .transfers import RelationTransfer, TransferKind, TransferStatus

__all__ = [
    "Category",
    "CommunityReport",
    "DevelopmentRecord",
    "DuesPayment",
    "EventKind",
    "MemberEvent",
    "MemberStatus",
    "MemberTally",
    "OutstandingSelection",
    "PartyMember",
    "RelationTransfer",
    "ReportActivity",
    "Stage",
    "TransferKind",
    "TransferStatus",
]
