"""Checks the sample emails (`cargo run -p plenary --example mail_samples -- DIR`) with software
nobody here wrote: Python's `email` package parses each one (no defect, both parts decode, the
headers every message must carry) and SpamAssassin scores it offline (`-L`: local tests only).
Every message must score 0 or less, with one exception: a Russian message may score MIXED_ES
and nothing else (1.0, a fifth of the 5.0 at which SpamAssassin calls a message spam). MIXED_ES
counts Latin `e` against Cyrillic `е`, and the event's English title and the links' Latin
addresses put more than 20 Latin `e` into any Russian message (TESTING.md, Notes). Usage: mail_check.py DIR."""

import email
import email.policy
import email.utils
import pathlib
import re
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

OPTIONAL = {"reminder", "programme_changes", "announcement"}
SENT_AT = datetime(2021, 8, 23, 8, 0, tzinfo=timezone.utc)


def check_mime(path, raw):
    """Problems Python's parser finds in one message, as sentences."""
    problems = []
    kind, language = path.stem.rsplit("-", 1)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for part in msg.walk():
        if part.defects:
            problems.append(f"defects in {part.get_content_type()}: {part.defects}")
    for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
        if msg[name] is None:
            problems.append(f"no {name} header")
    if msg["Auto-Submitted"] != "auto-generated":
        problems.append(f"Auto-Submitted is {msg['Auto-Submitted']!r}")
    if msg["Content-Language"] != language:
        problems.append(f"Content-Language is {msg['Content-Language']!r}")
    raw_from = re.search(rb"^From: ([^\r\n]*)", raw, re.M).group(1).decode("ascii")
    if raw_from != '"ITU Workshops" <events@workshops.example.org>':
        problems.append(f"the From header is written {raw_from!r}")
    if msg["From"].addresses[0].display_name != "ITU Workshops":
        problems.append(f"the From name reads {msg['From'].addresses[0].display_name!r}")
    date = email.utils.parsedate_to_datetime(msg["Date"])
    if date != SENT_AT:
        problems.append(f"the Date is {date}, not {SENT_AT}")
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    if text is None or html is None:
        problems.append("not both a text and an HTML part")
        return problems
    text, html = text.get_content(), html.get_content()
    if "Ada Lovelace" not in text or "Ada Lovelace" not in html:
        problems.append("a part lost the greeting")
    if f'<html lang="{language}"' not in html:
        problems.append("the HTML part does not say its language")
    page = "https://workshops.example.org/unsubscribe?token="
    if kind in OPTIONAL:
        if not (msg["List-Unsubscribe"] or "").startswith("<https://api.workshops.example.org/v1/unsubscribe?token="):
            problems.append(f"List-Unsubscribe is {msg['List-Unsubscribe']!r}")
        if msg["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
            problems.append("no List-Unsubscribe-Post")
        if page not in text or page not in html:
            problems.append("the body does not link to the unsubscribe page")
        if "/v1/unsubscribe" in text or "/v1/unsubscribe" in html:
            problems.append("the body links to the API's one-click route")
    elif msg["List-Unsubscribe"] is not None or page in text:
        problems.append("transactional mail offers to unsubscribe")
    if kind == "programme_changes":
        calendars = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
        if len(calendars) != 1 or "BEGIN:VCALENDAR" not in calendars[0].get_content():
            problems.append("no readable calendar attachment")
    return problems


def spam_score(raw):
    """SpamAssassin's score and the rules it hit, offline (`-L`) and statelessly (no Bayes). One
    process per message: `--mbox` carries state from one message to the next (the same message
    scored 0 or 1.0 depending on its neighbours)."""
    options = ["--cf=report_safe 0", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"]
    out = subprocess.run(
        ["spamassassin", "-L", *options], input=raw, capture_output=True, check=True,
    ).stdout
    message = email.message_from_bytes(out, policy=email.policy.compat32)
    # Folded lines joined; a list of rules folds after its commas.
    status = re.sub(r",\s+", ",", " ".join((message["X-Spam-Status"] or "").split()))
    score = re.search(r"score=(-?[0-9.]+)", status)
    tests = re.search(r"tests=(\S+)", status)
    if score is None:
        raise SystemExit(f"SpamAssassin gave no score: {out[:2000]!r}")
    return float(score.group(1)), tests.group(1) if tests else "none"


def allowed(path, score, tests):
    """The one accepted score above 0: MIXED_ES alone, on a Russian message."""
    return path.stem.endswith("-ru") and tests.split(",").count("MIXED_ES") == 1 and score <= 1.0 and all(
        t in {"MIXED_ES", "HTML_MESSAGE", "NO_RECEIVED", "NO_RELAYS"} for t in tests.split(",")
    )


def main():
    folder = pathlib.Path(sys.argv[1])
    files = sorted(folder.glob("*.eml"))
    if not files:
        raise SystemExit(f"no .eml files in {folder}")
    # One SpamAssassin process per message, as many at once as there are cores.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        scores = dict(zip(files, pool.map(lambda p: spam_score(p.read_bytes()), files)))
    failed = 0
    for path in files:
        problems = check_mime(path, path.read_bytes())
        score, tests = scores[path]
        if score > 0 and not allowed(path, score, tests):
            problems.append(f"SpamAssassin scores {score} ({tests})")
        name = path.relative_to(folder)
        print(f"{name}: score {score} ({tests}){'' if not problems else ' FAILED'}")
        for p in problems:
            print(f"  {p}")
        failed += bool(problems)
    print(f"{len(files) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
