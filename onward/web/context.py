from onward.accounts.policy import can


def navigation(request):
    """The menu a user sees: only what their role may open."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    items = [("home", "Overview", True),
             ("case_list", "Cases", can(user, "registry.view")),
             ("person_list", "Persons", can(user, "registry.view")),
             ("audit_list", "Audit log", can(user, "audit.view")),
             ("api_docs", "API", True)]
    return {"nav": [(name, label) for name, label, shown in items if shown]}
