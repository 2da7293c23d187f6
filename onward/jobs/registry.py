"""Job kinds: a name and the function that does the work.

An app registers its kinds in its `AppConfig.ready` (or at import of its jobs module):

    @job_kind("import")
    def run_import(job, progress):   # progress(done, total=None, message="")
        ...
        return {"rows": 1000}        # becomes job.result
"""

from collections.abc import Callable

KINDS: dict[str, Callable] = {}


def job_kind(name: str):
    def register(fn):
        KINDS[name] = fn
        return fn

    return register
