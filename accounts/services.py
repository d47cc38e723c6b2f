from django.db import transaction

from accounts.enums import Role
from accounts.roles import grant_role


def register_researcher(*, form):
    with transaction.atomic():
        user = form.save()
        grant_role(user, Role.RESEARCHER)
    return user


def create_user_with_role(*, form):
    with transaction.atomic():
        user = form.save()
        grant_role(user, form.cleaned_data["role"])
        if form.cleaned_data["role"] == Role.ADMINISTRATOR:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return user
