"""The project's outcomes pages."""


def card_context(request, project) -> dict:
    """Context for incubation/_outcomes_card.html on the project page."""
    return {}
