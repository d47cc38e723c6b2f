"""`/api/v1/`: the same selectors, permission predicates and services as the web pages (no second copy of any
rule). Errors are problem details (api.problems)."""

from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.authentication import TokenScopeAllows
from api.serializers import CallSerializer, NoteSerializer, ProposalSerializer
from proposals.models import Proposal
from proposals.selectors import open_calls, proposals_of
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
