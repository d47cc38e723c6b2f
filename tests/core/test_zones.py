"""Time zones shown in the reader's language (core.zones), never as IANA names."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation

from core.zones import utc_offset, zone_label

JULY = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
JANUARY = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def test_a_named_zone_shows_its_name_and_offset_in_the_readers_language():
    with translation.override("zh-hans"):
        assert zone_label("Asia/Shanghai", JULY) == "北京时间，UTC+8"
    with translation.override("en"):
        assert zone_label("Asia/Shanghai", JULY) == "China Standard Time, UTC+8"
        assert zone_label("America/New_York", JULY) == "US Eastern Time, UTC-4"
        assert zone_label("America/New_York", JANUARY) == "US Eastern Time, UTC-5"


def test_a_zone_without_a_name_shows_its_offset_and_an_unknown_one_its_key():
    assert utc_offset("Asia/Kolkata", JULY) == "UTC+5:30"
    assert zone_label("Asia/Kolkata", JULY) == "UTC+5:30"
    assert zone_label("Etc/UTC", JULY) == "UTC"
    assert zone_label("Not/AZone", JULY) == "Not/AZone"
    assert zone_label("") == ""


def test_templates_use_the_filter_without_loading_it():
    with translation.override("zh-hans"):
        html = Template("{{ tz|zone_label }}").render(Context({"tz": "Asia/Shanghai"}))
    assert html.startswith("北京时间，UTC+8")
