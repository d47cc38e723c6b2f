from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _, gettext_lazy

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = gettext_lazy("Restore a backup into an empty database and an empty media root, then check it: every "
                        "file against the manifest, every table's row count, the audit chain, the records.")

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help=gettext_lazy("a directory written by manage.py backup"))
        parser.add_argument("--database", default="default")

    def handle(self, *args, source, database, **options):
        try:
            report = restore(source=source, using=database, stdout=self.stdout)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Restored %(source)s: %(tables)d tables, %(rows)d rows, %(files)d media files "
                            "(%(bytes)d bytes), %(documents)d documents verified.") % {
            "source": source, "tables": report.tables, "rows": report.rows, "files": report.media_files,
            "bytes": report.media_bytes, "documents": report.documents_checked})
        self.stdout.write(_("Last audit-chain hash: %(hash)s") % {"hash": report.audit_chain_last_hash or "-"})
        self.stdout.write(_("verify_records: %(result)s") % {"result": report.verify_records})
