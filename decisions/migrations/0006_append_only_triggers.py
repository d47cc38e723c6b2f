"""On PostgreSQL, refuse UPDATE and DELETE on every append-only table (core.chain). Later append-only
models are covered as they appear: the post_migrate hook in CoreConfig installs the trigger on every
concrete core.models.AppendOnly table and the document table after each migrate."""

from django.db import migrations

from core import chain

TABLES = [
    "funding_commissionentry", "funding_fundingapproval", "funding_fundingdecision", "funding_ledgerentry",
    "incubation_acceptance", "incubation_financinground", "incubation_midtermcheck", "incubation_progressnote",
    "incubation_settlement", "incubation_techcontract", "proposals_auditentry", "reviews_assignmentcandidate",
    "reviews_paneldecision", "reviews_panelrecommendation", "reviews_rankingadjustment", "reviews_reviewreminder",
    "decisions_document",
]


def install(apps, schema_editor):
    chain.install_triggers(schema_editor.connection, TABLES)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {chain.TRIGGER_NAME} ON {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):

    dependencies = [
        ("decisions", "0005_document_version"),
        ("funding", "0005_record_chains"),
        ("incubation", "0003_status_machines"),
        ("proposals", "0003_record_chains"),
        ("reviews", "0003_status_fields_are_state_machines"),
    ]

    operations = [migrations.RunPython(install, remove)]
