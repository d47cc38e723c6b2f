"""Mail to a user in the user's own language, owed by the change that causes it (core.outbox):
recorded in the change's transaction, sent after commit, retried until sent, sent once."""

import uuid

from django.conf import settings

from accounts.services import send_user_mail_now
from core import outbox

MAIL_KIND = "mail.user"


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def queue_user_mail(*, user, template, context, key: str = "", subject: str = ""):
    """Owe a mail to `user`; sent after the current transaction commits. `context` must be
    JSON-serialisable. `key` names the mail when the same event could be recorded twice (the
    default is a fresh key: one mail per call); `subject` ties it to a record, e.g. "proposal:12"."""
    if user is None:
        return None
    return outbox.owe(
        kind=MAIL_KIND, key=key or f"mail:{uuid.uuid4().hex}", subject=subject,
        payload={"user_id": user.pk, "template": template, "context": context},
    )


def deliver_user_mail(delivery) -> bool:
    payload = delivery.payload
    return send_user_mail_now(user_id=payload["user_id"], template=payload["template"],
                              context=payload["context"], key=delivery.key)
