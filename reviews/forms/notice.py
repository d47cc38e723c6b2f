"""Forms of the public notice pages: publish (staff), object (anyone), resolve (staff)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import NoticeEntry


class PublishNoticeForm(forms.Form):
    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=300)
    title_en = forms.CharField(label=_("title (English)"), max_length=300, required=False)
    body_zh = forms.CharField(label=_("text (Chinese)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    body_en = forms.CharField(label=_("text (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    days = forms.IntegerField(label=_("Objection period (days)"), min_value=1, max_value=60)

    @staticmethod
    def initial_for(call) -> dict:
        """A bilingual title and text a notice secretary would start from."""
        return {
            "title_zh": f"关于{call.title_zh}拟立项项目的公示",
            "title_en": f"Public notice of the proposals to be approved: {call.title_en or call.title_zh}",
            "body_zh": f"经专家评审和专家组审议，以下项目拟予立项，现予公示。公示期为{call.notice_days or 7}天。"
                       "如有异议，请在公示期内通过本页提交，并写明理由和联系方式。",
            "body_en": f"After expert review and the panel's deliberation, the proposals below are to be approved. "
                       f"Objections may be lodged on this page within {call.notice_days or 7} days, with reasons and a contact.",
            "days": call.notice_days or 7,
        }


class ObjectionForm(forms.Form):
    entry = forms.ModelChoiceField(
        label=_("Proposal"), queryset=NoticeEntry.objects.none(), empty_label=_("Choose the proposal"),
        help_text=_("An objection concerns one proposal on the list; only that proposal waits for it to be resolved."),
        error_messages={"required": _("Choose the proposal your objection concerns."),
                        "invalid_choice": _("Choose a proposal from this notice's list.")},
    )
    name = forms.CharField(label=_("your name"), max_length=200)
    organisation = forms.CharField(label=_("organisation"), max_length=200, required=False)
    email = forms.EmailField(label=_("email"))
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, notice, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["entry"]
        field.queryset = notice.entries.filter(withdrawn_at__isnull=True).select_related("proposal")
        field.label_from_instance = lambda entry: f"{entry.proposal.reference or ''} {entry.proposal.title}".strip()


class ResolveObjectionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("dismiss", _("Dismiss the objection")),
                 ("uphold", _("Uphold it: take the proposal off the list and back to the panel"))],
    )
    resolution = forms.CharField(label=_("resolution"), widget=forms.Textarea(attrs={"rows": 3}))
