"""A real SMTP server on 127.0.0.1 (aiosmtpd) that a test starts, stops and inspects."""

from __future__ import annotations

import asyncio
import email
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .live_server import free_port


class Recorder:
    """aiosmtpd handler: keeps every accepted message; refuses the addresses in ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 No such user"
        self.delay_seconds = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)  # widens the window for concurrent workers
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SMTPServer:
    """``server.start()`` / ``server.stop()`` on one fixed port; down until started."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Recorder()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="localhost"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def recipients(self) -> list[str]:
        """The To address of every message received, in arrival order (repeats included)."""
        return [message["To"] for message in self.messages]
