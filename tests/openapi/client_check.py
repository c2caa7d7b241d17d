"""Drives the local stack through the Python client openapi-python-client generated from its own
document (run by scripts/openapi-check.sh): the client must import, and its parsers must accept
what the stack answers, including a programme change of every kind the stack reports."""

import json
import sys
import urllib.request

from plenary_client import AuthenticatedClient, Client
from plenary_client.api.events import get_event, list_events
from plenary_client.api.organiser import get_organiser_event
from plenary_client.api.programme import get_programme, get_programme_changes
from plenary_client.models import ChangeKind, ChangeList, EventView, ProgrammeView

base, organiser = sys.argv[1], sys.argv[2]
EVENT = "qos-workshop-2021"


def call(method, path, body=None):
    req = urllib.request.Request(
        base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json", "authorization": f"Bearer {organiser}"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


public = Client(base_url=base, raise_on_unexpected_status=True)
admin = AuthenticatedClient(base_url=base, token=organiser, raise_on_unexpected_status=True)

events = list_events.sync(client=public)
assert events is not None and any(e.id == EVENT for e in events.events), events
event = get_event.sync(event_id=EVENT, client=public)
assert isinstance(event, EventView), event
programme = get_programme.sync(event_id=EVENT, client=public, tz="America/New_York")
assert isinstance(programme, ProgrammeView) and programme.days, programme
assert get_organiser_event.sync(event_id=EVENT, client=admin) is not None

# A second version where one session is renamed, one moved and one removed: the parser must take
# "updated", "moved" and "removed" as well as "added" (a oneOf of enum and consts refused them).
draft = call("GET", f"/v1/admin/events/{EVENT}/programme/draft")
sessions = draft["sessions"]
sessions[0]["title"] += " (revised)"
sessions[1]["track"] = "Elsewhere"
del sessions[-1]
call("PUT", f"/v1/admin/events/{EVENT}/programme/draft", draft)
published = call("POST", f"/v1/admin/events/{EVENT}/programme/publish")
changes = get_programme_changes.sync(event_id=EVENT, client=public, from_=published["version"] - 1)
assert isinstance(changes, ChangeList), changes
kinds = {c.change for c in changes.changes}
assert {ChangeKind.UPDATED, ChangeKind.MOVED, ChangeKind.REMOVED} <= kinds, kinds
first = get_programme_changes.sync(event_id=EVENT, client=public, from_=0, to=1)
assert {c.change for c in first.changes} == {ChangeKind.ADDED}, first

print(f"generated client: {len(events.events)} events, changes {sorted(k.value for k in kinds)} parsed")
