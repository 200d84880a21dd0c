"""The service catalogue, routing rules and residents' requests (domain §4.1)."""

from .catalogue import (
    CatalogueQuerySet,
    Datatype,
    DeadlineTier,
    DeadlineUnit,
    RoutingRule,
    ServiceAttribute,
    ServiceCategory,
    public_q,
)
from .requests import (
    OPEN_STATUSES,
    UNSATISFIED_MAX,
    Attachment,
    CaseEvent,
    Channel,
    EventKind,
    ServiceRequest,
    Status,
    SubTask,
    SubTaskStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "UNSATISFIED_MAX",
    "Attachment",
    "CaseEvent",
    "CatalogueQuerySet",
    "Channel",
    "Datatype",
    "DeadlineTier",
    "DeadlineUnit",
    "EventKind",
    "RoutingRule",
    "ServiceAttribute",
    "ServiceCategory",
    "ServiceRequest",
    "Status",
    "SubTask",
    "SubTaskStatus",
    "public_q",
]
