from django.dispatch import Signal

# Sent last by the one door, inside the transaction, after save and audit.
# kwargs: proposal, transition, from_state, to_state, actor, note
proposal_transitioned = Signal()
