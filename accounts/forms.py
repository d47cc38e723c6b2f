from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import Organisation, User


class RegistrationForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    organisation_name = forms.CharField(label=_("Institution"), max_length=200, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "full_name", "language")

    def clean_email(self):
        # an address that has an account already is not refused here: that would tell anyone whether it
        # has one (accounts.services.registration answers both the same way)
        return self.cleaned_data["email"].strip().lower()

    def save(self, commit=True):
        user = super().save(commit=False)
        name = self.cleaned_data.get("organisation_name", "").strip()
        if name:
            user.organisation, _created = Organisation.objects.get_or_create(name=name)
        if commit:
            user.save()
        return user


class ProfileForm(forms.ModelForm):
    email = forms.EmailField(label=_("E-mail"), required=False, help_text=_(
        "A new address takes effect once you open the confirmation link we send to it."))

    class Meta:
        model = User
        fields = ("full_name", "email", "phone", "organisation", "language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_email = self.instance.email
        self.fields["organisation"].empty_label = _("No institution")

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    @property
    def new_email(self):
        """The address asked for when it differs from the account's (not saved: it waits for its link)."""
        email = self.cleaned_data.get("email", "")
        return email if email and email.lower() != (self.current_email or "").lower() else ""

    def save(self, commit=True):
        self.instance.email = self.current_email  # only the confirmation link changes the address
        return super().save(commit=commit)


class StaffUserForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "full_name", "organisation", "language")

    def __init__(self, *args, allowed_roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].empty_label = _("No institution")
        if allowed_roles is not None:
            self.fields["role"].choices = [(r.value, r.label) for r in allowed_roles]


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    token = forms.RegexField(label=_("Code from your authenticator app"), regex=r"^\d{6}$", max_length=6,
                             error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
                             widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                           "autofocus": True}))
