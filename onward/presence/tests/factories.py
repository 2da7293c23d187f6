"""A small camp for the presence tests: one site, blocks of one unit each, residents."""

import datetime as dt

from onward.accounts import roles
from onward.camp import services as camp
from onward.camp.models import Block, Site, Unit
from onward.conftest import principal_data
from onward.registry import services as registry

D0 = dt.date(2013, 6, 1)
NAMES = ("Layla", "Omid", "Shirin", "Reza", "Maryam", "Nasrin")


def camp_with(users, *, blocks=("A", "B"), per_block=2, on=D0):
    """Blocks with one unit each and `per_block` residents housed there from `on`.
    Returns ({code: block}, {code: [persons]})."""
    site = Site.objects.get_or_create(name="Camp Liberty")[0]
    made, housed = {}, {}
    for i, code in enumerate(blocks):
        block = Block.objects.create(site=site, code=code)
        unit = Unit.objects.create(block=block, code="U1", capacity=per_block + 2)
        made[code], housed[code] = block, []
        for j in range(per_block):
            person = registry.case_create(
                actor=users[roles.CLERK],
                principal=principal_data(given_name=NAMES[(i * per_block + j) % len(NAMES)]),
                arrival_date=on,
            ).members.get()
            camp.allocate(
                actor=users[roles.CLERK], person=person, unit=unit, on=on, reason="arrival"
            )
            housed[code].append(person)
    return made, housed


def incident(users, *, on="2013-12-26 06:00"):
    from onward.incidents import services

    return services.incident_create(
        actor=users[roles.PROTECTION],
        data={"occurred_at": on, "type": "indirect_fire", "place": "Blocks A and B"},
    )


DAY_AFTER = dt.date(2013, 12, 27)
