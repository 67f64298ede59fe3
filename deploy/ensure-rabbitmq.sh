#!/usr/bin/env bash
# Make sure RabbitMQ answers at AMQP_URI; start a local rabbitmq-server if one is installed.
set -euo pipefail
PY=${PY:-python3}
uri=${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}
answers() {
  "$PY" - "$uri" <<'PY'
import socket, sys
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    socket.create_connection((u.hostname or "127.0.0.1", u.port or 5672), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}
answers && exit 0
if command -v rabbitmq-server >/dev/null 2>&1; then
  echo "RabbitMQ is not answering at $uri; starting the local rabbitmq-server..."
  rabbitmq-server -detached || true
  for _ in $(seq 1 60); do answers && { echo "RabbitMQ is up."; exit 0; }; sleep 1; done
  echo "rabbitmq-server did not come up within 60 s; see its logs (rabbitmq-diagnostics status)." >&2
  exit 1
fi
cat >&2 <<MSG
RabbitMQ is not answering at $uri and no rabbitmq-server is installed here.
Get one of:
  docker compose up -d rabbitmq           # from this repository
  sudo apt-get install rabbitmq-server    # Debian/Ubuntu; then run make run again
  brew install rabbitmq && brew services start rabbitmq   # macOS
or point AMQP_URI at a broker you have.
MSG
exit 1
