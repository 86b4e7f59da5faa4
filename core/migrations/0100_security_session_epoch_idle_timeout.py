import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0200_links_patient_links_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_epoch",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Raised by 'sign out everywhere': every session signed in before ends.",
            ),
        ),
        migrations.AddField(
            model_name="clinicsettings",
            name="idle_timeout_minutes",
            field=models.PositiveSmallIntegerField(
                default=15,
                help_text="Automatic log-off (HIPAA 164.312(a)(2)(iii)); between 2 and 30 minutes.",
                validators=[
                    django.core.validators.MinValueValidator(2),
                    django.core.validators.MaxValueValidator(30),
                ],
                verbose_name="minutes without activity before a session ends",
            ),
        ),
    ]
