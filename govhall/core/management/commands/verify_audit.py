from django.core.management.base import BaseCommand, CommandError

from govhall.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告每条链中第一个被改动或删除的条目。"

    def add_arguments(self, parser):
        parser.add_argument("--chain", default=None, help="只校验这一条链（默认全部）")

    def handle(self, *args, chain=None, **options):
        problems = verify_chain(chain)
        if not problems:
            self.stdout.write("审计日志完整：未发现改动。")
            return
        lines = [f"链 {p.chain} 第 {p.seq} 条（id={p.entry_id}）：{p.reason}" for p in problems]
        for line in lines:
            self.stderr.write(line)
        raise CommandError(f"审计日志被破坏（{len(problems)} 条链有问题）：" + "；".join(lines))
