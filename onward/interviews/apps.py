from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "onward.interviews"
    label = "interviews"
    verbose_name = "Languages, interpreters, rooms and appointments"
