"""The project's lifecycle pages."""


def card_context(request, project) -> dict:
    """Context for incubation/_lifecycle_card.html on the project page."""
    return {}
