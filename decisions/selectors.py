from django.db.models import Min

from decisions.enums import DocumentKind
from decisions.models import Document


def document_for_download(*, pk: int) -> Document | None:
    return Document.objects.select_related("proposal", "call").filter(pk=pk).first()


def document_by_sha256(*, sha256: str) -> Document | None:
    return Document.objects.select_related("proposal", "call").filter(sha256=sha256).first()


def latest_review_summary(*, proposal, released_only: bool = False) -> Document | None:
    """The proposal's newest review summary; `released_only`: among those issued after a panel decision."""
    summaries = Document.objects.filter(proposal=proposal, kind=DocumentKind.REVIEW_SUMMARY)
    if released_only:
        from reviews.models import PanelDecision

        first = PanelDecision.objects.filter(proposal=proposal).aggregate(first=Min("decided_at"))["first"]
        if first is None:
            return None
        summaries = summaries.filter(created_at__gte=first)
    return summaries.select_related("proposal").order_by("-created_at", "-pk").first()


def latest_panel_sheet(*, call, language: str) -> Document | None:
    return (
        Document.objects.filter(call=call, kind=DocumentKind.PANEL_SHEET, language=language)
        .order_by("-created_at", "-pk").first()
    )


def panel_sheets(*, call):
    """The call's issued panel score sheets, newest first."""
    return Document.objects.filter(call=call, kind=DocumentKind.PANEL_SHEET).order_by("-created_at", "-pk")
