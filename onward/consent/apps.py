from django.apps import AppConfig


class ConsentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onward.consent"
    verbose_name = "Consent, data-sharing agreements and dossiers"
