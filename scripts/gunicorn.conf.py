"""gunicorn settings shared by `make run` (scripts/run.sh) and the API fuzz run.

limit_request_line: gunicorn answers a longer request line with its own HTML 414 before
Django sees it. Its largest bound (8190) lets every URL the API and pages can produce
through, so Django answers them (problem+json under /api/); anything longer still gets
gunicorn's 414, as any proxy in front would answer it.
"""

limit_request_line = 8190
timeout = 60
