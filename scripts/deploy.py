"""The deploy's steps that are not `sam deploy` itself (scripts/deploy.sh runs them in order).

    deploy.py secret [--name NAME]            the deployment's secret (SecretName), made once; prints the
                                              organiser token the one time it is made
    deploy.py token                           a new organiser token and its hash, to rotate it
    deploy.py site --bucket B [--distribution D] [--root local/site]
                                              the reference website into its bucket, each file
                                              with plenary-local's content type and caching,
                                              stale files removed, then CloudFront invalidated
    deploy.py outputs --stack S               the stack's outputs as KEY=VALUE lines
    deploy.py params --stack S [--site-url U] the parameter overrides for `sam deploy`, one a line:
                                              infra/samconfig.toml's, plus SiteUrl and
                                              AllowedOrigins where it leaves them out

boto3 takes the region and credentials from the usual places (AWS_REGION, a profile, a role);
AWS_ENDPOINT_URL points it at the emulator (scripts/deploy-check.sh does). Standard library and
boto3 only: it runs in the SAM CLI's venv.
"""

import argparse
import hashlib
import json
import secrets
import sys
import tomllib
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent

# What plenary-local sends with each file (local/src/site.rs `content_type` and its Cache-Control
# rule); scripts/deploy-check.sh holds the two equal file by file.
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ico": "image/x-icon",
    "txt": "text/plain; charset=utf-8",
    "woff2": "font/woff2",
}


def content_type(path: str) -> str:
    return CONTENT_TYPES.get(path.rsplit(".", 1)[-1] if "." in path else "", "application/octet-stream")


def cache_control(path: str) -> str:
    # Pages may carry tokens in their URL: browsers keep no copy. Everything else is revalidated
    # (S3 answers If-None-Match), so a deploy shows at once; CloudFront keeps its own copy
    # (SiteCachePolicy) until the deploy invalidates it.
    return "no-store" if content_type(path).startswith("text/html") else "no-cache"


def new_secret() -> tuple[str, dict]:
    """An organiser token (43 URL-safe characters, 256 random bits) and the secret to store:
    only the token's SHA-256, a join key and the CDN's origin secret."""
    token = secrets.token_urlsafe(32)
    return token, {
        "organiser_token_hash": hashlib.sha256(token.encode()).hexdigest(),
        "join_key": secrets.token_hex(32),
        "origin_secret": secrets.token_hex(32),
    }


def cmd_secret(args) -> int:
    if args.name is None:
        given = dict(o.split("=", 1) for o in overrides(Path(args.config)))
        args.name = given.get("SecretName") or "plenary/secrets"
    sm = boto3.client("secretsmanager")
    try:
        sm.describe_secret(SecretId=args.name)
        print(f"secret {args.name} exists; kept as it is (the organiser token was shown when it was made)",
              file=sys.stderr)
        return 0
    except sm.exceptions.ResourceNotFoundException:
        pass
    token, value = new_secret()
    sm.create_secret(Name=args.name, SecretString=json.dumps(value),
                     Description="Plenary: organiser token hash, join key, CDN origin secret")
    print(f"secret {args.name} made", file=sys.stderr)
    # The one time the token exists outside the organisers' hands: stdout, alone on its line.
    print(f"organiser token (shown once, not stored; keep it): {token}")
    return 0


def cmd_token(args) -> int:
    token, value = new_secret()
    print(f"organiser token: {token}")
    print(f"organiser_token_hash: {value['organiser_token_hash']}")
    return 0


def site_files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def cmd_site(args) -> int:
    s3 = boto3.client("s3")
    root = Path(args.root)
    files = site_files(root)
    for key, path in files.items():
        s3.put_object(Bucket=args.bucket, Key=key, Body=path.read_bytes(),
                      ContentType=content_type(key), CacheControl=cache_control(key))
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args.bucket):
        stale += [o["Key"] for o in page.get("Contents", []) if o["Key"] not in files]
    for i in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=args.bucket,
                          Delete={"Objects": [{"Key": k} for k in stale[i:i + 1000]], "Quiet": True})
    print(f"site: {len(files)} files into {args.bucket}, {len(stale)} stale removed", file=sys.stderr)
    if args.distribution:
        # One path, /*: an invalidation is priced per path, the first 1,000 a month free.
        cf = boto3.client("cloudfront")
        ref = f"plenary-{secrets.token_hex(8)}"
        inv = cf.create_invalidation(DistributionId=args.distribution, InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": ref})
        print(f"invalidation {inv['Invalidation']['Id']} of /* on {args.distribution}", file=sys.stderr)
    return 0


def cmd_outputs(args) -> int:
    for key, value in (stack_outputs(args.stack) or {}).items():
        print(f"{key}={value}")
    return 0


def overrides(config: Path) -> list[str]:
    deploy = tomllib.loads(config.read_text())["default"]["deploy"]["parameters"]
    value = deploy.get("parameter_overrides", [])
    return value.split() if isinstance(value, str) else list(value)


def origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


# What a stack without a domain is deployed with before it has a distribution to name.
PENDING_ORIGIN = "https://pending.invalid"


def params(given: list[str], site_url: str | None) -> list[str]:
    """The overrides for one `sam deploy`: the given ones, then the two a deployment without a
    domain can only learn from its first deploy. `site_url` is the stack's SiteUrl output (None
    before the stack exists). With DomainName the template derives both URLs itself; SiteUrl is
    ignored and the origin is the domain's."""
    values = dict(o.split("=", 1) for o in given)
    out = list(given)
    domain = values.get("DomainName", "")
    site = f"https://{domain}" if domain else values.get("SiteUrl") or site_url
    if not domain and "SiteUrl" not in values and site_url:
        out.append(f"SiteUrl={site_url}")
    if "AllowedOrigins" not in values:
        out.append(f"AllowedOrigins={origin(site) if site else PENDING_ORIGIN}")
    return out


def stack_outputs(stack: str) -> dict[str, str] | None:
    cf = boto3.client("cloudformation")
    try:
        found = cf.describe_stacks(StackName=stack)["Stacks"][0]
    except cf.exceptions.ClientError as e:
        if "does not exist" in str(e):
            return None
        raise
    return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}


def cmd_params(args) -> int:
    site_url = args.site_url or (stack_outputs(args.stack) or {}).get("SiteUrl")
    for o in params(overrides(Path(args.config)), site_url):
        print(o)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("secret")
    p.add_argument("--name", help="default: SecretName in infra/samconfig.toml, else plenary/secrets")
    p.add_argument("--config", default=str(ROOT / "infra" / "samconfig.toml"))
    p.set_defaults(run=cmd_secret)
    p = sub.add_parser("token")
    p.set_defaults(run=cmd_token)
    p = sub.add_parser("site")
    p.add_argument("--bucket", required=True)
    p.add_argument("--distribution")
    p.add_argument("--root", default=str(ROOT / "local" / "site"))
    p.set_defaults(run=cmd_site)
    p = sub.add_parser("outputs")
    p.add_argument("--stack", required=True)
    p.set_defaults(run=cmd_outputs)
    p = sub.add_parser("params")
    p.add_argument("--stack", required=True)
    p.add_argument("--site-url")
    p.add_argument("--config", default=str(ROOT / "infra" / "samconfig.toml"))
    p.set_defaults(run=cmd_params)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
