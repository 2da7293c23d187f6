"""What a deployment runs besides Onward's code: the production web server's settings
(`gunicorn_conf`). The proxy and service-file examples are in docs/deploy/, and how they
fit together in docs/operations.md, "Deploy"."""
