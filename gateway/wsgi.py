"""WSGI entry for gunicorn: `gunicorn gateway.wsgi:app`."""
from services.common.config import load_nameko_config

from .app import configure_logging, create_app

_config = load_nameko_config()
configure_logging(_config)
app = create_app(_config)
