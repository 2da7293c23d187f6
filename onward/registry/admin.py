# Persons and cases are not in the admin on purpose: every write must go through the
# registry's services (validation, optimistic locking, audit). Only the managed list of
# specific needs is edited here.
from django.contrib import admin

from onward.registry.models import SpecificNeed


@admin.register(SpecificNeed)
class SpecificNeedAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "active")
