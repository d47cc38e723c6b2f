import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")
application = get_wsgi_application()

from core.deploy import refuse_unsafe_start  # noqa: E402 — after Django is set up

refuse_unsafe_start()
