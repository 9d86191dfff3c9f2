"""``manage.py verify_ledger``: recompute every hash chain and every stored balance; exit 1 on a mismatch."""

from django.core.management.base import BaseCommand, CommandError

from partners.services import ledger_checkpoint


class Command(BaseCommand):
    help = "校验积分账本：重算每个账簿的哈希链与每个账户的余额，发现不符时以非零状态退出并指出第一处问题。"

    def add_arguments(self, parser):
        parser.add_argument("--no-checkpoint", action="store_true", help="只校验，不记录校验结果。")

    def handle(self, *args, no_checkpoint: bool = False, **options):
        result = ledger_checkpoint(record=not no_checkpoint)
        if not result.ok:
            for problem in result.problems[1:10]:
                self.stderr.write(problem)
            raise CommandError(f"账本校验失败：{result.problems[0]}")
        self.stdout.write(
            self.style.SUCCESS(
                f"账本校验通过：{result.transactions} 笔交易，{len(result.heads)} 个账簿，余额全部相符。"
            )
        )
