from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_user_mail(user_id, template, context):
    from accounts.mail import send_user_mail_now

    return send_user_mail_now(user_id=user_id, template=template, context=context)
