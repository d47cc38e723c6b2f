"""Browser walks: Playwright drives Debian's Chromium (/usr/bin/chromium, never a downloaded build) against
pytest-django's live server, in Chinese. Every page a walk visits is checked by `Browser.check`: axe-core
(node_modules/axe-core, `npm ci`) finds no serious or critical violation, the console logged no error and
no raw value shows (tests/translation_check.py); a screenshot of each step is written to
var/test-artifacts/browser/<test>/<step>.png.

The live server runs in a thread of the test process against the same test database (each xdist worker
has its own, on SQLite and on PostgreSQL alike); the walks use `transactional_db` (the `live_server`
fixture asks for it) so the server thread sees what the factories commit.

Missing Chromium fails the tests, unless POCFLOW_BROWSER_OPTIONAL=1 (then they are skipped, saying why)."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from tests.translation_check import page_leaks

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("POCFLOW_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "browser"
PASSWORD = "pw-secret-123"  # tests.factories.UserFactory's


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def zh(msgid: str, context: str | None = None) -> str:
    """The Chinese a page shows for `msgid` (locators use the accessible names a Chinese reader hears)."""
    with translation.override("zh-hans"):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def field(page, msgid: str, context: str | None = None):
    """The form control labelled exactly with `msgid` in Chinese (a required field's label ends in `*`)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(zh(msgid, context))}\s*\*?\s*$"))


def _missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; `make system-deps` does)"
    if not AXE.exists():
        return f"axe-core not found at {AXE} (run `npm ci --no-audit --no-fund`)"
    return None


@pytest.fixture(scope="session")
def chromium():
    missing = _missing()
    if missing:
        if os.environ.get("POCFLOW_BROWSER_OPTIONAL") == "1":
            pytest.skip(f"browser tests skipped (POCFLOW_BROWSER_OPTIONAL=1): {missing}")
        pytest.fail(missing, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        pytest.fail("playwright is not installed (pip install -e '.[test]')", pytrace=False)
    # Playwright's sync API keeps an asyncio loop in this thread; Django's guard against ORM calls from
    # async code would refuse the test's own factory calls (the server thread is a separate thread).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
    yield browser
    browser.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page shown (axe injected once per page)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")


class Browser:
    """One person's browser (its own cookies), in Chinese. `check(step)` after each page or action."""

    def __init__(self, chromium, live_server, artifacts: Path):
        self.base = live_server.url
        self.artifacts = artifacts
        self.context = chromium.new_context(locale="zh-CN", base_url=self.base,
                                            extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        host = re.sub(r"^https?://", "", self.base).split(":")[0]
        self.context.add_cookies([{"name": "django_language", "value": "zh-hans", "domain": host, "path": "/"}])
        self.context.set_default_timeout(5_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.steps = 0

    def goto(self, path: str, step: str):
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.check(step)

    def check(self, step: str):
        """The page now shown passes: a screenshot, no console error, no raw value, axe clean."""
        page = self.page
        page.wait_for_load_state("load")
        self.steps += 1
        self.artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.artifacts / f"{self.steps:02d}-{step}.png"), full_page=True)
        where = f"{step} ({page.url})"
        assert self.errors == [], f"{where}: console errors {self.errors}"
        assert page.locator("html").get_attribute("lang") == "zh-hans", f"{where}: not in Chinese"
        leaked = page_leaks(page.content(), chinese=True)
        assert leaked == set(), f"{where}: untranslated values {sorted(leaked)}"
        result = axe_violations(page)
        assert result == [], f"{where}: axe violations {json.dumps(result, ensure_ascii=False, indent=1)}"

    def submit(self, control):
        """Click a form's button and wait for the page it leads to (a POST answers with a redirect or
        the form again: either way a new document)."""
        with self.page.expect_navigation():
            control.click()

    def log_in(self, user, step="login"):
        page = self.page
        self.goto("/accounts/login/", f"{step}-page")
        field(page, "username").fill(user.username)
        field(page, "password").fill(PASSWORD)
        page.get_by_role("button", name=zh("Log in")).click()
        page.wait_for_url(f"{self.base}/")
        self.check(f"{step}-home")

    def close(self):
        self.context.close()


@pytest.fixture
def open_browser(request, chromium, live_server, transactional_db):
    """`open_browser()` gives a new person's browser; all are closed after the test."""
    artifacts = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(artifacts, ignore_errors=True)
    opened = []
    translation.activate("zh-hans")  # the labels the test reads (choices' .label) are the page's

    def make(name="browser"):
        browser = Browser(chromium, live_server, artifacts / name)
        opened.append(browser)
        return browser

    yield make
    for browser in opened:
        browser.close()
