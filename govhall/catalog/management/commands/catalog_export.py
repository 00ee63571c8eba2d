from pathlib import Path

from django.core.management.base import BaseCommand

from govhall.catalog.excel import export_workbook


class Command(BaseCommand):
    help = "导出事项目录（现行办事指南及材料）为 Excel 文件。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件，如 catalog.xlsx")

    def handle(self, *args, **options):
        path = Path(options["file"])
        path.write_bytes(export_workbook())
        self.stdout.write(f"已导出到 {path}")
