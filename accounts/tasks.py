from celery import shared_task

from accounts.services import send_user_mail_now


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_user_mail(user_id, template, context):
    return send_user_mail_now(user_id=user_id, template=template, context=context)
