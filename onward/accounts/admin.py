from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from onward.accounts.models import User


@admin.register(User)
class OnwardUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Role and scope", {"fields": ("role", "country")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Role and scope", {"fields": ("role", "country")}))
    list_display = ("username", "get_full_name", "role", "country", "is_active", "last_login")
    list_filter = ("role", "country", "is_active")
