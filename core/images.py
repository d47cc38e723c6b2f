"""Uploaded identity images (a center's logo and seal): PNG or JPEG that Pillow reads whole, of a sensible size."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4000 * 4000


def validate_identity_image(upload) -> None:
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."))
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()  # reads the whole file: a truncated or forged image is refused here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        upload.seek(position)
        raise ValidationError(_("This file is not a PNG or JPEG image.")) from None
    upload.seek(position)
    if kind not in ("PNG", "JPEG"):
        raise ValidationError(_("This file is not a PNG or JPEG image."))
    if width * height > MAX_PIXELS:
        raise ValidationError(_("The image is too large (at most 4000 × 4000 pixels)."))
