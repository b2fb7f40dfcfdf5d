"""The ASGI application, for servers that speak ASGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")

application = get_asgi_application()

from spl.startup import require_secret_key  # noqa: E402 - needs the app loaded

require_secret_key()
