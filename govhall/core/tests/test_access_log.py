"""27.6: the access log of `make run` (gunicorn, scripts/run.sh) leaves query strings out."""

import datetime as dt
import logging
import re
import shlex
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

RUN_SH = Path(__file__).resolve().parents[3] / "scripts" / "run.sh"


def _gunicorn_args() -> list[str]:
    text = RUN_SH.read_text()
    variables = dict(re.findall(r"^(\w+)='([^']*)'$", text, re.MULTILINE))
    command = text[text.index(".venv/bin/gunicorn") :].split("&\n", 1)[0].replace("\\\n", " ")
    for name, value in variables.items():
        command = command.replace(f'"${name}"', shlex.quote(value))
    return shlex.split(command)[1:]


def test_ticket_tokens_and_query_strings_stay_out_of_the_access_log():
    cfg = Config()
    args = _gunicorn_args()
    assert "--access-logformat" in args
    cfg.set("access_log_format", args[args.index("--access-logformat") + 1])
    cfg.set("accesslog", "-")
    logger = Logger(cfg)
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.access_log.addHandler(handler)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/q/t/42/?t=Sekret-Ticket-Token",
        "PATH_INFO": "/q/t/42/",
        "QUERY_STRING": "t=Sekret-Ticket-Token",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.8",
        "HTTP_REFERER": "https://hall.example/q/t/42/?t=Sekret-Ticket-Token",
        "HTTP_USER_AGENT": "kiosk",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=12))
    assert len(records) == 1
    line = records[0]
    assert '"GET /q/t/42/ HTTP/1.1" 200 512 12ms "kiosk"' in line
    assert "Sekret" not in line and "?" not in line
