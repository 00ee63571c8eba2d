"""Gunicorn settings for `make run` (scripts/run.sh passes the rest on its command line)."""

from gunicorn.glogging import Logger


class GovhallLogger(Logger):
    """With --reuse-port each worker opens its own socket, so the arbiter has none to name
    and logs "Listening at:  (pid)": fill in the bound address instead."""

    def info(self, msg, *args, **kwargs):
        if msg.startswith("Listening at:") and args and not args[0]:
            bound = ",".join(f"http://{address}" for address in self.cfg.bind)
            args = (f"{bound} (one SO_REUSEPORT socket per worker)", *args[1:])
        super().info(msg, *args, **kwargs)


logger_class = GovhallLogger
