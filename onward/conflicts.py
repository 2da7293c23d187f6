"""A refusal caused by the state of a record, not by the input that asked for the change.

"This submission was already decided", "Nothing left to accept in this run", "The manifest
is empty": the request was well formed, and the same request would have been taken a
moment earlier (or will be later). The API answers these 409 Conflict, in its error shape
(onward/api/errors.py); 400 stays for input that is wrong whatever the state. A Conflict
is a Django ValidationError, so forms and pages that show a ValidationError next to its
field show this one the same way.
"""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The record's state refuses the change; `message_dict` names what is in the way."""
