from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import TokenScope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("What the token is for, e.g. the finance system."))
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ,
                              widget=forms.RadioSelect)
