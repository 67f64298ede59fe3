"""A real SMTP server for the tests: aiosmtpd in a process of its own, on a free local port.

A process rather than aiosmtpd's in-process Controller: the tests run under eventlet's monkey
patching, which asyncio's thread would share. Every message the server accepts is written as it
arrived (the raw bytes) to a directory, and read back parsed with the modern email policy:

    def test_letter(smtp_server, ...):
        start_service(CrmService, **smtp_server.config)
        message = smtp_server.wait_for(lambda m: m["To"].addresses[0].username == "ana")
        message["Subject"], message.get_body(("plain",)).get_content(), list(message.iter_attachments())

`stop()` and `start()` take the server away and bring it back on the same port.
"""
import os
import socket
import subprocess
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


class Spool:
    """The aiosmtpd handler the server process runs (`-c tests.smtp.Spool DIR`): one file per message."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.count = 0

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.count += 1
        name = f"{time.time_ns()}-{self.count:06d}.eml"
        partial = self.directory / (name + ".part")
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.directory / name)  # whole files only, for the reader
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, directory: Path, port: int | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.host, self.port = "127.0.0.1", port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def config(self) -> dict:
        """What a CRM container needs to send here (start_service(CrmService, **smtp_server.config))."""
        return {"SMTP_HOST": self.host, "SMTP_PORT": str(self.port), "SMTP_SECURITY": "none"}

    def start(self, timeout: float = 10.0):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{self.host}:{self.port}", "-c", "tests.smtp.Spool",
             str(self.directory)], cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"aiosmtpd exited with {self.process.returncode}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"aiosmtpd did not listen on {self.host}:{self.port} within {timeout}s")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message accepted so far, oldest first."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.directory.glob("*.eml"))]

    def wait_for(self, predicate=lambda message: True, timeout: float = 10.0) -> EmailMessage:
        """The first accepted message predicate(message) is true of; AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages:
                if predicate(message):
                    return message
            if time.monotonic() > deadline:
                subjects = [str(m["Subject"]) for m in self.messages]
                raise AssertionError(f"no matching message within {timeout}s; the server has {subjects}")
            time.sleep(0.05)
