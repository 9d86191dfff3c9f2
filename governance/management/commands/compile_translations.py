"""``manage.py compile_translations``: .po → .mo with polib, so no system gettext is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "编译翻译文件（.po → .mo），无需系统 gettext。"

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in map(Path, settings.LOCALE_PATHS):
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                try:
                    catalog = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                catalog.save_as_mofile(str(mo_path))
                compiled += 1
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        f"compiled {po_path.relative_to(settings.BASE_DIR)} ({catalog.percent_translated()}%)"
                    )
        if options["verbosity"] >= 1:
            self.stdout.write(f"{compiled} catalogue(s) compiled")
