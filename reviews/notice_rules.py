"""Named predicates for the public notice (公示): anyone reads and objects; program officers manage."""

import rules

from accounts.rules import is_program_officer

can_manage_notices = is_program_officer

rules.add_perm("reviews.manage_notices", can_manage_notices)
