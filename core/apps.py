from django.apps import AppConfig, apps
from django.db import connections
from django.db.models.signals import post_migrate

from core import chain


def append_only_tables() -> list[str]:
    """Every concrete append-only table (core.models.AppendOnly) and the stored documents."""
    from core.models import AppendOnly  # noqa: PLC0415 — reason: models load after the registry

    tables = [m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnly)]
    if apps.is_installed("decisions"):
        tables.append(apps.get_model("decisions", "Document")._meta.db_table)
    return sorted(tables)


def _install_triggers(sender, using="default", **kwargs):
    if sender.name != "core":  # once per migrate: every table exists by the time the signals are sent
        return
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    chain.install_triggers(connection, [t for t in append_only_tables() if t in existing])


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "pocflow core"

    def ready(self):
        from core import (  # noqa: F401, PLC0415 — reason: register the deploy checks (shared cache, SITE_URL)
            deploy,
            ratelimit,
        )
        # after every migrate (and the test runner's database set-up, which skips migrations)
        post_migrate.connect(_install_triggers, dispatch_uid="pocflow-append-only-triggers")
