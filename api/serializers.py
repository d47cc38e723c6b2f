from rest_framework import serializers

from api.models import ApiToken
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
