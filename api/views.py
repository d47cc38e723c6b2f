"""`/api/v1/`: the same selectors, permission predicates and services as the web pages (no second copy of any
rule). Errors are problem details (api.problems)."""

from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.authentication import TokenScopeAllows
from api.serializers import (
    CallSerializer,
    FundingDecisionInputSerializer,
    FundingOutcomeSerializer,
    FundSerializer,
    FunnelQuerySerializer,
    FunnelSerializer,
    NoteSerializer,
    ProjectSerializer,
    ProposalSerializer,
    ReviewSerializer,
    VerificationSerializer,
    VerifiedDocumentSerializer,
)
from decisions.models import Document
from decisions.selectors import document_by_sha256
from decisions.services.integrity import document_file_intact
from funding.enums import ApprovalDecision
from funding.models import FundingApproval
from funding.selectors import balance_of, funds_with_balances
from incubation.selectors.projects import projects_overview
from incubation.selectors.statistics import funnel
from proposals.models import Proposal
from proposals.selectors import open_calls, proposals_for_pages, proposals_of
from reviews.selectors.scoring import expert_reviews
from workflows import services


class AcceptLanguageMixin:
    """Answers (problem titles, status labels, localized titles) follow `Accept-Language`, which for an API
    client outranks the account's language preference."""

    def initial(self, request, *args, **kwargs):
        for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
            try:
                translation.activate(translation.get_supported_language_variant(code))
                request.LANGUAGE_CODE = translation.get_language()
                break
            except LookupError:
                continue
        super().initial(request, *args, **kwargs)


class HasPerm(permissions.BasePermission):
    """The view's `perm` (a named django-rules permission), asked exactly as the web page asks it."""

    def has_permission(self, request, view):
        perm = getattr(view, "perm", None)
        return perm is None or request.user.has_perm(perm)


class CallViewSet(AcceptLanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Calls open for proposals now (public, like the calls page)."""

    serializer_class = CallSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return open_calls()


@extend_schema_view(retrieve=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]),
                    submit=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]),
                    withdraw=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]))
class ProposalViewSet(AcceptLanguageMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """The caller's own proposals (a researcher's, as on "My proposals"); another person's proposal is 404."""

    serializer_class = ProposalSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopeAllows, HasPerm]
    perm = "proposals.create_proposal"

    def get_queryset(self):
        return proposals_of(applicant=self.request.user)

    def _own(self, pk) -> Proposal:
        proposal = get_object_or_404(self.get_queryset(), pk=pk)
        if not self.request.user.has_perm("proposals.view_proposal", proposal):
            raise PermissionDenied()
        return proposal

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit (or resubmit after a return for revision) through the proposal's door: 409 when the state
        does not allow it, 400 with what is missing."""
        proposal = self._own(pk)
        services.submit_proposal(proposal=proposal, actor=request.user)
        proposal.refresh_from_db()
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(request=NoteSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self._own(pk)
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        services.withdraw_proposal(proposal=proposal, actor=request.user, note=note.validated_data.get("note", ""))
        proposal.refresh_from_db()
        return Response(ProposalSerializer(proposal).data)


class FundViewSet(AcceptLanguageMixin, viewsets.ViewSet):
    """Funds with their ledger balances (committed, paid, available, outstanding), as on the funds page."""

    permission_classes = [permissions.IsAuthenticated, TokenScopeAllows, HasPerm]
    perm = "funding.view_funds"
    serializer_class = FundSerializer

    @staticmethod
    def _row(fund):
        return {"id": fund.pk, "name": fund.name, "name_zh": fund.name_zh, "name_en": fund.name_en,
                "currency": fund.currency, "four_eyes_threshold": fund.four_eyes_threshold, **balance_of(fund)}

    @extend_schema(responses=FundSerializer(many=True))
    def list(self, request):
        return Response(FundSerializer([self._row(f) for f in funds_with_balances()], many=True).data)

    @extend_schema(responses=FundSerializer, parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def retrieve(self, request, pk=None):
        fund = get_object_or_404(funds_with_balances(), pk=pk)
        return Response(FundSerializer(self._row(fund)).data)


@extend_schema_view(retrieve=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]))
class ReviewViewSet(AcceptLanguageMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An expert's own assigned reviews (never one a conflict of interest has taken away), as on "My reviews"."""

    serializer_class = ReviewSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopeAllows, HasPerm]
    perm = "reviews.expert_area"

    def get_queryset(self):
        return expert_reviews(expert=self.request.user)


