from django.apps import AppConfig


class MovementsConfig(AppConfig):
    name = "onward.movements"
    label = "movements"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_save

        from onward.registry.models import Person

        # The rollups count each person under their current sex, birth year and needs.
        # The registry knows nothing of the rollups, so its saves are followed here and
        # the person's entries moved in the same transaction (a derived index, like a
        # database index: no rule of the domain lives in these receivers).
        post_save.connect(_person_saved, sender=Person, dispatch_uid="movements_dims_save")
        m2m_changed.connect(
            _needs_changed,
            sender=Person.specific_needs.through,
            dispatch_uid="movements_dims_needs",
        )


def _person_saved(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    from onward.movements.rollup import person_dims_sync

    person_dims_sync([instance.pk])


def _needs_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from onward.movements.rollup import person_dims_sync

    if not reverse:
        person_dims_sync([instance.pk])
    elif pk_set:
        person_dims_sync(pk_set)
