"""The `onward` command: Onward's own commands, and Django's management commands.

`onward dedup` and `onward match` work on files alone and never touch Django; everything
else (`onward demo`, `onward migrate`, `onward check --deploy`, `onward createsuperuser`,
…) is a Django management command.
"""

import os
import sys
import time

FILE_ONLY = {
    "dedup": "onward.dedup.cli",
    "match": "onward.matching.cli",
}


def main(argv: list[str] | None = None) -> int:
    # Owner-only files (onward.env.private_files, called again by the settings), for the
    # file-only commands too: their outputs hold personal data. Set here without importing
    # onward.env, which imports Django.
    os.umask(0o077)
    from_process = argv is None  # the `onward` command itself, not a call from Python
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in FILE_ONLY:
        from importlib import import_module

        module = import_module(FILE_ONLY[argv[0]])
        if argv[0] == "match" and from_process:
            # --time-limit counts from the process's start, the interpreter's too.
            started = time.perf_counter() - module.process_age()
            return int(module.main(argv[1:], started=started) or 0)
        return int(module.main(argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onward", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
