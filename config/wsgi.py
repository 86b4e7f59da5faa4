import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from core.deploy import require_production_ready  # noqa: E402  (needs the settings loaded)

require_production_ready()
