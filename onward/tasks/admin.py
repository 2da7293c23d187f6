from django.contrib import admin

from onward.tasks.models import Digest


class FailingFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return [("yes", "Failing (retried)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(state=Digest.State.PENDING, attempts__gt=0)
        return queryset


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """E-mail digests and their delivery: a failing one shows its attempts and last error
    (it is tried again by the worker; never dropped). Read-only: the text is the record."""

    list_display = ("id", "user", "made_at", "state", "attempts", "last_error", "next_attempt_at")
    list_filter = (FailingFilter, "state")
    readonly_fields = [f.name for f in Digest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
