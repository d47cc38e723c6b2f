"""The checks every walk runs on every page can fail: axe-core finds a real violation, the console
listener hears a script error, the raw-value checker finds an English state word on a Chinese page."""

import pytest

from tests.browser.conftest import axe_violations


def test_axe_reports_an_image_without_a_text_alternative_and_a_field_without_a_label(open_browser):
    browser = open_browser()
    browser.page.set_content('<html lang="zh-hans"><head><title>测试</title></head><body><main><h1>测试</h1>'
                             '<img src="data:,"><input type="text"></main></body></html>')
    assert {"image-alt", "label"} <= {v["id"] for v in axe_violations(browser.page)}
    browser.page.set_content('<html lang="zh-hans"><head><title>测试</title></head><body><main><h1>测试</h1>'
                             '<img src="data:," alt="标志"><label>姓名 <input type="text"></label></main></body></html>')
    assert axe_violations(browser.page) == []


def test_a_script_error_or_an_untranslated_value_fails_the_page_check(open_browser, live_server):
    browser = open_browser()
    browser.page.set_content('<html lang="zh-hans"><head><title>测试</title></head><body><main><h1>测试</h1>'
                             '<p>状态：released</p><script>missing()</script></main></body></html>')
    assert any("missing" in error for error in browser.errors)
    with pytest.raises(AssertionError, match="console errors"):
        browser.check("script-error")
    browser.errors.clear()
    with pytest.raises(AssertionError, match=r"untranslated values \['released'\]"):
        browser.check("untranslated")
