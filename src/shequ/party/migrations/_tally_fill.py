"""Filling the statistics' rollup from the members, for the migrations (0003, 0005)."""

from typing import Any


def fill(apps: Any, schema_editor: Any) -> None:
    from shequ.orgs.models import PARTY_KINDS
    from shequ.party.tally import MEMBER_COLUMNS, count_rows

    member = apps.get_model("party", "PartyMember")
    tally = apps.get_model("party", "MemberTally")
    organization = apps.get_model("orgs", "Organization")
    parents = dict(organization.objects.filter(kind__in=PARTY_KINDS).values_list("pk", "parent_id"))
    counts = count_rows(member.objects.order_by("pk").values_list(*MEMBER_COLUMNS).iterator(chunk_size=5000), parents)
    tally.objects.bulk_create(
        (tally(path=p, dimension=d, key=k[:24], active=a, count=n) for (p, d, k, a), n in counts.items()),
        batch_size=5000,
    )
