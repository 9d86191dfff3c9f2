import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every follow-up belongs to its agreement (filled in by 0007 from the case's only agreement)."""

    dependencies = [
        ("mediation", "0007_agreement_rounds_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="followup",
            name="agreement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="follow_ups",
                to="mediation.agreement",
                verbose_name="调解协议",
            ),
        ),
    ]
