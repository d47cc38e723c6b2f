"""Bilingual model fields: `<name>_zh` and `<name>_en`, picked by the active language."""

from django.utils import translation


def is_chinese(language=None):
    lang = (language or translation.get_language() or "zh-hans").lower()
    return lang.startswith("zh")


def localized(obj, field, language=None):
    zh = getattr(obj, f"{field}_zh", "") or ""
    en = getattr(obj, f"{field}_en", "") or ""
    if is_chinese(language):
        return zh or en
    return en or zh
