"""Small helpers every app's views share."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def require_perm(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def require_own(user, perm, obj):
    """For what only a particular person may do (the applicant edits their own draft): the named rule
    itself decides, without the superuser shortcut of Django's model backend, so an administrator is
    not shown a form the service would refuse."""
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied


def render_domain_error(request, exc, template, context):
    """Re-render the page with the refusal as an error message and its HTTP status."""
    messages.error(request, str(exc))
    return render(request, template, context, status=exc.status)
