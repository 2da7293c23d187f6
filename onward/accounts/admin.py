from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from onward.accounts.models import User
from onward.accounts.twofactor import otp_reset


@admin.register(User)
class OnwardUserAdmin(UserAdmin):
    """Users. The model's clean() refuses incompatible roles (a delegation that is also
    staff) in these forms; passwords go through AUTH_PASSWORD_VALIDATORS."""

    fieldsets = (*UserAdmin.fieldsets, ("Role and scope", {"fields": ("role", "country")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Role and scope", {"fields": ("role", "country")}))
    list_display = ("username", "get_full_name", "role", "country", "is_active", "last_login")
    list_filter = ("role", "country", "is_active")
    actions = ["reset_second_factor"]

    @admin.action(description="Reset two-factor sign-in (lost phone)")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            otp_reset(actor=request.user, user=user)
        self.message_user(
            request,
            f"Second factor reset for {queryset.count()} user(s): they "
            "pair a new app at their next sign-in.",
            messages.SUCCESS,
        )


# django-otp's own device admin shows each device's secret as a QR code: nobody, not even
# an administrator, should be able to copy another user's second factor. Resetting it
# (above, or `onward reset_2fa`) is all an administrator needs. Its TOTPDevice table is
# empty since accounts 0003 (secrets moved, encrypted, to AuthenticatorDevice), and the
# new model has no admin.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
