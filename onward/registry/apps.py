from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "onward.registry"
    label = "registry"

    def ready(self):
        from django.db.models.signals import post_migrate

        from onward.registry import jobs  # noqa: F401  (registers the "import" job kind)

        post_migrate.connect(_refresh_derived, sender=self)


def _refresh_derived(sender, using="default", verbosity=1, **kwargs):
    """After `migrate`: stored values derived by code (the name keys) brought up to the
    code's version. Migrations never compute them (they would replay old code's view)."""
    from onward.registry.search import search_keys_refresh

    changed = search_keys_refresh()
    if changed and verbosity:
        print(f"  Search keys recomputed for {changed:,} persons.")
