"""Named predicates for funds (django-rules). Views and templates ask these."""

import rules

from accounts.rules import is_administrator, is_fund_manager, is_program_officer
from funding.enums import FACTS_STATES


@rules.predicate
def facts_may_be_recorded(user, proposal):
    """A proposal's eligibility facts may be recorded until its funding decision is taken."""
    return proposal is not None and proposal.status in FACTS_STATES


can_view_funds = is_fund_manager | is_administrator | is_program_officer

rules.add_perm("funding.view_funds", can_view_funds)
# funds, eligibility rules and commission rules are configured by fund managers
rules.add_perm("funding.manage_funds", is_fund_manager)
rules.add_perm("funding.manage_eligibility", is_fund_manager | is_program_officer)
rules.add_perm("funding.record_eligibility", is_fund_manager)
can_record_eligibility_facts = is_fund_manager & facts_may_be_recorded
rules.add_perm("funding.record_eligibility_facts", can_record_eligibility_facts)
rules.add_perm("funding.manage_commissions", is_fund_manager)
rules.add_perm("funding.pay_commission", is_fund_manager)
