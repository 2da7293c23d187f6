"""`{% load registry_io %}`: the policy's answer in templates, for the list pages' export
buttons (the list views are shared files; the policy stays the only reader of roles)."""

from django import template

from onward.accounts.policy import can as policy_can

register = template.Library()


@register.filter
def can(user, permission: str) -> bool:
    return policy_can(user, permission)
