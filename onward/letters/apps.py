from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "onward.letters"
    label = "letters"
    verbose_name = "Letters to residents"
