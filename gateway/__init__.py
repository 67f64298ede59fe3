"""The HTTP gateway: /api/v1 over RPC to the services."""
