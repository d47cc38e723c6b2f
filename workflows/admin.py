from django.contrib import admin

from workflows.models import ProposalProcess


@admin.register(ProposalProcess)
class ProposalProcessAdmin(admin.ModelAdmin):
    list_display = ("pk", "proposal", "status", "created", "finished")
    list_filter = ("status",)
    readonly_fields = ("flow_class", "status", "created", "finished", "proposal")
