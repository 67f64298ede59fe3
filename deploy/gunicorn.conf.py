"""gunicorn settings for the gateway: `gunicorn -c deploy/gunicorn.conf.py --bind HOST:PORT gateway.wsgi:app`."""
from gateway.server import quiet_gunicorn

worker_class = "gthread"
threads = 16
accesslog = "-"
# gunicorn's ceiling; the gateway itself answers 414 problem+json above GATEWAY_MAX_URL_BYTES (lower).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

quiet_gunicorn()
