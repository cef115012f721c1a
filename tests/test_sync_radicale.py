"""``smallcrm sync`` served for real: Radicale runs on 127.0.0.1 over the test's folder, and
the tests talk to it over HTTP as a phone's CardDAV/CalDAV client does (GET, PUT with If-Match).
"""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smallcrm.store import appointments, contacts
from smallcrm.store.db import Database
from smallcrm.store.vdir.run import sync_folder

pytest.importorskip("radicale")

USER = "jana"


@dataclass(frozen=True)
class Server:
    """A running Radicale: its address and the folder ``smallcrm sync`` keeps (its user's)."""

    url: str
    folder: Path

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request as ``jana`` (any password: the test server does not check)."""
        auth = base64.b64encode(f"{USER}:x".encode()).decode()
        request = urllib.request.Request(
            f"{self.url}/{USER}/{path}",
            data=body,
            method=method,
            headers={"Authorization": f"Basic {auth}", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Server]:
    """Radicale on a free loopback port, storing in the test's folder (no authentication)."""
    storage = tmp_path / "radicale"
    port = _free_port()
    command = [
        sys.executable, "-m", "radicale", "--config", "",
        f"--storage-filesystem-folder={storage}", f"--server-hosts=127.0.0.1:{port}",
        "--auth-type=none", "--logging-level=error",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    said = process.communicate()[1].decode(errors="replace")
                    raise RuntimeError(f"Radicale did not start: {said}") from None
                time.sleep(0.1)
        yield Server(f"http://127.0.0.1:{port}", storage / "collection-root" / USER)
    finally:
        process.terminate()
        process.wait(10)


def test_a_phone_changes_a_card_and_adds_an_event_over_http(db: Database, radicale: Server) -> None:
    jana = contacts.create_contact(db, name="Jana Novak", emails=["jana@example.com"])
    sync_folder(db, radicale.folder)
    href = f"contacts/smallcrm-contact-{jana.id}.vcf"
    status, headers, body = radicale.request("GET", href)
    assert status == 200 and b"FN:Jana Novak" in body
    changed = body.replace(b"END:VCARD", b"TITLE:Chief buyer\r\nX-PHONE-TONE:bells\r\nEND:VCARD")
    status, _h, _b = radicale.request(
        "PUT", href, changed, {"Content-Type": "text/vcard", "If-Match": headers["ETag"]}
    )
    assert status in (201, 204)
    event = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:phone-event-1\r\nDTSTAMP:20261125T100000Z\r\nDTSTART:20261202T130000Z\r\n"
        "DTEND:20261202T140000Z\r\nSUMMARY:Visit Jana\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    status, _h, _b = radicale.request(
        "PUT", "calendar/phone-event-1.ics", event.encode(), {"Content-Type": "text/calendar"}
    )
    assert status == 201
    reports = {r.collection: r for r in sync_folder(db, radicale.folder)}
    assert (reports["contacts"].from_phone, reports["calendar"].created) == (1, 1)
    assert contacts.get_contact(db, jana.id).title == "Chief buyer"
    added = [a for a in appointments.iter_appointments(db) if a.uid == "phone-event-1"]
    assert [(a.title, a.starts_at) for a in added] == [
        ("Visit Jana", datetime(2026, 12, 2, 13, 0, tzinfo=UTC))
    ]
    status, _h, body = radicale.request("GET", href)
    assert b"TITLE:Chief buyer" in body and b"X-PHONE-TONE:bells" in body


def test_a_crm_edit_is_served_with_a_new_etag_and_a_stale_put_is_refused(
    db: Database, radicale: Server
) -> None:
    jana = contacts.create_contact(db, name="Jana Novak", title="Buyer")
    sync_folder(db, radicale.folder)
    href = f"contacts/smallcrm-contact-{jana.id}.vcf"
    _s, before, old_body = radicale.request("GET", href)
    sync_folder(db, radicale.folder)  # nothing changed: the same ETag
    assert radicale.request("GET", href)[1]["ETag"] == before["ETag"]
    contacts.update_contact(db, jana.id, 1, title="Director")
    sync_folder(db, radicale.folder)
    status, after, body = radicale.request("GET", href)
    assert status == 200 and b"TITLE:Director" in body
    assert after["ETag"] != before["ETag"]
    stale = old_body.replace(b"TITLE:Buyer", b"TITLE:Intern")
    status, _h, _b = radicale.request(
        "PUT", href, stale, {"Content-Type": "text/vcard", "If-Match": before["ETag"]}
    )
    assert status == 412  # the phone must fetch the CRM's change first