@extend_schema_view(get=extend_schema(parameters=[VerificationSerializer], responses=VerifiedDocumentSerializer))
class VerifyDocumentView(AcceptLanguageMixin, GenericAPIView):
    """Public, like the verification page: is a file with this SHA-256 an authentic, unaltered pocflow document?
    Never its content or whom it concerns."""

    permission_classes = [permissions.AllowAny]
    serializer_class = VerifiedDocumentSerializer

    def get(self, request):
        query = VerificationSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        digest = query.validated_data["sha256"].lower()
        document = document_by_sha256(sha256=digest)
        intact = document is not None and document_file_intact(document)
        return Response(VerifiedDocumentSerializer({
            "authentic": intact, "sha256": digest,
            "kind": document.kind if intact else None,
            "kind_label": document.get_kind_display() if intact else None,
            "version": document.version if intact else None,
            "issued_at": document.created_at if intact else None,
            "superseded": Document.objects.filter(supersedes=document).exists() if intact else None,
        }).data)


@extend_schema_view(retrieve=extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]))
class ProjectViewSet(AcceptLanguageMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Projects with what was paid so far and their open milestones, as on the projects page."""

    serializer_class = ProjectSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopeAllows, HasPerm]
    perm = "incubation.view_projects"

    def get_queryset(self):
        return projects_overview()


@extend_schema_view(get=extend_schema(parameters=[FunnelQuerySerializer], responses=FunnelSerializer))
class FunnelView(AcceptLanguageMixin, GenericAPIView):
    """The statistics funnel (entered → screened → reviewed → approved → funded, amounts, outcomes) by call, field,
    year or quarter of submission, as on the statistics page."""

    permission_classes = [permissions.IsAuthenticated, TokenScopeAllows, HasPerm]
    perm = "incubation.view_statistics"
    serializer_class = FunnelSerializer

    def get(self, request):
        query = FunnelQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = funnel(**query.validated_data)
        return Response(FunnelSerializer({"group": result.group, "rows": result.rows, "total": result.total}).data)


class FundingDecisionView(AcceptLanguageMixin, GenericAPIView):
    """The fund manager's decision on a proposal awaiting funding, through the same service as the funding page
    (budget, eligibility rules, conflicts and four eyes are all the service's): 200 with the outcome."""

    permission_classes = [permissions.IsAuthenticated, TokenScopeAllows, HasPerm]
    perm = "proposals.approve"
    serializer_class = FundingDecisionInputSerializer

    @extend_schema(request=FundingDecisionInputSerializer, responses=FundingOutcomeSerializer,
                   parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def post(self, request, id):
        proposal = get_object_or_404(proposals_for_pages(), pk=id)
        data = FundingDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = services.take_funding_decision(proposal=proposal, manager=request.user, choice=values["decision"],
                                                amount=values.get("amount"), instrument=values["instrument"],
                                                reasons=values.get("reasons", ""))
        if isinstance(result, FundingApproval):
            outcome = ("first_approval_refused" if result.decision == ApprovalDecision.REFUSE
                       else "awaiting_second_approval")
        else:
            outcome = "decided"
        proposal.refresh_from_db()
        return Response(FundingOutcomeSerializer({"outcome": outcome, "proposal": proposal}).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([permissions.AllowAny])
def not_found(request):
    """No API resource at this address: a 404 problem detail (an id that is not a number included)."""
    raise NotFound()
