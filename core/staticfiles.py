"""Static files as WhiteNoise serves them in production: compressed (gzip and Brotli where available)
and content-hashed. Not strict: a file added after the last `make build` is served under its own
name instead of failing the page, and a third-party stylesheet that points at a file its package does
not ship (viewflow's bundled Roboto CSS does) keeps that reference as it is instead of failing the build."""

import logging

from django.apps import apps
from django.contrib.staticfiles.finders import AppDirectoriesFinder
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError as exc:  # Django says "The file '…' could not be found with …"
            if "could not be found" not in str(exc):
                raise
            logger.warning("Static file %s is referenced but missing; left unhashed", name)
            return name


class AppStaticFinder(AppDirectoriesFinder):
    """The apps' static folders, without viewflow's: pocflow uses viewflow's engine, not its material
    front end, whose 150 MB of fonts and scripts would only slow every build."""

    SKIPPED_APPS = frozenset({"viewflow", "viewflow.workflow"})

    def __init__(self, app_names=None, *args, **kwargs):
        names = app_names or [config.name for config in apps.get_app_configs()]
        super().__init__([name for name in names if name not in self.SKIPPED_APPS], *args, **kwargs)
