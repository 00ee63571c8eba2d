"""The background worker: periodic sweeps and the notification outbox."""

import logging
import os
import signal
import socket
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from govhall.core.heap import freeze_long_lived
from govhall.core.jobs import discover_jobs, heartbeat

logger = logging.getLogger("govhall.worker")


class Command(BaseCommand):
    help = "运行后台进程：定时任务与消息发送。可同时运行多个（PostgreSQL）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="每个任务运行一次后退出")
        parser.add_argument("--tick", type=float, default=1.0, help="轮询间隔（秒）")

    def handle(self, *args, once=False, tick=1.0, **options):
        name = f"{socket.gethostname()}:{os.getpid()}"
        stop = {"now": False}

        def request_stop(signum, frame):
            stop["now"] = True

        if threading.current_thread() is threading.main_thread():
            # Finish the current job on SIGTERM (deploys) instead of dying half-way.
            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
        jobs = discover_jobs()
        last_run: dict[str, float] = {}
        self.stdout.write(f"后台进程 {name} 启动，任务：{', '.join(j.name for j in jobs) or '无'}")
        first_round = True
        while not stop["now"]:
            heartbeat(name)
            for job in jobs:
                due = last_run.get(job.name, 0.0) + job.every_seconds
                if not once and time.monotonic() < due:
                    continue
                last_run[job.name] = time.monotonic()
                try:
                    done = job.func(timezone.now())
                except Exception:
                    logger.exception("job %s failed", job.name)
                    continue
                if once:
                    self.stdout.write(f"任务 {job.name}：{done if done is not None else '完成'}")
            if once:
                break
            if first_round:
                # Long-lived from here on: full collections need not walk what every job
                # has loaded (govhall/core/heap.py; a sealing batch holds SQLite's write lock).
                freeze_long_lived()
                first_round = False
            # A long-lived process: drop connections the database may have timed out.
            close_old_connections()
            time.sleep(tick)
