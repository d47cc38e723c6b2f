"""Small helpers every app's views share."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def require_perm(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def render_domain_error(request, exc, template, context):
    """Re-render the page with the refusal as an error message and its HTTP status."""
    messages.error(request, str(exc))
    return render(request, template, context, status=exc.status)
