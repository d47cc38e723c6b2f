"""Setting up a call: the call itself, its checklist, its scoring criteria, its panel composition rules
and its application questions are saved together."""

from django.db import transaction

from forms.models import FormDefinition
from proposals.models import Call
from reviews.services.snapshot import refresh_existing_snapshot


def save_call(*, call_form, checklist, criteria, composition, questions) -> Call:
    """Save a valid call form and its four valid formsets in one transaction; a call without an
    application form gets a new, empty one named after it."""
    with transaction.atomic():
        call = call_form.save(commit=False)
        if not call.form_id:
            call.form = FormDefinition.objects.create(name=call.title_zh)
        call.save()
        checklist.instance = criteria.instance = composition.instance = call
        questions.instance = call.form
        checklist.save()
        criteria.save()
        composition.save()
        questions.save()
        refresh_existing_snapshot(call=call)  # the ranking basis, thresholds or rubric may have changed
    return call
