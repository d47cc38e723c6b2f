"""Statistics (统计): the funnel table, two server-rendered SVG charts, CSV and XLSX exports."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.views import require_perm
from incubation.forms.statistics import StatisticsFilterForm
from incubation.selectors.statistics import COLUMNS, STAGES, Funnel, funnel, funnel_dataset

FORMATS = {"html", "csv", "xlsx"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# chart geometry (SVG user units)
CHART_WIDTH = 720
LABEL_WIDTH = 210
BAR_AREA = 380
ROW_HEIGHT = 30
BAR_HEIGHT = 20


@dataclass
class Bar:
    label: str
    value: str
    y: int
    width: int
    text_x: int
    text_y: int


def _scale(value, largest) -> int:
    if not largest or value <= 0:
        return 0
    return max(int((Decimal(value) / Decimal(largest) * BAR_AREA).to_integral_value(ROUND_HALF_UP)), 1)


def funnel_chart(result: Funnel) -> dict:
    """Horizontal bars of the total funnel, one per stage, each with its number."""
    headers = {attr: str(label) for attr, label, _kind in COLUMNS}
    values = [(headers[stage], getattr(result.total, stage)) for stage in STAGES]
    largest = max((value for _label, value in values), default=0)
    bars = []
    for index, (label, value) in enumerate(values):
        width = _scale(value, largest)
        y = index * ROW_HEIGHT + 6
        bars.append(Bar(label, str(value), y, width, LABEL_WIDTH + width + 6, y + BAR_HEIGHT - 5))
    return {"bars": bars, "height": len(bars) * ROW_HEIGHT + 12, "width": CHART_WIDTH, "label_x": LABEL_WIDTH - 8,
            "bar_x": LABEL_WIDTH, "bar_height": BAR_HEIGHT}


def amounts_chart(result: Funnel) -> dict:
    """Per group two bars: the amount committed and the amount paid."""
    largest = max([row.committed for row in result.rows] + [row.paid for row in result.rows] + [Decimal(0)])
    groups = []
    for index, row in enumerate(result.rows):
        top = index * (2 * BAR_HEIGHT + 16) + 6
        bars = []
        for offset, amount in ((0, row.committed), (BAR_HEIGHT, row.paid)):
            width = _scale(amount, largest)
            bars.append(Bar("", f"{amount:,.2f}", top + offset, width, LABEL_WIDTH + width + 6,
                            top + offset + BAR_HEIGHT - 5))
        label = row.label if len(row.label) <= 18 else row.label[:17] + "…"
        groups.append({"label": label, "full_label": row.label, "label_y": top + BAR_HEIGHT + 4,
                       "committed": bars[0], "paid": bars[1]})
    return {"groups": groups, "height": max(len(groups), 1) * (2 * BAR_HEIGHT + 16) + 40, "width": CHART_WIDTH,
            "label_x": LABEL_WIDTH - 8, "bar_x": LABEL_WIDTH, "bar_height": BAR_HEIGHT,
            "legend_y": max(len(groups), 1) * (2 * BAR_HEIGHT + 16) + 20}


def _filename(result: Funnel, extension: str) -> str:
    return f"pocflow-statistics-{result.group}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _export(result: Funnel, fmt: str) -> HttpResponse:
    dataset = funnel_dataset(result)
    if fmt == "csv":
        # the BOM lets Excel open the UTF-8 file with its Chinese headers intact
        response = HttpResponse("\ufeff" + dataset.export("csv"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(dataset.export("xlsx", escape=True), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(result, fmt)}"'
    return response


def statistics(request):
    require_perm(request.user, "incubation.view_statistics")
    form = StatisticsFilterForm(request.GET or None)
    fmt = request.GET.get("format") or "html"
    status = 200
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Please correct the filter below."))
        status = 400
    elif fmt not in FORMATS:
        messages.error(request, _("Choose CSV or XLSX for the export."))
        status = 400
    result = funnel(**form.filters())
    if status == 200 and fmt != "html":
        return _export(result, fmt)
    query = request.GET.copy()
    query.pop("format", None)
    context = {"form": form, "funnel": result, "columns": COLUMNS, "funnel_chart": funnel_chart(result),
               "amounts_chart": amounts_chart(result), "query": query.urlencode()}
    return render(request, "incubation/statistics/funnel.html", context, status=status)
