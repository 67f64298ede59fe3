"""The baseline: an RPC that does nothing, so its row is the cost of the broker round trip alone."""
from nameko.rpc import rpc


class EchoService:
    # Not "echo": on a shared broker another echo service would answer (or steal) our calls.
    name = "bench_echo"

    @rpc
    def echo(self, x):
        return x
