from django.urls import path

from onward.accounts import views

urlpatterns = [
    path("account/two-factor/", views.otp_verify, name="otp_verify"),
    path("account/two-factor/enrol/", views.otp_enrol, name="otp_enrol"),
    # The language switch (Django's set_language, and the account's preference).
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("account/preferences/", views.preferences_edit, name="account_preferences"),
]
