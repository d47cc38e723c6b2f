from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation
from weasyprint import HTML

from accounts.roles import ensure_role_groups
from pocflow.celery import app
from tests.fake_pdf import fake_write_pdf
from tests.helpers import World

REAL_PDF_DIRS = ("decisions", "e2e")  # the document tests and the end-to-end walks read real PDFs
TESTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    real_dirs = [TESTS_DIR / name for name in REAL_PDF_DIRS]
    for item in items:
        if any(item.path.is_relative_to(directory) for directory in real_dirs):
            item.add_marker(pytest.mark.real_pdf)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # A request served by the test client leaves its language active in the thread; every test starts
    # from the default instead of whatever the previous test on this worker read.
    translation.deactivate()
    # Rate-limit and lockout counters live in the default cache, which outlives a test: each test starts
    # uncounted (the tests never use a shared cache: CACHE_URL is ignored here).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    cache.clear()
    # PBKDF2 costs ~0.5 s per user; MD5 is fine for tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fake_pdf_layout(request, monkeypatch):
    """WeasyPrint's layout is replaced by a tiny valid PDF unless the test is marked `real_pdf`.
    Patched on the class, so it holds wherever the PDF wrapper module lives."""
    if request.node.get_closest_marker("real_pdf") is None:
        monkeypatch.setattr(HTML, "write_pdf", fake_write_pdf)


@pytest.fixture
def roles_ready(db):
    ensure_role_groups()


@pytest.fixture
def english():
    """Run the test with English active (modules that match English text use it for every test:
    `pytestmark = pytest.mark.usefixtures("english")`)."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(request, db):
    """The standard World, or the test module's own builder and options:
    `WORLD = LifecycleWorld`, `WORLD_OPTIONS = {"criteria": ..., "expert_types": ...}`."""
    return getattr(request.module, "WORLD", World)(**getattr(request.module, "WORLD_OPTIONS", {}))
