"""Figures /metrics reads from the database at scrape time (core.metrics): proposals per status and the
owed deliveries waiting or given up. Two grouped queries per scrape."""

from django.db.models import Count, Q
from prometheus_client.core import GaugeMetricFamily

from core.models import Delivery
from proposals.enums import ProposalStatus
from proposals.models import Proposal


class PipelineCollector:
    def describe(self):
        """The families without their samples: registering never touches the database."""
        yield GaugeMetricFamily("pocflow_proposals", "Proposals by status", labels=["status"])
        yield GaugeMetricFamily("pocflow_owed_deliveries", "Owed deliveries not yet delivered", labels=["state"])

    def collect(self):
        proposals = GaugeMetricFamily("pocflow_proposals", "Proposals by status", labels=["status"])
        counts = dict(Proposal.objects.order_by().values_list("status").annotate(n=Count("pk")))
        for status in ProposalStatus.values:
            proposals.add_metric([status], counts.get(status, 0))
        yield proposals

        owed = GaugeMetricFamily("pocflow_owed_deliveries", "Owed deliveries (letters, documents, mails) not yet "
                                 "delivered: waiting for an attempt, or given up", labels=["state"])
        figures = Delivery.objects.owed().aggregate(
            waiting=Count("pk", filter=Q(failed_at__isnull=True)), failed=Count("pk", filter=Q(failed_at__isnull=False)))
        owed.add_metric(["waiting"], figures["waiting"])
        owed.add_metric(["failed"], figures["failed"])
        yield owed
