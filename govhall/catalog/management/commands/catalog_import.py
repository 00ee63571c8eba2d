from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.catalog.excel import ImportFailed, import_workbook


class Command(BaseCommand):
    help = "从 Excel 文件导入事项目录：先逐行校验，有任何错误则不导入；变化的事项发布新版本。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件（.xlsx），格式同 catalog_export 的输出")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            report = import_workbook(path.read_bytes())
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(exc.message) from exc
        self.stdout.write(f"导入完成：{report.summary()}")
