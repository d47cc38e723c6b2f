"""Mail to a user in the user's own language, owed by the change that causes it (core.outbox):
recorded in the change's transaction, sent after commit, retried until sent, sent once."""

import uuid

from django.conf import settings

from accounts.services import send_user_mail_now
from core import outbox

MAIL_KIND = "mail.user"


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def queue_user_mail(*, user, template, context, key: str = "", subject: str = "", to: str = "",
                    inactive_ok: bool = False):
    """Owe a mail to `user`; sent after the current transaction commits. `context` must be
    JSON-serialisable. `key` names the mail when the same event could be recorded twice (the
    default is a fresh key: one mail per call); `subject` ties it to a record, e.g. "proposal:12".
    `to` sends it to another address than the user's (a new address to confirm); `inactive_ok`
    sends it to an account not yet activated (the activation link)."""
    if user is None:
        return None
    payload = {"user_id": user.pk, "template": template, "context": context}
    if to:
        payload["to"] = to
    if inactive_ok:
        payload["inactive_ok"] = True
    return outbox.owe(kind=MAIL_KIND, key=key or f"mail:{uuid.uuid4().hex}", subject=subject, payload=payload)


def deliver_user_mail(delivery) -> bool:
    payload = delivery.payload
    return send_user_mail_now(user_id=payload["user_id"], template=payload["template"],
                              context=payload["context"], key=delivery.key, to=payload.get("to", ""),
                              inactive_ok=payload.get("inactive_ok", False))
