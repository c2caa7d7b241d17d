"""scripts/deploy.py's steps against the emulator (S3, Secrets Manager, CloudFront) and a running
plenary-local, so the deploy an organiser runs is tested before they run it:

- `secret` makes a secret the functions accept (the token's SHA-256, a 32-byte join key, an
  origin secret within the CDN's bounds), prints the token once, and on a second run changes
  nothing and prints no token;
- `site` puts every file of local/site with the content type and Cache-Control plenary-local
  sends for it (asked of the running stack, file by file), removes files the site no longer has,
  and invalidates /* on the distribution;
- `params` adds SiteUrl and AllowedOrigins only where samconfig leaves them out.

Usage: deploy_check.py BASE_URL (of plenary-local), with AWS_ENDPOINT_URL at the emulator.
"""

import hashlib
import importlib.util
import io
import json
import re
import sys
import urllib.request
from contextlib import redirect_stdout
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("deploy", ROOT / "scripts" / "deploy.py")
deploy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(deploy)

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(*argv):
    """deploy.py's main with these arguments; its stdout."""
    out = io.StringIO()
    sys.argv = ["deploy.py", *argv]
    with redirect_stdout(out):
        code = deploy.main()
    check(code == 0, f"deploy.py {' '.join(argv)} exits 0")
    return out.getvalue()


def served(base, path):
    """(content type, cache control) plenary-local sends for a path."""
    with urllib.request.urlopen(base + path) as res:
        return res.headers["Content-Type"], res.headers["Cache-Control"]


def secret_step():
    name = f"plenary-check/{hashlib.sha256(str(Path.cwd()).encode()).hexdigest()[:8]}-{id(failures)}"
    first = run("secret", "--name", name)
    token = re.search(r"organiser token \(shown once, not stored; keep it\): (\S+)", first)
    check(token is not None, "the first run prints the organiser token")
    stored = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])
    check(set(stored) == {"organiser_token_hash", "join_key", "origin_secret"},
          f"the secret holds exactly the three keys: {sorted(stored)}")
    if token:
        t = token.group(1)
        check(len(t) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", t) is not None,
              "the token is at least 43 URL-safe characters (the organiser function's minimum)")
        check(stored["organiser_token_hash"] == hashlib.sha256(t.encode()).hexdigest(),
              "only the token's SHA-256 is stored")
        check(t not in json.dumps(stored), "the token itself is not stored")
    check(re.fullmatch(r"[0-9a-f]{64}", stored["join_key"]) is not None, "the join key is 32 bytes in hex")
    check(32 <= len(stored["origin_secret"]) <= 256 and stored["origin_secret"].isascii(),
          "the origin secret is 32 to 256 ASCII characters")
    second = run("secret", "--name", name)
    again = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])
    check("organiser token" not in second and again == stored,
          "a second run prints no token and leaves the secret as it was")


def site_step(base):
    s3 = boto3.client("s3")
    bucket = f"plenary-check-site-{id(failures)}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="old-page.html", Body=b"gone")
    cf = boto3.client("cloudfront")
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": bucket, "Comment": "deploy check", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": f"{bucket}.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False,
                                                                  "Cookies": {"Forward": "none"}}},
    })["Distribution"]["Id"]
    run("site", "--bucket", bucket, "--distribution", dist)
    files = deploy.site_files(ROOT / "local" / "site")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    check(keys == set(files), f"the bucket holds exactly the site's {len(files)} files (the stale page removed)")
    # Pages are served by route, not by file name; the rest by their own path.
    pages = {"index.html": "/", "event.html": "/events/x1", "admin/sign-in.html": "/admin/sign-in"}
    wrong = []
    for key in sorted(files):
        if key.endswith(".html") and key not in pages:
            continue
        head = s3.head_object(Bucket=bucket, Key=key)
        want = served(base, pages.get(key, "/" + key))
        got = (head["ContentType"], head.get("CacheControl"))
        if got != want:
            wrong.append((key, got, want))
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        if body != files[key].read_bytes():
            wrong.append((key, "body differs"))
    check(not wrong, f"each file's type and caching are plenary-local's, its bytes the file's: {wrong}")
    html = [k for k in files if k.endswith(".html")]
    check(all(s3.head_object(Bucket=bucket, Key=k).get("CacheControl") == "no-store" for k in html),
          f"all {len(html)} pages are sent no-store (their URLs may carry tokens)")
    invalidations = cf.list_invalidations(DistributionId=dist)["InvalidationList"].get("Items", [])
    check(len(invalidations) == 1, "the distribution got one invalidation")
    if invalidations:
        inv = cf.get_invalidation(DistributionId=dist, Id=invalidations[0]["Id"])["Invalidation"]
        check(inv["InvalidationBatch"]["Paths"].get("Items") == ["/*"], "of /*")


def params_step():
    given = ["SenderAddress=events@example.org"]
    check(deploy.params(given, None) == given + ["AllowedOrigins=https://pending.invalid"],
          "a new stack without a domain: a placeholder origin, no SiteUrl yet")
    check(deploy.params(given, "https://d111.cloudfront.net") ==
          given + ["SiteUrl=https://d111.cloudfront.net", "AllowedOrigins=https://d111.cloudfront.net"],
          "once it has a distribution: SiteUrl and the origin are its address")
    domain = given + ["DomainName=workshop.example.org"]
    check(deploy.params(domain, "https://workshop.example.org") ==
          domain + ["AllowedOrigins=https://workshop.example.org"],
          "with a domain: no SiteUrl (the template derives it), the origin is the domain's")
    chosen = given + ["SiteUrl=https://w.example.org/site", "AllowedOrigins=https://a.example,https://b.example"]
    check(deploy.params(chosen, "https://d111.cloudfront.net") == chosen,
          "what samconfig sets is kept as it is")
    shipped = deploy.overrides(ROOT / "infra" / "samconfig.toml")
    check(any(o.startswith("SenderAddress=") for o in shipped), "the shipped samconfig.toml parses")


def main():
    base = sys.argv[1].rstrip("/")
    secret_step()
    site_step(base)
    params_step()
    if failures:
        print(f"deploy check: {len(failures)} failed", file=sys.stderr)
        return 1
    print("deploy check: every step passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
