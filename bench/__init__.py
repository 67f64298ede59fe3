"""`make bench`: throughput and latency tables for the RPC baseline and the gateway.

It measures and prints; it never asserts a timing. Everything it starts (a private RabbitMQ
vhost, a PostgreSQL database, nameko and gunicorn processes) is stopped on the way out.
"""
import warnings

# nameko imports eventlet, which prints a deprecation notice on import; noise in a bench report.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
