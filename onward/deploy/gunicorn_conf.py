"""gunicorn's settings for Onward in production (docs/operations.md, "Deploy").

    gunicorn -c python:onward.deploy.gunicorn_conf onward.wsgi:application

Several processes: a page is Python work that holds the interpreter lock, so threads in
one process (the demo's waitress) serve one page at a time per process; gunicorn's
pre-forked workers serve one each, in parallel, and a worker that dies or hangs is
replaced. Sync workers are enough behind a buffering proxy (nginx reads slow clients).

Any setting here can be changed on the command line (`--workers 9`) or in
GUNICORN_CMD_ARGS; the command line wins over this file.
"""

import multiprocessing

from onward.env import env_int, env_list, env_str

wsgi_app = "onward.wsgi:application"
# Loopback only: the TLS-terminating proxy on the same machine is the only client.
bind = env_str("ONWARD_BIND", "127.0.0.1:8000")
# The application is CPU-bound (about 26 ms of CPU a request, the database beside it): one
# worker per core and one more did as well as 2 × cores + 1 with fewer processes
# (docs/benchmarks.md, "Throughput"); gunicorn's
# usual 2 × cores + 1 suits workers that mostly wait. WEB_CONCURRENCY is the usual name.
workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1, minimum=1)
worker_class = "sync"
# Owner-only files (the settings set it too, in each worker): used if gunicorn daemonises.
umask = 0o077
# X-Forwarded-Proto makes a request HTTPS only when it comes from these addresses (the
# proxy); from anyone else it is ignored. Django reads the same list for X-Forwarded-For
# (onward/audit/middleware.py `client_ip`).
forwarded_allow_ips = ",".join(env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"))
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# The longest page (the situation report in PDF of a million residents) takes ~2 s; long
# work (imports, dedup, matching) runs in the background worker, never in a request.
timeout = 60
graceful_timeout = 30
# A worker is replaced after about a thousand requests: memory never creeps up for ever.
max_requests = 1000
max_requests_jitter = 100
# The access log names the path, never the query string (a search for a name would
# write the name to the log), the referrer or the user agent.
accesslog = "-"
# The request id (X-Request-ID, as answered) ties the line to the audit entries.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
errorlog = "-"
# No control socket (gunicorn 25.1+): nothing to manage at run time that systemd does not,
# and one socket per user would be shared by every instance it runs.
control_socket_disable = True
