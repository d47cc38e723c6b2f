from proposals.models import AuditEntry


def record_audit(*, action, proposal=None, actor=None, from_state="", to_state="", note="", data=None) -> AuditEntry:
    """Append one audit row. Every state change and consequential act calls this."""
    return AuditEntry.objects.create(
        proposal=proposal,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        note=note or "",
        data=data or {},
    )
