"""Checks a deployed Plenary read-only, from outside, as a registrant's browser would reach it.

    check_deployment.py SITE_URL [--local] [--api-endpoint URL]

SITE_URL is the stack's SiteUrl output (or https://your.domain). Nothing is written: only GETs,
HEADs and one CORS preflight. --local is for plenary-local, which has no CDN in front (the two
CloudFront checks are skipped; the test command runs it so against the local stack).
--api-endpoint (the stack's ApiEndpoint output) also checks that the API refuses requests that
bypass CloudFront. Exits 1 when any check fails, naming each. Standard library only.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def fetch(url, method="GET", headers=None):
    """(status, headers, body) without raising on 4xx/5xx."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site")
    parser.add_argument("--local", action="store_true")
    parser.add_argument("--api-endpoint")
    args = parser.parse_args()
    site = args.site.rstrip("/")

    status, headers, body = fetch(site + "/")
    check(status == 200 and headers.get("Content-Type", "").startswith("text/html"),
          f"the site's home page answers 200 text/html ({status} {headers.get('Content-Type')})")
    csp = headers.get("Content-Security-Policy", "")
    check("default-src 'none'" in csp and "script-src 'self'" in csp,
          "pages carry the site's Content-Security-Policy")
    check(headers.get("X-Content-Type-Options") == "nosniff", "pages carry nosniff")

    status, headers, body = fetch(site + "/events/no-such-event")
    check(status == 200 and b"<html" in body.lower(), "an event page route is rewritten to its page")

    status, headers, body = fetch(site + "/v1/events")
    events = None
    try:
        events = json.loads(body)
    except ValueError:
        pass
    check(status == 200 and isinstance(events, (list, dict)), f"the API answers GET /v1/events on the site's origin ({status})")
    check("public" in headers.get("Cache-Control", ""), "public reads say they may be cached")

    status, headers, body = fetch(site + "/v1/openapi.json")
    doc = json.loads(body) if status == 200 else {}
    check(str(doc.get("openapi", "")).startswith("3."), "the OpenAPI document is served")

    status, headers, body = fetch(site + "/v1/registrations/me")
    check(status == 401 and headers.get("Content-Type", "").startswith("application/problem+json"),
          f"a personal route without a token is a 401 problem ({status})")
    check("no-store" in headers.get("Cache-Control", "") or "private" in headers.get("Cache-Control", ""),
          "a personal route's answer is not cacheable")

    # The site calls the API on its own origin: a foreign page gets no CORS grant.
    status, headers, body = fetch(site + "/v1/events", method="OPTIONS", headers={
        "Origin": "https://not-the-site.example", "Access-Control-Request-Method": "POST"})
    check(headers.get("Access-Control-Allow-Origin") not in ("*", "https://not-the-site.example"),
          "a foreign origin is not granted CORS")

    if not args.local:
        first = fetch(site + "/v1/events")[1].get("X-Cache", "")
        second = fetch(site + "/v1/events")[1].get("X-Cache", "")
        check("cloudfront" in (first + second).lower(), f"the API is reached through CloudFront ({first!r})")
        check(second.lower().startswith(("hit", "refreshhit")), f"a repeated public read is a cache hit ({second!r})")
    if args.api_endpoint:
        status, headers, body = fetch(args.api_endpoint.rstrip("/") + "/v1/events")
        check(status == 403 and b"cdn-required" in body, f"the API's own endpoint refuses a request around the CDN ({status})")

    if failures:
        print(f"check-deployment: {len(failures)} failed", file=sys.stderr)
        return 1
    print(f"check-deployment: {site} answers as a deployment should")
    return 0


if __name__ == "__main__":
    sys.exit(main())
