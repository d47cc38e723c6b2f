from decisions.models import Document


def document_for_download(*, pk: int) -> Document | None:
    return Document.objects.select_related("proposal").filter(pk=pk).first()


def document_by_sha256(*, sha256: str) -> Document | None:
    return Document.objects.select_related("proposal").filter(sha256=sha256).first()
