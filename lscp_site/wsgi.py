import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lscp_site.settings.dev")

from lscp_site.pagecache import PageCacheFront  # noqa: E402  (needs the settings module)

# Cache hits are answered before Django handles the request (lscp_site/pagecache.py).
application = PageCacheFront(get_wsgi_application())
