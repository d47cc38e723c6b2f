from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _, gettext_lazy

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = gettext_lazy("Write a consistent snapshot to an empty directory: the database, then the media files, "
                        "then a manifest with every file's SHA-256, the row count of every table and the last "
                        "audit-chain hash.")

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help=gettext_lazy("an absent or empty directory"))
        parser.add_argument("--database", default="default")

    def handle(self, *args, out, database, **options):
        try:
            manifest = backup(out=out, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Backup written to %(out)s: %(vendor)s database (%(tables)d tables, %(rows)d rows), "
                            "%(files)d media files, pocflow %(version)s.") % {
            "out": out, "vendor": manifest["database"]["vendor"], "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()), "files": len(manifest["media"]),
            "version": manifest["pocflow_version"]})
