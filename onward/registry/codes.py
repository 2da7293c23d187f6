"""Code lists of the registry, shared by models, forms, import, the demo and the engines.

Plain Python on purpose: the synthetic population and the engines use them without Django.
"""

SEX = {"M": "Male", "F": "Female", "X": "Other / not stated"}

# Relationship of a case member to the case's principal applicant.
RELATIONSHIPS = {
    "principal": "Principal applicant",
    "spouse": "Spouse",
    "child": "Son / daughter",
    "parent": "Father / mother",
    "sibling": "Brother / sister",
    "grandchild": "Grandchild",
    "grandparent": "Grandparent",
    "other_relative": "Other relative",
    "non_relative": "Non-relative",
}

# Specific needs, after the UNHCR specific-needs categories (the top-level codes).
SPECIFIC_NEEDS = {
    "SM": "Serious medical condition",
    "DS": "Disability",
    "ER": "Older person at risk",
    "UC": "Unaccompanied child",
    "SC": "Separated child",
    "CR": "Child at risk",
    "WR": "Woman at risk",
    "SP": "Single parent or caregiver",
    "TR": "Survivor of torture",
    "SV": "Survivor of sexual or gender-based violence",
    "LP": "Specific legal and physical protection needs",
    "FU": "Family unity",
}

AGE_BANDS = [(0, 4), (5, 11), (12, 17), (18, 59), (60, 200)]
