from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "onward.tasks"
    label = "tasks"

    def ready(self):
        from onward.accounts.policy import can
        from onward.accounts.preferences import Section, section_add
        from onward.tasks import jobs, rules  # noqa: F401  (registers the rules and the chore)
        from onward.tasks.forms import digest_extra, digest_form, digest_save

        # The e-mail digest choice on the user's preferences page.
        section_add(
            Section(
                name="digests",
                form=digest_form,
                save=digest_save,
                template="tasks/digest_preferences.html",
                extra=digest_extra,
                applies=lambda user: can(user, "tasks.view"),
            )
        )
