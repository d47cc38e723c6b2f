"""Named predicates for the operations pages of workflows."""

import rules

from accounts.rules import is_program_officer

# Owed deliveries (letters, documents, mails still to go out, or given up): the programme office
# sees them with their errors and retries them. Their payloads name records, never show content.
rules.add_perm("workflows.manage_deliveries", is_program_officer)
