"""Every file Onward writes is its owner's alone, whatever umask it was started with: the
SQLite database and its journal, uploads, import reports, exports, backups and the
development key file, in a data directory nobody else can enter."""

import os
import stat
import subprocess
import sys
import textwrap

# A service started the usual way (umask 022) that writes one of everything. Run in its
# own process: the umask and the settings are the process's, as in production.
SCRIPT = textwrap.dedent("""
    import os
    os.umask(0o022)
    import django
    django.setup()
    from pathlib import Path
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage
    from django.core.management import call_command
    from onward.accounts.models import User
    from onward.registry.importing import import_file
    from onward.registry.jobs import uploads_dir

    call_command("migrate", verbosity=0)
    User.objects.create_user("dm", password="pw-for-tests-123", role="data_manager")
    data = Path(settings.DATA_DIR)
    csv = (b"person_id,case_id,relationship,given_name,family_name,father_name,sex,"
           b"birth_date,nationality,document_number,phone,specific_needs\\n"
           b",,principal,Ali,Karimi,,Q,1980,IRN,,,\\n")
    stored = FileSystemStorage(location=uploads_dir()).save("day/people.csv", ContentFile(csv))
    import_file(uploads_dir() / stored, actor=User.objects.get(), dry_run=True,
                errors_out=uploads_dir() / "1-errors.csv")
    call_command("export", out=str(data / "persons.csv"), user="dm")
    call_command("backup", verbosity=0)
""")


def test_under_umask_022_everything_written_is_private(tmp_path):
    data = tmp_path / "var"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "ONWARD_FIELD_KEYS", "ONWARD_FIELD_KEYS_FILE")
    }
    env.update(DJANGO_SETTINGS_MODULE="onward.settings.base", ONWARD_DATA_DIR=str(data))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    modes = {
        str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode)
        for p in [data, *data.rglob("*")]
    }
    written = {
        "var/onward.sqlite3",
        "var/field-keys",
        "var/uploads/day/people.csv",
        "var/uploads/1-errors.csv",
        "var/persons.csv",
    }
    assert written <= modes.keys()
    assert any(name.startswith("var/backups/onward-") for name in modes)
    loose = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (tmp_path / name).is_dir() else 0o600)
    }
    assert not loose, f"not private: {loose}"
