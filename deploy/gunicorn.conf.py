"""gunicorn settings for the `web` service (docker-compose.yml), read from the environment."""

import os

bind = os.environ.get("PATHWAY_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Only the reverse proxy may set the scheme gunicorn reports (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1")
# Access log as JSON lines, with the request id the app put on the response.
accesslog = "-"
access_log_format = (
    '{"logger": "gunicorn.access", "time": "%(t)s", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_us": %(D)s, "remote": "%(h)s"}'
)
errorlog = "-"
