from django.utils.functional import SimpleLazyObject

from workflows.navigation import menu_for


def navigation(request):
    """`nav_sections`: the main menu for the viewer (computed only when a template reads it)."""
    user = getattr(request, "user", None)
    return {"nav_sections": SimpleLazyObject(lambda: menu_for(user, request.path))}
