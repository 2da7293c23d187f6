"""Static files as production collects and serves them (docs/operations.md, "Deploy")."""

import pytest
from django.core.management import call_command
from django.test import override_settings

MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Every static file collected by the manifest storage, as `onward collectstatic` does
    under the production settings (production compresses too; the references it checks
    are the same, and the smoke test, scripts/smoke-production, runs the real one)."""
    root = tmp_path_factory.mktemp("static")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": MANIFEST},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_every_static_file_collects_under_the_manifest_storage(collected):
    """It failed on Chart.js's reference to a source map that is not shipped, and with it
    every page of the production deployment answered 500."""
    assert (collected / "staticfiles.json").exists()
    assert list(collected.glob("vendor/chartjs/chart.umd.min.*.js"))
