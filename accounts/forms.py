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
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        name = self.cleaned_data.get("organisation_name", "").strip()
        if name:
            user.organisation, _created = Organisation.objects.get_or_create(name=name)
        if commit:
            user.save()
        return user


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("full_name", "email", "phone", "organisation", "language")


class StaffUserForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "full_name", "organisation", "language")

    def __init__(self, *args, allowed_roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_roles is not None:
            self.fields["role"].choices = [(r.value, r.label) for r in allowed_roles]
