"""先投后股 (invest first, equity later): converting at the first market round, or settling at the deadline.

Conversion. A project whose agreement's instrument is invest_first and that has no Settlement
converts when its FIRST market financing round is recorded, in the same transaction as the round
(`incubation.services.outcomes.record_financing_round` calls `convert_at_round`). The money that
converts is what the fund actually paid to the project (`proposal_position(...)["paid"]`, the
released tranches), priced at that round's valuation less the agreement's concession to the team:

    post-money = pre-money valuation + round amount + converted amount
    stake (%)  = converted / post-money × (1 − concession / 100) × 100, rounded to 6 places (ROUND_HALF_UP)

Worked example: 1,000,000 paid; a 5,000,000 round at a 20,000,000 pre-money; concession 20 %:
post-money 26,000,000, stake = 1,000,000 / 26,000,000 × 0.8 × 100 = 3.076923 %.
The settlement is stored with method "post-money-concession-v1".

Refusals (nothing is saved, not even the round):
- the round has no pre-money valuation: a conversion needs the round's valuation;
- nothing has been paid yet: there is no money to convert, and since only the first market round
  converts, recording the round now would lose the conversion. Release the money first.
A market round that closes after the conversion deadline does not convert (the deadline has
passed; the fund manager settles instead). Rounds that are not market rounds never convert, and
once a Settlement exists, later rounds change nothing.

Settlement at the deadline. After the conversion deadline (strictly after it), with no
conversion, a fund manager settles the money with the agreement's `deadline_action`, or with the
other action when they give a reason:
- write-off (核销): the paid amount is recorded as the fund's loss;
- buy-back (回购): the team buys the stake back at paid × (1 + rate / 100 × years), simple
  interest at the agreement's buy-back rate (0 when none is set: at cost), where years = days
  from the agreement's signature (or its start) to the settlement date / 365; rounded to the cent.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from funding.enums import DeadlineAction, Instrument
from funding.selectors import proposal_position
from incubation.enums import SettlementKind
from incubation.models import Agreement, Project, Settlement
from incubation.selectors.outcomes import settlement_of
from incubation.signals import settlement_recorded
from proposals.services.audit import record_audit

CONVERSION_METHOD = "post-money-concession-v1"
WRITE_OFF_METHOD = "write-off-v1"
BUY_BACK_METHOD = "buy-back-simple-interest-v1"
HUNDRED = Decimal("100")
STAKE_PLACES = Decimal("0.000001")
CENT = Decimal("0.01")
DAYS_A_YEAR = Decimal("365")


def conversion_stake(*, converted: Decimal, pre_money: Decimal, round_amount: Decimal, concession_pct: Decimal) -> Decimal:
    """Stake (%) from the formula in the module docstring, 6 places."""
    post_money = pre_money + round_amount + converted
    stake = converted / post_money * (1 - concession_pct / HUNDRED) * HUNDRED
    return stake.quantize(STAKE_PLACES, rounding=ROUND_HALF_UP)


def buyback_amount(*, paid: Decimal, rate_pct: Decimal | None, since: dt.date, on: dt.date) -> Decimal:
    """paid × (1 + rate / 100 × days / 365), to the cent (simple interest)."""
    years = Decimal(max((on - since).days, 0)) / DAYS_A_YEAR
    rate = rate_pct or Decimal("0")
    return (paid * (1 + rate / HUNDRED * years)).quantize(CENT, rounding=ROUND_HALF_UP)


def invest_first_agreement(project) -> Agreement | None:
    agreement = Agreement.objects.filter(project=project).first()
    if agreement is None or agreement.instrument != Instrument.INVEST_FIRST:
        return None
    return agreement


def awaits_conversion(project, agreement=None) -> bool:
    """Invest-first money not settled yet (no conversion, write-off or buy-back)."""
    agreement = agreement or invest_first_agreement(project)
    return agreement is not None and not Settlement.objects.filter(project=project).exists()


def round_would_convert(*, project, is_market_round: bool, closed_on: dt.date) -> bool:
    """Whether recording this round triggers the conversion (see the module docstring)."""
    agreement = invest_first_agreement(project)
    if agreement is None or not is_market_round or not awaits_conversion(project, agreement):
        return False
    return agreement.conversion_deadline is None or closed_on <= agreement.conversion_deadline


def check_conversion_possible(*, project, pre_money_valuation) -> Decimal:
    """Refuse a converting round that lacks what the conversion needs; returns the paid amount."""
    if pre_money_valuation is None:
        raise InvalidInput(_("This round converts the invest-first (先投后股) money, and a conversion needs the round's "
                             "valuation: enter the pre-money valuation."))
    paid = proposal_position(proposal=project.proposal)["paid"]
    if paid <= 0:
        raise InvalidInput(_("No invest-first (先投后股) money has been paid to this project yet, so nothing can convert "
                             "at this round. Release the money first, then record the round."))
    return paid


def convert_at_round(*, project, financing_round, actor) -> Settlement:
    """Convert the paid money at `financing_round` (call inside the transaction recording it)."""
    agreement = invest_first_agreement(project)
    paid = check_conversion_possible(project=project, pre_money_valuation=financing_round.pre_money_valuation)
    stake = conversion_stake(converted=paid, pre_money=financing_round.pre_money_valuation,
                             round_amount=financing_round.amount, concession_pct=agreement.concession_pct)
    try:
        with transaction.atomic():
            settlement = Settlement.objects.create(
                project=project, kind=SettlementKind.CONVERTED, amount=paid, financing_round=financing_round,
                pre_money_valuation=financing_round.pre_money_valuation, round_amount=financing_round.amount,
                concession_pct=agreement.concession_pct, stake_pct=stake, method=CONVERSION_METHOD, decided_by=actor,
                note=_("Converted at the round “%(round)s”.") % {"round": financing_round.name})
    except IntegrityError as exc:  # settled by someone else meanwhile
        raise IllegalTransition(_("The invest-first money of this project has already been settled.")) from exc
    record_audit(action="settlement.converted", proposal=project.proposal, actor=actor, to_state=settlement.kind,
                 data={"settlement": settlement.pk, "round": financing_round.pk, "converted": str(paid),
                       "pre_money": str(financing_round.pre_money_valuation), "round_amount": str(financing_round.amount),
                       "concession_pct": str(agreement.concession_pct), "stake_pct": str(stake),
                       "method": CONVERSION_METHOD})
    settlement_recorded.send(sender=Settlement, settlement=settlement, actor=actor)
    return settlement


def settle_investment(*, project, actor, action: str, reason: str = "", on: dt.date | None = None) -> Settlement:
    """Write off or buy back invest-first money that did not convert by the deadline (see above)."""
    if not actor.has_perm("incubation.settle_investment", project):
        raise NotPermitted()
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    with transaction.atomic():
        project = Project.objects.select_for_update(of=("self",)).select_related("proposal").get(pk=project.pk)
        agreement = invest_first_agreement(project)
        if agreement is None:
            raise IllegalTransition(_("This project was not funded as invest first, equity later (先投后股)."))
        if Settlement.objects.filter(project=project).exists():
            raise IllegalTransition(_("The invest-first money of this project has already been settled."))
        if agreement.conversion_deadline is None or on <= agreement.conversion_deadline:
            raise IllegalTransition(
                _("The conversion deadline (%(deadline)s) has not passed yet; the money can still convert.")
                % {"deadline": agreement.conversion_deadline.isoformat() if agreement.conversion_deadline else "—"})
        if action not in DeadlineAction.values:
            raise InvalidInput(_("Choose write-off or buy-back."))
        if agreement.deadline_action and action != agreement.deadline_action and not reason:
            raise InvalidInput(_("The agreement says “%(agreed)s” at the deadline; give the reason for doing otherwise.")
                               % {"agreed": DeadlineAction(agreement.deadline_action).label})
        paid = proposal_position(proposal=project.proposal)["paid"]
        fields = {"project": project, "amount": paid, "decided_by": actor, "note": reason,
                  "concession_pct": agreement.concession_pct}
        if action == DeadlineAction.WRITE_OFF:
            settlement = Settlement.objects.create(kind=SettlementKind.WRITTEN_OFF, method=WRITE_OFF_METHOD, **fields)
            data = {"loss": str(paid)}
        else:
            since = agreement.signed_on or agreement.starts_on
            amount = buyback_amount(paid=paid, rate_pct=agreement.buyback_rate_pct, since=since, on=on)
            settlement = Settlement.objects.create(kind=SettlementKind.BOUGHT_BACK, method=BUY_BACK_METHOD,
                                                   buyback_amount=amount, **fields)
            data = {"buyback_amount": str(amount), "rate_pct": str(agreement.buyback_rate_pct or 0),
                    "since": since.isoformat(), "on": on.isoformat()}
        record_audit(action=f"settlement.{settlement.kind}", proposal=project.proposal, actor=actor,
                     to_state=settlement.kind, note=reason,
                     data={"settlement": settlement.pk, "paid": str(paid), "agreed_action": agreement.deadline_action,
                           "method": settlement.method, **data})
        settlement_recorded.send(sender=Settlement, settlement=settlement, actor=actor)
    return settlement


# reads


def conversion_state(project, today: dt.date) -> str:
    """"converted" / "written_off" / "bought_back" / "overdue" (past the deadline, unsettled) / "open"."""
    settlement = settlement_of(project)
    if settlement is not None:
        return settlement.kind
    deadline = project.agreement.conversion_deadline
    if deadline is not None and today > deadline:
        return "overdue"
    return "open"
