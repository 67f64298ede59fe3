"""Configuration from environment variables, with defaults that work on a laptop.

Services read their nameko config from deploy/nameko.yml (which itself pulls from the
environment); everything here is what that file cannot express, such as the database
URL per service.
"""
import os
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
NAMEKO_CONFIG_FILE = REPO_ROOT / "deploy" / "nameko.yml"

SERVICES = ("crm", "itinerary", "ticketing", "contracts", "feedback")


def var_dir() -> Path:
    path = Path(os.environ.get("ITINERA_VAR_DIR", REPO_ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


def database_url(service: str, config: dict | None = None) -> str:
    """The service's own database: nameko config, then <SERVICE>_DATABASE_URL, then SQLite."""
    urls = (config or {}).get("DATABASE_URLS") or {}
    if urls.get(service):
        return urls[service]
    env = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{var_dir() / (service + '.db')}"


def load_nameko_config(path: Path = NAMEKO_CONFIG_FILE) -> dict:
    """Read deploy/nameko.yml the way `nameko run --config` does (with ${ENV:default})."""
    from nameko.cli.main import setup_yaml_parser

    setup_yaml_parser()
    with open(path) as fh:
        return yaml.load(fh, Loader=yaml.SafeLoader)
