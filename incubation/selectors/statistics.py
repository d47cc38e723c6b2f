"""Figures centres report (统计): a funnel per call, per field or per period of submission.

Stages, each counted once per proposal that *ever reached* it (from the audit history, so a later
rejection or withdrawal does not remove a proposal from the stages it passed):

- entered (入库): submitted (`submitted_at` is set by every submission);
- screened: passed formal screening, i.e. reached in_review or any later state;
- reviewed: reached the panel (panel or any later state);
- approved (立项): reached approved (or a later funding state) and the approval still stands: a
  proposal sent back to the panel by an upheld objection and now in panel / rejected /
  invited to resubmit no longer counts;
- funded: reached funded.

Money from the ledger (commitments − returns = committed; releases = paid), and outcomes of the
projects: graduated, companies founded, financing raised (sum of financing rounds) and registered
technology contract value (sum of technology contracts).

Every figure comes from a fixed number of aggregate queries (one per source table), whatever
the number of proposals, calls or groups. Amounts are summed as recorded; a centre whose
funds use several currencies should filter by call.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from core.exports import safe_row
from core.i18n import localized
from funding.enums import LedgerKind
from funding.models import LedgerEntry
from incubation.enums import ProjectStatus
from incubation.models import FinancingRound, Project, TechContract
from proposals.enums import Field, ProposalStatus as S
from proposals.models import AuditEntry, Call, Proposal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

GROUPS = {
    "call": gettext_lazy("Call"),
    "field": gettext_lazy("Field"),
    "year": gettext_lazy("Year of submission"),
    "quarter": gettext_lazy("Quarter of submission"),
}

# the states from which on a stage counts as reached
SCREENED = [S.IN_REVIEW, S.PANEL, S.REJECTED, S.RESUBMIT_INVITED, S.APPROVED, S.FUNDING, S.FUNDED, S.FUNDING_DECLINED]
REVIEWED = [S.PANEL, S.REJECTED, S.RESUBMIT_INVITED, S.APPROVED, S.FUNDING, S.FUNDED, S.FUNDING_DECLINED]
APPROVED = [S.APPROVED, S.FUNDING, S.FUNDED, S.FUNDING_DECLINED]
APPROVAL_REVOKED = [S.PANEL, S.REJECTED, S.RESUBMIT_INVITED]  # back to the panel after an upheld objection
FUNDED = [S.FUNDED]

# (attribute, header, kind): kind is "count" or "money"
COLUMNS = [
    ("entered", gettext_lazy("Entered (入库)"), "count"),
    ("screened", gettext_lazy("Passed formal screening"), "count"),
    ("reviewed", gettext_lazy("Reached the panel"), "count"),
    ("approved", gettext_lazy("Approved (立项)"), "count"),
    ("funded", gettext_lazy("Funded"), "count"),
    ("committed", gettext_lazy("Amount committed"), "money"),
    ("paid", gettext_lazy("Amount paid"), "money"),
    ("graduated", gettext_lazy("Projects graduated"), "count"),
    ("companies", gettext_lazy("Companies founded"), "count"),
    ("financing", gettext_lazy("Financing raised"), "money"),
    ("contracts", gettext_lazy("Registered contract value"), "money"),
]
STAGES = ["entered", "screened", "reviewed", "approved", "funded", "graduated"]


@dataclass
class FunnelRow:
    key: object
    label: str
    sort: tuple = ()
    entered: int = 0
    screened: int = 0
    reviewed: int = 0
    approved: int = 0
    funded: int = 0
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    graduated: int = 0
    companies: int = 0
    financing: Decimal = ZERO
    contracts: Decimal = ZERO

    def values(self) -> list:
        return [getattr(self, attr) for attr, _label, _kind in COLUMNS]

    def cells(self) -> list[dict]:
        return [{"value": getattr(self, attr), "money": kind == "money"} for attr, _label, kind in COLUMNS]


@dataclass
class Funnel:
    group: str
    date_from: dt.date | None
    date_to: dt.date | None
    rows: list[FunnelRow] = field(default_factory=list)
    total: FunnelRow | None = None

    @property
    def group_label(self) -> str:
        return str(GROUPS[self.group])


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _period_filter(prefix: str, date_from, date_to) -> Q:
    """Proposals submitted between the two local days (both included)."""
    q = Q(**{f"{prefix}submitted_at__isnull": False})
    if date_from:
        q &= Q(**{f"{prefix}submitted_at__gte": _day_start(date_from)})
    if date_to:
        q &= Q(**{f"{prefix}submitted_at__lt": _day_start(date_to + dt.timedelta(days=1))})
    return q


def _group_values(group: str, prefix: str) -> dict:
    """The expressions a query groups by; `key` identifies the group across the queries."""
    if group == "call":
        return {"key": F(f"{prefix}call_id")}
    if group == "field":
        return {"key": F(f"{prefix}field")}
    trunc = TruncYear if group == "year" else TruncQuarter
    return {"key": trunc(f"{prefix}submitted_at", tzinfo=timezone.get_current_timezone())}


def _grouped(queryset, group, prefix, **aggregates):
    """{key: {aggregate: value}} in one query."""
    rows = queryset.annotate(**_group_values(group, prefix)).values("key").annotate(**aggregates).order_by()
    return {_normalise(row["key"]): row for row in rows}


def _normalise(key):
    # a truncated period comes back as an aware datetime (or a date on some backends): key it by its date
    if isinstance(key, dt.datetime):
        return timezone.localtime(key).date() if timezone.is_aware(key) else key.date()
    return key


def _reached(states) -> Q:
    """Ever reached one of `states`: its audit history says so, or it is there now."""
    return Q(Exists(AuditEntry.objects.filter(proposal=OuterRef("pk"), to_state__in=states))) | Q(status__in=states)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _labels(group, keys) -> dict:
    """{key: (label, sort)}; one query for the call titles, none otherwise."""
    if group == "call":
        calls = Call.objects.filter(pk__in=keys).only("pk", "title_zh", "title_en", "opens_at")
        return {c.pk: (localized(c, "title"), (-c.opens_at.timestamp(), c.pk)) for c in calls}
    if group == "field":
        order = {value: index for index, value in enumerate(Field.values)}
        labels = dict(Field.choices)
        return {key: (str(labels.get(key, key)), (order.get(key, len(order)),)) for key in keys}
    if group == "year":
        return {key: (str(key.year), (key,)) for key in keys}
    return {key: (_("%(year)s Q%(quarter)s") % {"year": key.year, "quarter": (key.month - 1) // 3 + 1}, (key,))
            for key in keys}


def funnel(*, group: str = "call", date_from: dt.date | None = None, date_to: dt.date | None = None) -> Funnel:
    """The funnel grouped by call, field, year or quarter of submission, for proposals submitted
    between `date_from` and `date_to` (local days, both included). Six queries at most."""
    if group not in GROUPS:
        raise ValueError(f"unknown grouping {group!r}")
    stages = _grouped(
        Proposal.objects.filter(_period_filter("", date_from, date_to)), group, "",
        entered=Count("pk"),
        screened=Count("pk", filter=_reached(SCREENED)),
        reviewed=Count("pk", filter=_reached(REVIEWED)),
        approved=Count("pk", filter=_reached(APPROVED) & ~Q(status__in=APPROVAL_REVOKED)),
        funded=Count("pk", filter=_reached(FUNDED)),
    )
    ledger = _grouped(
        LedgerEntry.objects.filter(_period_filter("proposal__", date_from, date_to)), group, "proposal__",
        commitments=Sum("amount", filter=Q(kind=LedgerKind.COMMITMENT)),
        returns=Sum("amount", filter=Q(kind=LedgerKind.RETURN)),
        releases=Sum("amount", filter=Q(kind=LedgerKind.RELEASE)),
    )
    projects = _grouped(
        Project.objects.filter(_period_filter("proposal__", date_from, date_to)), group, "proposal__",
        graduated=Count("pk", filter=Q(status=ProjectStatus.GRADUATED)),
        companies=Count("company"),
    )
    financing = _grouped(
        FinancingRound.objects.filter(_period_filter("project__proposal__", date_from, date_to)), group,
        "project__proposal__", total=Sum("amount"),
    )
    contracts = _grouped(
        TechContract.objects.filter(_period_filter("project__proposal__", date_from, date_to)), group,
        "project__proposal__", total=Sum("amount"),
    )
    labels = _labels(group, list(stages))
    rows = []
    for key, counts in stages.items():
        label, sort = labels.get(key, (str(key), (key,)))
        money = ledger.get(key, {})
        outcome = projects.get(key, {})
        rows.append(FunnelRow(
            key=key, label=label, sort=sort,
            entered=counts["entered"], screened=counts["screened"], reviewed=counts["reviewed"],
            approved=counts["approved"], funded=counts["funded"],
            committed=_money(money.get("commitments")) - _money(money.get("returns")),
            paid=_money(money.get("releases")),
            graduated=outcome.get("graduated", 0), companies=outcome.get("companies", 0),
            financing=_money(financing.get(key, {}).get("total")),
            contracts=_money(contracts.get(key, {}).get("total")),
        ))
    rows.sort(key=lambda row: row.sort)
    total = FunnelRow(key=None, label=_("Total"))
    for attr, _label, _kind in COLUMNS:
        setattr(total, attr, sum((getattr(row, attr) for row in rows), ZERO if _kind == "money" else 0))
    return Funnel(group=group, date_from=date_from, date_to=date_to, rows=rows, total=total)


# the table as a tablib Dataset (CSV and XLSX exports)

def funnel_dataset(result: Funnel):
    """Headers in the active language; counts as ints and money as Decimals (numbers in XLSX)."""
    dataset = tablib.Dataset(title=_("Statistics"))
    dataset.headers = safe_row([str(result.group_label), *[str(label) for _attr, label, _kind in COLUMNS]])
    for row in [*result.rows, result.total]:
        dataset.append(safe_row([str(row.label), *row.values()]))
    return dataset
