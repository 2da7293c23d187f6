"""The readiness chore: the stored "ready for departure" state follows time passing."""

from onward.jobs.registry import chore


# Hourly, though it works once a day: a run the same day finds nothing to do (the day is
# recorded, ExpiryFollow), so the day's run comes within the hour after midnight and a
# worker stopped for days catches up the day it starts again.
@chore("readiness follow", every=3600)
def _follow_chore() -> str:
    from onward.readiness.services import follow_expiries

    return str(follow_expiries())
