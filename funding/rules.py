"""Named predicates for funds (django-rules). Views and templates ask these."""

import rules

from accounts.rules import is_administrator, is_fund_manager, is_program_officer

can_view_funds = is_fund_manager | is_administrator | is_program_officer

rules.add_perm("funding.view_funds", can_view_funds)
# funds, eligibility rules and commission rules are configured by fund managers
rules.add_perm("funding.manage_funds", is_fund_manager)
rules.add_perm("funding.manage_eligibility", is_fund_manager | is_program_officer)
rules.add_perm("funding.record_eligibility", is_fund_manager)
rules.add_perm("funding.manage_commissions", is_fund_manager)
rules.add_perm("funding.pay_commission", is_fund_manager)
