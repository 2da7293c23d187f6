from django.urls import path

from onward.accounts import views

urlpatterns = [
    path("account/two-factor/", views.otp_verify, name="otp_verify"),
    path("account/two-factor/enrol/", views.otp_enrol, name="otp_enrol"),
]
