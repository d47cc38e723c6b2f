"""The expert pool (专家库): creating and keeping expert profiles.

Every write is audited (`expert.created`, `expert.updated`, `expert.imported`) and announces
the changed profiles with `expert_profiles_changed`, on which `reviews.receivers` runs conflict
detection against the open proposals.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.roles import grant_role, has_role
from core.errors import InvalidInput, NotPermitted
from proposals.services.audit import record_audit
from reviews.models import ExpertProfile, ExpertRelation, ExpertUnavailability
from reviews.rules import can_edit_profile, can_manage_pool

# Sent after profiles were created or changed (inside the writer's transaction).
# kwargs: profiles (list of ExpertProfile), actor.
expert_profiles_changed = Signal()

PROFILE_FIELDS = ("expert_type", "institution", "position", "fields_zh", "fields_en", "keywords_zh", "keywords_en",
                  "bio", "max_load", "active")
# What an expert may change on their own profile; type, load cap and pool membership are the office's.
OWN_PROFILE_FIELDS = ("institution", "position", "fields_zh", "fields_en", "keywords_zh", "keywords_en", "bio")
PERIOD_FIELDS = ("starts_on", "ends_on", "note")
RELATION_FIELDS = ("kind", "name", "institution", "until_year")


def unique_username(email: str, taken: set | None = None) -> str:
    """A free username derived from the email address (the email itself when free)."""
    User = get_user_model()
    base = email.lower()[:140]
    candidate, n = base, 1
    while (taken is not None and candidate in taken) or User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    if taken is not None:
        taken.add(candidate)
    return candidate


def _replace_children(profile, periods, relations):
    if periods is not None:
        profile.unavailable_periods.all().delete()
        ExpertUnavailability.objects.bulk_create(
            [ExpertUnavailability(profile=profile, **{k: row.get(k) or ("" if k == "note" else None) for k in PERIOD_FIELDS})
             for row in periods]
        )
    if relations is not None:
        profile.relations.all().delete()
        ExpertRelation.objects.bulk_create(
            [ExpertRelation(profile=profile, kind=row["kind"], name=row["name"], institution=row.get("institution") or "",
                            until_year=row.get("until_year")) for row in relations]
        )


def create_expert(*, email: str, full_name: str, actor, data: dict, periods: list[dict] | None = None,
                  relations: list[dict] | None = None) -> ExpertProfile:
    """Add an expert to the pool: link the account with this email or create one (no password:
    the expert sets one through "forgot password"), grant the expert role, create the profile."""
    if not can_manage_pool(actor):
        raise NotPermitted()
    email = (email or "").strip()
    if not email:
        raise InvalidInput(_("Enter the expert's email address."))
    User = get_user_model()
    users = list(User.objects.filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise InvalidInput(_("Several accounts use %(email)s; link the expert from the administration instead.") % {"email": email})
    with transaction.atomic():
        if users:
            user = users[0]
            if ExpertProfile.objects.filter(user=user).exists():
                raise InvalidInput(_("%(name)s is already in the expert pool.") % {"name": user.display_name})
            if full_name.strip() and not user.full_name:
                user.full_name = full_name.strip()
                user.save(update_fields=["full_name"])
            linked = True
        else:
            if not full_name.strip():
                raise InvalidInput(_("Enter the expert's full name."))
            user = User(username=unique_username(email), email=email, full_name=full_name.strip())
            user.set_unusable_password()
            user.save()
            linked = False
        if not has_role(user, Role.EXPERT):
            grant_role(user, Role.EXPERT)
        profile = ExpertProfile.objects.create(user=user, **{k: v for k, v in data.items() if k in PROFILE_FIELDS})
        _replace_children(profile, periods, relations)
        record_audit(action="expert.created", actor=actor, note=user.display_name,
                     data={"profile": profile.pk, "user": user.pk, "linked_existing_account": linked})
        expert_profiles_changed.send(sender=ExpertProfile, profiles=[profile], actor=actor)
    return profile


def update_profile(*, profile: ExpertProfile, data: dict, actor, periods: list[dict] | None = None,
                   relations: list[dict] | None = None, full_name: str | None = None) -> ExpertProfile:
    """Change a profile. The program office may change everything; the expert only the fields of
    OWN_PROFILE_FIELDS, their unavailable periods and related persons. An expert without a profile
    yet (role granted elsewhere) gets one on their first save."""
    manager = can_manage_pool(actor)
    if not manager and not (profile.user_id == actor.pk and can_edit_profile(actor, profile)):
        raise NotPermitted()
    allowed = PROFILE_FIELDS if manager else OWN_PROFILE_FIELDS
    refused = sorted(k for k in data if k not in allowed)
    if refused:
        raise NotPermitted()
    created = profile.pk is None
    before = {} if created else (ExpertProfile.objects.filter(pk=profile.pk).values(*data).first() or {})
    changed = sorted(k for k, v in data.items() if created or before.get(k) != v)
    with transaction.atomic():
        for key, value in data.items():
            setattr(profile, key, value)
        try:
            profile.full_clean(exclude=["user"])
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages)) from exc
        profile.save()
        if manager and full_name is not None and full_name.strip() and full_name.strip() != profile.user.full_name:
            profile.user.full_name = full_name.strip()
            profile.user.save(update_fields=["full_name"])
            changed.append("full_name")
        _replace_children(profile, periods, relations)
        record_audit(action="expert.created" if created else "expert.updated", actor=actor, note=profile.user.display_name,
                     data={"profile": profile.pk, "user": profile.user_id, "fields": changed,
                           "periods": None if periods is None else len(periods),
                           "relations": None if relations is None else len(relations)})
        expert_profiles_changed.send(sender=ExpertProfile, profiles=[profile], actor=actor)
    return profile
