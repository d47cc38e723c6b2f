"""Form defaults every app shares."""

from django import forms
from django.db.models import fields as model_fields
from django.utils.translation import gettext_lazy as _

DJANGO_BLANK = "---------"
CHOOSE = _("Choose…")


def install_readable_blanks() -> None:
    """Django offers `---------` as the empty choice of every select it builds (a model field's choices, a
    foreign key); a reader sees words in their own language instead (`请选择` / `Choose…`). Django reads both
    defaults from these two places, so they are set once at start (`CoreConfig.ready`); a form that names its
    own empty label keeps it."""
    model_fields.BLANK_CHOICE_DASH[:] = [("", CHOOSE)]  # the list object Field.get_choices() defaults to
    defaults = forms.ModelChoiceField.__init__.__kwdefaults__
    if defaults.get("empty_label") == DJANGO_BLANK:
        defaults["empty_label"] = CHOOSE
