"""gunicorn settings shared by `make run` (scripts/run.sh) and the API fuzz run.

limit_request_line: gunicorn answers a longer request line with its own HTML 414 before
Django sees it. Its largest bound (8190) lets every URL the API and pages can produce
through, so Django answers them (problem+json under /api/); anything longer still gets
gunicorn's 414, as any proxy in front would answer it.
"""

from gunicorn.glogging import Logger

limit_request_line = 8190
timeout = 60


class GovhallLogger(Logger):
    """With --reuse-port each worker opens its own socket, so the arbiter has none to name
    and logs "Listening at:  (pid)": fill in the bound address instead."""

    def info(self, msg, *args, **kwargs):
        if msg.startswith("Listening at:") and args and not args[0]:
            bound = ",".join(f"http://{address}" for address in self.cfg.bind)
            args = (f"{bound} (one SO_REUSEPORT socket per worker)", *args[1:])
        super().info(msg, *args, **kwargs)


logger_class = GovhallLogger
