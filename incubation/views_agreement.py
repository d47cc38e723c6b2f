"""The project's agreement pages."""


def card_context(request, project) -> dict:
    """Context for incubation/_agreement_card.html on the project page."""
    return {}
