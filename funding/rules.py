"""Named predicates for funds (django-rules). Views and templates ask these."""

import rules

from accounts.rules import is_administrator, is_fund_manager, is_program_officer

can_view_funds = is_fund_manager | is_administrator | is_program_officer

rules.add_perm("funding.view_funds", can_view_funds)
