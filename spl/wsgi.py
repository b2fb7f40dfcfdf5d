"""The WSGI application that gunicorn (and runserver) serve."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")

application = get_wsgi_application()

from spl.startup import require_secret_key  # noqa: E402 - needs the app loaded

require_secret_key()
