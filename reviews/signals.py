"""Signals from the review app to orchestration (workflows connects receivers; reviews never
imports workflows). Sent after the row is written, inside the caller's transaction."""

from django.dispatch import Signal

# A new Conflict row (any source). kwargs: conflict. Workflows cancels the expert's open
# review task on that proposal and asks staff for a replacement.
conflict_recorded = Signal()

# A public-notice entry's approval became final (period over, no open objection). kwargs: entry.
notice_entry_final = Signal()

# Staff upheld an objection: the entry is off the list and the approval goes back to the panel.
# kwargs: entry, actor, note.
objection_upheld = Signal()

# A review went through its door (reviews.services.states.transition_review). kwargs: review,
# transition, from_state, to_state, actor. Sent last, inside the transaction: the panel snapshot
# refreshes with it when the review enters or leaves the submitted state.
review_transitioned = Signal()
