from rest_framework import serializers

from api.models import ApiToken
from funding.enums import FundingChoice, Instrument
from proposals.models import Call, Proposal


class CallSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="The title in the caller's language.")
    fund = serializers.CharField(source="fund.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Call
        fields = ("id", "title", "title_zh", "title_en", "opens_at", "closes_at", "time_zone", "max_request",
                  "currency", "fund", "experts_per_proposal")
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)

    class Meta:
        model = Proposal
        fields = ("id", "reference", "title", "call", "call_title", "language", "status", "status_label",
                  "requested_amount", "created_at", "updated_at", "submitted_at")
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ("id", "name", "scope", "created_at", "last_used_at", "revoked_at")
        read_only_fields = fields


class FundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the caller's language.")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    currency = serializers.CharField()
    size = serializers.DecimalField(max_digits=16, decimal_places=2)
    committed = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    available = serializers.DecimalField(max_digits=16, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=16, decimal_places=2)
    four_eyes_threshold = serializers.DecimalField(max_digits=16, decimal_places=2)


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    proposal = serializers.IntegerField(source="proposal_id")
    proposal_title = serializers.CharField(source="proposal.title")
    call_title = serializers.CharField(source="proposal.call.title")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    deadline = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)


class VerificationSerializer(serializers.Serializer):
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="The SHA-256 of the PDF file, in hex.")


class VerifiedDocumentSerializer(serializers.Serializer):
    authentic = serializers.BooleanField(help_text="A pocflow document with this fingerprint was issued and is unaltered.")
    sha256 = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    kind_label = serializers.CharField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    superseded = serializers.BooleanField(allow_null=True)


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    proposal = serializers.IntegerField(source="proposal_id")
    reference = serializers.CharField(source="proposal.reference", allow_null=True)
    title = serializers.CharField(source="proposal.title")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    started_at = serializers.DateTimeField()
    ends_on = serializers.DateField(allow_null=True)
    amount = serializers.DecimalField(source="agreement.amount", max_digits=16, decimal_places=2, allow_null=True,
                                      default=None)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Released so far, from the ledger.")
    open_milestones = MilestoneSerializer(many=True, help_text="Planned and in progress, the next due first.")


class FunnelRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    entered = serializers.IntegerField()
    screened = serializers.IntegerField()
    reviewed = serializers.IntegerField()
    approved = serializers.IntegerField()
    funded = serializers.IntegerField()
    committed = serializers.DecimalField(max_digits=18, decimal_places=2)
    paid = serializers.DecimalField(max_digits=18, decimal_places=2)
    graduated = serializers.IntegerField()
    companies = serializers.IntegerField()
    financing = serializers.DecimalField(max_digits=18, decimal_places=2)
    contracts = serializers.DecimalField(max_digits=18, decimal_places=2)


class FunnelQuerySerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=["call", "field", "year", "quarter"], default="call")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class FunnelSerializer(serializers.Serializer):
    group = serializers.CharField()
    rows = FunnelRowSerializer(many=True)
    total = FunnelRowSerializer()


class FundingDecisionInputSerializer(serializers.Serializer):
    """What the funding page's form takes: approve (above the fund's threshold a second, different fund manager
    must confirm), decline, or refuse a pending first approval."""

    decision = serializers.ChoiceField(choices=FundingChoice.choices)
    instrument = serializers.ChoiceField(choices=Instrument.choices, default=Instrument.GRANT)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True)
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class FundingOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["decided", "awaiting_second_approval", "first_approval_refused"])
    proposal = ProposalSerializer()
