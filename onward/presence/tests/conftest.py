# The real local SMTP server of the digest tests (aiosmtpd), for the follow-up journey.
from onward.tasks.tests.smtp import smtp_port, smtp_server  # noqa: F401
