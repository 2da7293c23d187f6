"""Small helpers shared by the movements tests."""

import datetime as dt

from onward.conftest import principal_data
from onward.registry import services as registry

D0 = dt.date(2013, 1, 1)


def family(clerk, *, arrival=D0, mother_needs=(), **principal):
    """A case: a man (principal) and his wife, arrived on `arrival`."""
    case = registry.case_create(
        actor=clerk, principal=principal_data(**principal), arrival_date=arrival
    )
    wife = registry.person_add(
        actor=clerk,
        case=case,
        person=principal_data(
            given_name="Fatemeh",
            family_name="Karimi",
            sex="F",
            relationship="spouse",
            birth_date="1980-03-02",
            document_number="",
            specific_needs=list(mother_needs),
        ),
    )
    return case, case.members.get(relationship="principal"), wife


TRANSFER_DAY = dt.date(2013, 4, 2)  # after the relocation factories' dates (March 2013)


def ready_case(users, albania, *, size=2, arrival=D0, given_name="Mohammad"):
    """A case of `size` persons arrived on `arrival`, brought to "ready for departure"
    under `albania` through the relocation services."""
    from onward.accounts import roles
    from onward.relocation.models import State
    from onward.relocation.tests.factories import bring_to

    clerk = users[roles.CLERK]
    case = registry.case_create(
        actor=clerk, arrival_date=arrival, principal=principal_data(given_name=given_name)
    )
    for i in range(size - 1):
        registry.person_add(
            actor=clerk,
            case=case,
            person=principal_data(
                given_name=f"Member{i}",
                relationship="child",
                birth_date="2001",
                document_number="",
                specific_needs=[],
            ),
        )
    return bring_to(users, case, State.READY, pledge_=albania)
