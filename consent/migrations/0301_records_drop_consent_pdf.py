"""The consent PDFs now live in records.SealedRecord (copied and checked by 0300)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("consent", "0300_records_copy_consent_pdfs")]
    operations = [migrations.DeleteModel(name="ConsentPdf")]
