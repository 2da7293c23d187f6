"""Code lists of the registry, shared by models, forms, import, the demo and the engines.

Plain Python on purpose: the synthetic population and the engines use them without Django
(the labels are only marked for the catalogs, with gettext_noop, which needs no settings;
they are translated where they are shown: the model choices, the letters).
"""

from django.utils.translation import gettext_noop

SEX = {
    "M": gettext_noop("Male"),
    "F": gettext_noop("Female"),
    "X": gettext_noop("Other / not stated"),
}

# Relationship of a case member to the case's principal applicant.
RELATIONSHIPS = {
    "principal": gettext_noop("Principal applicant"),
    "spouse": gettext_noop("Spouse"),
    "child": gettext_noop("Son / daughter"),
    "parent": gettext_noop("Father / mother"),
    "sibling": gettext_noop("Brother / sister"),
    "grandchild": gettext_noop("Grandchild"),
    "grandparent": gettext_noop("Grandparent"),
    "other_relative": gettext_noop("Other relative"),
    "non_relative": gettext_noop("Non-relative"),
}

# Specific needs, after the UNHCR specific-needs categories (the top-level codes).
SPECIFIC_NEEDS = {
    "SM": gettext_noop("Serious medical condition"),
    "DS": gettext_noop("Disability"),
    "ER": gettext_noop("Older person at risk"),
    "UC": gettext_noop("Unaccompanied child"),
    "SC": gettext_noop("Separated child"),
    "CR": gettext_noop("Child at risk"),
    "WR": gettext_noop("Woman at risk"),
    "SP": gettext_noop("Single parent or caregiver"),
    "TR": gettext_noop("Survivor of torture"),
    "SV": gettext_noop("Survivor of sexual or gender-based violence"),
    "LP": gettext_noop("Specific legal and physical protection needs"),
    "FU": gettext_noop("Family unity"),
}

AGE_BANDS = [(0, 4), (5, 11), (12, 17), (18, 59), (60, 200)]
