"""The kernel every Itinera service shares: config, database, outbox/inbox, errors, wire format."""
