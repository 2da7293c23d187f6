from django.apps import AppConfig


class CampConfig(AppConfig):
    name = "onward.camp"
    label = "camp"

    def ready(self):
        from django.db.models.signals import post_save

        from onward.movements.models import LedgerEntry

        # Every departure ends the person's allocation on its date, whatever path wrote
        # it (departure service, transfer, death): the ledger knows nothing of housing.
        post_save.connect(_ledger_written, sender=LedgerEntry, dispatch_uid="camp_departure")


def _ledger_written(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.delta != -1:
        return
    from onward.camp.services import allocation_end

    allocation_end(person=instance.person, on=instance.date, reason=instance.kind)
