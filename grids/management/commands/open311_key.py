"""``manage.py open311_key NAME``: issue an Open311 API key; the key alone is the last line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grids.services.open311 import open311_key_issue


class Command(BaseCommand):
    help = "为 Open311 客户端签发 api_key（只显示一次，库中只存摘要）。输出的最后一行就是密钥。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="客户端名称，例如“市民通 App”。")

    def handle(self, *args, name: str, **options):
        if not name.strip():
            raise CommandError("请提供客户端名称。")
        try:
            record, key = open311_key_issue(name=name)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已为“{record.name}”签发 Open311 密钥（前缀 {record.prefix}）。")
            + "密钥只显示这一次，请立即复制保存："
        )
        self.stdout.write(key)
