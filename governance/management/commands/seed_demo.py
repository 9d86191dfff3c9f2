"""``manage.py seed_demo``: a realistic, idempotent demo (refuses with DEBUG off unless --force)."""

import importlib
import os

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from governance import demo

DEFAULT_PASSWORD = "Portal-demo-2026"  # noqa: S105 - the documented demo password


class Command(BaseCommand):
    help = "载入演示数据（一个街道、两个社区、六个网格、每个角色一个账号）。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也执行（生产库慎用）。")
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD),
            help="演示账号的统一密码（默认读取 DEMO_PASSWORD）。",
        )

    def handle(self, *args, force: bool, password: str, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭：拒绝在可能是生产环境的数据库中写入演示数据。确需执行请加 --force。")
        with transaction.atomic():
            context = demo.seed(password=password)
            for config in apps.get_app_configs():
                if config.name == "governance":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(context)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready:"))
        for username, user in context["accounts"].items():
            roles = ", ".join(sorted(p.get_role_display() for p in user.posts.all()))
            self.stdout.write(f"  {username:<12} {user.full_name:<6} {roles}")
        for note in context.get("notes", []):
            self.stdout.write(note)
        self.stdout.write(f"Demo password for every account: {password}")
