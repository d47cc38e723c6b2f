"""Signals incubation sends so that documents (decisions) can react without incubation importing them.
Sent inside the change's transaction: receivers owe their side effects through core.outbox, delivered after commit."""

from django.dispatch import Signal

# agreement, actor: the agreement was issued for signature (its PDF is generated)
agreement_issued = Signal()
# tranche, actor: a tranche was paid (its release notice is generated)
tranche_released = Signal()
# acceptance, actor: an acceptance round was recorded (a passing one gets a certificate)
acceptance_recorded = Signal()
# settlement, actor: 先投后股 money converted, was written off or bought back (a conversion gets a notice)
settlement_recorded = Signal()
