"""The deployment test, offline: infra/template.yaml deployed on the emulator, then the real packages
run with what was deployed.

1. Translates the SAM template to plain CloudFormation with samtranslator (as `sam deploy` has
   CloudFormation do), after uploading the four zips to the emulator's S3 as `sam package` would.
2. Creates the secret the deploy instructions ask for (infra/README.md, "Secrets") and verifies
   the sender in SES, then creates the stack on moto's CloudFormation. The resource types moto has
   no model for are taken out by type (PLACEHOLDERS, each with its reason) and every reference to
   them becomes a fixed placeholder string; everything else must be created, or the test fails.
3. Checks what moto created: the table against what the store expects, the stream filter, each
   function's environment (against the SAM template, resolved independently of the translation),
   role, code, settings and API Gateway permissions.
4. Starts each bootstrap under qemu with exactly the environment moto holds for its function (the
   secret read from the emulator's Secrets Manager by the function itself), behind
   `cargo lambda watch`, and sends every HttpApi route of the translated template to the function
   the template routes it to: each must be answered by that function's own route (its access-log
   line names the template's path), never by "no such route", 405 or 5xx. Then one path end to end
   (an organiser creates an event, the programme lists it, a newcomer registers, the mail job sends
   the confirmation through SES) and the schedule, stream and SNS fixtures.

Usage: deploy_test.py --endpoint URL --template infra/template.yaml --work DIR --fixtures DIR
                      --qemu PATH --qemu-ld-prefix DIR
Needs samtranslator and boto3 (the SAM CLI's venv, .venv-infra/sam) and cargo-lambda on PATH.
"""

import argparse
import base64
import copy
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config as BotoConfig
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

REGION = "us-east-1"

# The resource types moto's CloudFormation has no model for (moto 5.2.5 skips them with a warning,
# and drops every property that refers to one). Only these are replaced; the rest of the
# translated template is created as it is.
PLACEHOLDERS = {
    "AWS::ApiGatewayV2::Api": "the HTTP API: its routes are read from the translated template and sent to each function here",
    "AWS::ApiGatewayV2::Stage": "the HTTP API's stage (throttling, access log)",
    "AWS::Scheduler::Schedule": "the mail job's schedule: the function is invoked here with the schedule's own Input",
    "AWS::SES::ConfigurationSet": "SES feedback: its placeholder name is what the notifications function gets",
    "AWS::SES::ConfigurationSetEventDestination": "SES bounces and complaints to SNS",
    "AWS::SNS::Subscription": "the function's subscription to SES feedback (the SNS fixture stands in) and the alarm email",
    "AWS::SNS::TopicPolicy": "who may publish to the feedback and alarm topics",
    "AWS::S3::BucketPolicy": "CloudFront's reads of the buckets and their TLS-only rule",
    "AWS::CloudWatch::Alarm": "alarms",
    "AWS::Logs::MetricFilter": "metrics counted from the functions' logs",
    "AWS::Budgets::Budget": "the account's cost budget",
    "AWS::CloudFront::Distribution": "the CDN: its origin header is what the requests here carry",
    "AWS::CloudFront::CachePolicy": "the CDN's caching",
    "AWS::CloudFront::Function": "the CDN's page rewrites",
    "AWS::CloudFront::OriginAccessControl": "the CDN's access to the buckets",
    "AWS::CloudFront::ResponseHeadersPolicy": "the CDN's security headers on pages",
    "AWS::Backup::BackupVault": "AWS Backup (only with BackupSchedule)",
    "AWS::Backup::BackupPlan": "AWS Backup (only with BackupSchedule)",
    "AWS::Backup::BackupSelection": "AWS Backup (only with BackupSchedule)",
}

# What the store expects of its table (shared/src/store/dynamo.rs, ensure_table): string keys pk
# and sk, a stream with new images (the outbox filter reads NewImage), items expiring on expires_at.
TABLE_KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
TABLE_ATTRIBUTES = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
TABLE_TTL_ATTRIBUTE = "expires_at"
STREAM_VIEWS_WITH_NEW_IMAGE = {"NEW_IMAGE", "NEW_AND_OLD_IMAGES"}

# Names Lambda keeps for itself: a function's environment may not set them.
RESERVED_VARIABLES = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

# The deployment's parameters: what an operator answers `sam deploy --guided` (the rest default).
PARAMETERS = {
    "SenderAddress": "events@example.org",
    "SiteUrl": "https://workshop.example.org",
    "AllowedOrigins": "https://workshop.example.org",
}

# The secret's values, for this test only: the organiser token's SHA-256, a join key and the
# origin secret of 32 bytes each as hex.
ORGANISER_TOKEN = "smoke-token-0123456789abcdef0123456789abcdef"
SECRET = {
    "organiser_token_hash": hashlib.sha256(ORGANISER_TOKEN.encode()).hexdigest(),
    "join_key": "0" * 64,
    "origin_secret": "5e" * 32,
}
# What CloudFront adds to every request it sends the API (the template's OriginCustomHeaders and
# the viewer's address from the managed origin request policy).
EDGE_HEADERS = {
    "x-plenary-origin": SECRET["origin_secret"],
    "cloudfront-viewer-address": "198.51.100.10:46532",
}


class Failed(Exception):
    pass


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- intrinsic functions

def placeholder(logical_id, attr=None):
    return f"placeholder-{logical_id}" + (f"-{attr}" if attr else "")


def replace_references(node, replaced):
    """`node` with every Ref, Fn::GetAtt and Fn::Sub reference to a replaced resource turned into
    its placeholder string, so that moto creates what refers to them with that value (moto would
    drop the property altogether)."""
    if isinstance(node, list):
        return [replace_references(v, replaced) for v in node]
    if not isinstance(node, dict):
        return node
    if list(node) == ["Ref"] and node["Ref"] in replaced:
        return placeholder(node["Ref"])
    if list(node) == ["Fn::GetAtt"]:
        target = node["Fn::GetAtt"]
        target = target.split(".", 1) if isinstance(target, str) else target
        if target[0] in replaced:
            return placeholder(*target)
    if list(node) == ["Fn::Sub"]:
        text, variables = node["Fn::Sub"] if isinstance(node["Fn::Sub"], list) else (node["Fn::Sub"], {})

        def swap(m):
            logical_id, _, attr = m.group(1).partition(".")
            if logical_id in replaced and logical_id not in variables:
                return placeholder(logical_id, attr or None)
            return m.group(0)

        text = re.sub(r"\$\{([^!}][^}]*)\}", swap, text)
        return {"Fn::Sub": [text, replace_references(variables, replaced)]}
    return {k: replace_references(v, replaced) for k, v in node.items()}


class Resolver:
    """Evaluates a template's intrinsic functions the way CloudFormation would, against the
    parameters and what the emulator created: `refs` maps logical ids (and parameters and pseudo
    parameters) to their Ref value, `attribute(logical_id, name)` answers Fn::GetAtt."""

    def __init__(self, template, refs, attribute):
        self.conditions = template.get("Conditions", {})
        self.refs = refs
        self.attribute = attribute
        self.evaluated = {}

    def condition(self, name):
        if name not in self.evaluated:
            self.evaluated[name] = bool(self.value(self.conditions[name]))
        return self.evaluated[name]

    def value(self, node):
        if isinstance(node, list):
            return [v for v in (self.value(x) for x in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref":
                if arg == "AWS::NoValue":
                    return NO_VALUE
                if arg not in self.refs:
                    raise Failed(f"cannot resolve Ref {arg}")
                return self.refs[arg]
            if fn == "Condition":
                return self.condition(arg)
            if fn == "Fn::If":
                name, yes, no = arg
                return self.value(yes if self.condition(name) else no)
            if fn == "Fn::Equals":
                a, b = (self.value(x) for x in arg)
                return str(a) == str(b)
            if fn == "Fn::Not":
                return not self.value(arg[0])
            if fn == "Fn::And":
                return all(self.value(x) for x in arg)
            if fn == "Fn::Or":
                return any(self.value(x) for x in arg)
            if fn == "Fn::GetAtt":
                target = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.attribute(*target)
            if fn == "Fn::Split":
                return str(self.value(arg[1])).split(arg[0])
            if fn == "Fn::Select":
                return self.value(arg[1])[int(arg[0])]
            if fn == "Fn::Join":
                return arg[0].join(str(x) for x in self.value(arg[1]))
            if fn == "Fn::Sub":
                text, variables = arg if isinstance(arg, list) else (arg, {})
                local = {k: self.value(v) for k, v in variables.items()}

                def one(m):
                    name = m.group(1)
                    if name in local:
                        return str(local[name])
                    if name in self.refs:
                        return str(self.refs[name])
                    if "." in name:
                        return str(self.attribute(*name.split(".", 1)))
                    raise Failed(f"cannot resolve ${{{name}}}")

                return re.sub(r"\$\{([^!}][^}]*)\}", one, text).replace("${!", "${")
        out = {}
        for k, v in node.items():
            v = self.value(v)
            if v is not NO_VALUE:
                out[k] = v
        return out


NO_VALUE = object()


# ---------------------------------------------------------------- the deployment

class Deployment:
    def __init__(self, args):
        self.args = args
        self.template_path = Path(args.template).resolve()
        self.work = Path(args.work).resolve()
        self.name = f"plenary-smoke-{os.getpid()}"
        self.secret_name = f"{self.name}/secrets"
        self.parameters = dict(PARAMETERS, SecretName=self.secret_name)
        self.session = boto3.session.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
        self.clients = {}
        # No retries: a create retried after a slow answer would not be the same test.
        self.client_config = BotoConfig(retries={"total_max_attempts": 1})
        self.failures = []

    def client(self, service):
        if service not in self.clients:
            self.clients[service] = self.session.client(
                service, endpoint_url=self.args.endpoint, config=self.client_config)
        return self.clients[service]

    def check(self, ok, what):
        if ok:
            log(f"ok   {what}")
        else:
            log(f"FAIL {what}")
            self.failures.append(what)

    # -- 1. translation

    def translate(self):
        self.sam = yaml_parse(self.template_path.read_text())
        template = copy.deepcopy(self.sam)
        s3 = self.client("s3")
        bucket = self.artifacts = f"{self.name}-artifacts"
        s3.create_bucket(Bucket=bucket)
        # name -> local zip, from each function's CodeUri (a path relative to the template).
        self.zips = {}
        for logical_id, r in template["Resources"].items():
            if r["Type"] != "AWS::Serverless::Function":
                continue
            code = (self.template_path.parent / r["Properties"]["CodeUri"]).resolve()
            if not code.is_file():
                raise Failed(f"{logical_id}: {code} is missing")
            data = code.read_bytes()
            key = f"{hashlib.sha256(data).hexdigest()}.zip"
            s3.put_object(Bucket=bucket, Key=key, Body=data)
            r["Properties"]["CodeUri"] = f"s3://{bucket}/{key}"
            self.zips[logical_id] = code

        class OfflinePolicies:
            """The managed-policy map samtranslator asks IAM for, only for policies named by name
            (the template has none: every function has its own role)."""

            def load(self):
                raise Failed("the template names a managed policy by name; this offline test cannot look it up")

        translator = Translator(None, Parser(), boto_session=self.session)
        self.translated = translator.translate(
            template, parameter_values=dict(self.parameters),
            get_managed_policy_map=OfflinePolicies().load)
        (self.work / "translated.json").write_text(json.dumps(self.translated, indent=1))
        log(f"translated: {len(self.translated['Resources'])} resources")

    # -- 2. the stack

    def create_stack(self):
        resources = self.translated["Resources"]
        types = {r["Type"] for r in resources.values()}
        stale = sorted(set(PLACEHOLDERS) - types)
        if stale:
            raise Failed(f"PLACEHOLDERS names types the template no longer has: {', '.join(stale)}")
        self.replaced = {k for k, r in resources.items() if r["Type"] in PLACEHOLDERS}
        kept = {}
        for logical_id, r in resources.items():
            if logical_id in self.replaced:
                continue
            r = replace_references(r, self.replaced)
            depends = r.get("DependsOn")
            if depends is not None:
                depends = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in self.replaced]
                if depends:
                    r["DependsOn"] = depends
                else:
                    del r["DependsOn"]
            kept[logical_id] = r
        deployed = dict(self.translated, Resources=kept)
        # moto keeps a Number parameter (and a default written as a number) as a number, so
        # Fn::Equals [{Ref: P}, "0"] is false for 0 where CloudFormation, comparing strings, says
        # true, and environment values come out as numbers. CloudFormation hands every parameter
        # over as a string; so does the copy moto gets (the bounds are cfn-lint's to check).
        deployed["Parameters"] = {}
        for k, v in self.translated.get("Parameters", {}).items():
            v = {a: b for a, b in v.items() if a not in ("MinValue", "MaxValue")}
            if v.get("Type") == "Number":
                v["Type"] = "String"
            if "Default" in v:
                v["Default"] = str(v["Default"])
            deployed["Parameters"][k] = v
        if "Outputs" in deployed:
            deployed["Outputs"] = replace_references(deployed["Outputs"], self.replaced)
        (self.work / "deployed.json").write_text(json.dumps(deployed, indent=1))

        # Before the stack, as the deploy instructions say: the secret, and the sender verified.
        self.client("secretsmanager").create_secret(Name=self.secret_name, SecretString=json.dumps(SECRET))
        self.client("ses").verify_email_identity(EmailAddress=self.parameters["SenderAddress"])

        cf = self.client("cloudformation")
        started = time.monotonic()
        cf.create_stack(
            StackName=self.name, TemplateBody=json.dumps(deployed),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
        status = cf.describe_stacks(StackName=self.name)["Stacks"][0]["StackStatus"]
        if status != "CREATE_COMPLETE":
            raise Failed(f"stack {self.name}: {status}")
        # moto lists a resource it did not create with an empty logical id.
        summaries = [s for s in cf.list_stack_resources(StackName=self.name)["StackResourceSummaries"]
                     if s.get("LogicalResourceId")]
        self.physical = {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries}

        pseudo = {
            "AWS::Region": REGION, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
            "AWS::AccountId": self.client("sts").get_caller_identity()["Account"],
            "AWS::StackName": self.name,
        }
        params = {k: v.get("Default") for k, v in self.sam.get("Parameters", {}).items()}
        params.update(self.parameters)
        refs = dict(pseudo)
        refs.update({k: str(v) if v is not None else None for k, v in params.items()})
        refs.update({k: placeholder(k) for k in self.replaced})
        refs.update(self.physical)
        self.resolver = Resolver(self.translated, refs, self.attribute)
        self.sam_resolver = Resolver(self.sam, refs, self.attribute)

        wanted = {k for k, r in kept.items() if "Condition" not in r or self.resolver.condition(r["Condition"])}
        log(f"stack {self.name}: {len(self.physical)} of {len(resources)} translated resources created "
            f"in {time.monotonic() - started:.1f} s, {len(self.replaced)} replaced by placeholders "
            f"({', '.join(sorted({resources[k]['Type'].split('::', 1)[1] for k in self.replaced}))}), "
            f"{len(kept) - len(wanted)} off by their condition")
        missing = sorted(wanted - set(self.physical))
        for logical_id in missing:
            kind = kept[logical_id]["Type"]
            self.check(False, f"created {logical_id} ({kind}); if moto has no model for {kind}, "
                              "add the type to PLACEHOLDERS with its reason")
        extra = sorted(set(self.physical) - wanted)
        self.check(not extra, f"nothing created beyond the template's resources{': ' + ', '.join(extra) if extra else ''}")
        if missing:
            raise Failed("the stack lacks resources moto should have created")

    def attribute(self, logical_id, name):
        """Fn::GetAtt, from what the emulator holds."""
        if logical_id in self.replaced:
            return placeholder(logical_id, name)
        kind = self.translated["Resources"][logical_id]["Type"]
        physical = self.physical[logical_id]
        if kind == "AWS::DynamoDB::Table":
            table = self.client("dynamodb").describe_table(TableName=physical)["Table"]
            return {"Arn": table["TableArn"], "StreamArn": table.get("LatestStreamArn")}[name]
        if kind == "AWS::SQS::Queue" and name == "Arn":
            return self.client("sqs").get_queue_attributes(
                QueueUrl=physical, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        if kind == "AWS::IAM::Role" and name == "Arn":
            return self.client("iam").get_role(RoleName=physical)["Role"]["Arn"]
        if kind == "AWS::Lambda::Function" and name == "Arn":
            return self.client("lambda").get_function_configuration(FunctionName=physical)["FunctionArn"]
        if kind == "AWS::S3::Bucket" and name == "Arn":
            return f"arn:aws:s3:::{physical}"
        if kind == "AWS::Logs::LogGroup" and name == "Arn":
            groups = self.client("logs").describe_log_groups(logGroupNamePrefix=physical)["logGroups"]
            return next(g["arn"] for g in groups if g["logGroupName"] == physical)
        raise Failed(f"no way here to read {logical_id}.{name} ({kind})")

    # -- 3. what was created

    def check_table(self):
        [table_id] = [k for k, r in self.translated["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"]
        props = self.translated["Resources"][table_id]["Properties"]
        ddb = self.client("dynamodb")
        table = ddb.describe_table(TableName=self.physical[table_id])["Table"]
        self.table = table
        key = lambda items: sorted(items, key=lambda i: i["AttributeName"])
        self.check(key(table["KeySchema"]) == key(TABLE_KEYS), f"table keys pk (hash) and sk (range): {table['KeySchema']}")
        self.check(key(table["AttributeDefinitions"]) == key(TABLE_ATTRIBUTES), "table keys are strings")
        self.check(table.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST", "table on demand")
        stream = table.get("StreamSpecification", {})
        self.check(stream.get("StreamEnabled") and stream.get("StreamViewType") in STREAM_VIEWS_WITH_NEW_IMAGE
                   and table.get("LatestStreamArn"), f"table stream with new images: {stream}")
        self.check(table.get("DeletionProtectionEnabled") is True, "table deletion protection on")
        # moto's CloudFormation does not apply TimeToLiveSpecification (describe_time_to_live says
        # DISABLED) nor point-in-time recovery: the template's own settings are checked instead.
        ttl = props.get("TimeToLiveSpecification", {})
        self.check(ttl.get("AttributeName") == TABLE_TTL_ATTRIBUTE and ttl.get("Enabled") is True,
                   f"template: TTL on {TABLE_TTL_ATTRIBUTE} (not recorded by moto): {ttl}")
        pitr = props.get("PointInTimeRecoverySpecification", {})
        self.check(pitr.get("PointInTimeRecoveryEnabled") is True, "template: point-in-time recovery (not recorded by moto)")

    def check_stream_mapping(self):
        lam = self.client("lambda")
        for logical_id, r in self.translated["Resources"].items():
            if r["Type"] != "AWS::Lambda::EventSourceMapping":
                continue
            expected = self.resolver.value(r["Properties"])
            function = expected.pop("FunctionName")
            found = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
            found = [m for m in found if m["EventSourceArn"] == expected["EventSourceArn"]]
            if not found:
                self.check(False, f"{logical_id}: {function} reads {expected['EventSourceArn']}")
                continue
            [got] = found
            self.check(got["EventSourceArn"] == self.table["LatestStreamArn"], f"{logical_id}: reads the table's stream")
            differ = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
            self.check(not differ, f"{logical_id}: {', '.join(sorted(expected))} as the template says"
                                   + (f"; differ: {differ}" if differ else ""))
            # moto records the filter but never applies it: its meaning is checked here.
            patterns = [json.loads(f["Pattern"]) for f in got.get("FilterCriteria", {}).get("Filters", [])]

            def delivered(event, pk):
                record = {"eventName": event, "dynamodb": {"NewImage": {"pk": {"S": pk}, "sk": {"S": "x"}}}}
                return any(matches(p, record) for p in patterns)

            cases = [("INSERT", "OUTBOX", True), ("INSERT", "RUN", True), ("MODIFY", "OUTBOX", False),
                     ("REMOVE", "OUTBOX", False), ("INSERT", "EVENT#smoke", False), ("INSERT", "OUTBOXES", False)]
            wrong = [(e, pk) for e, pk, want in cases if delivered(e, pk) != want]
            self.check(patterns and not wrong,
                       f"{logical_id}: its filter passes only INSERTs whose pk is OUTBOX or RUN"
                       + (f"; wrong for {wrong}" if wrong else ""))

    def check_functions(self):
        lam = self.client("lambda")
        self.functions = {}
        for logical_id, r in self.translated["Resources"].items():
            if r["Type"] != "AWS::Lambda::Function":
                continue
            name = self.physical[logical_id]
            got = lam.get_function(FunctionName=name)
            config = got["Configuration"]
            env = config.get("Environment", {}).get("Variables", {})
            self.functions[logical_id] = {"name": name, "config": config, "env": env}

            # The environment exactly as the SAM template says (Globals merged with the
            # function's own), resolved here, not read from the translation.
            sam = self.sam["Resources"][logical_id]["Properties"]
            variables = dict(self.sam.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
            variables.update(sam.get("Environment", {}).get("Variables", {}))
            expected = self.sam_resolver.value(variables)
            held = {k: str(v) for k, v in env.items()}
            self.check(held == {k: str(v) for k, v in expected.items()},
                       f"{logical_id}: environment as the template says ({', '.join(sorted(expected))})"
                       + describe_difference(expected, held))
            reserved = sorted(set(env) & RESERVED_VARIABLES)
            self.check(not reserved, f"{logical_id}: no variable Lambda reserves{': ' + ', '.join(reserved) if reserved else ''}")

            props = self.resolver.value(r["Properties"])
            role = sam["Role"].get("Fn::GetAtt", ["?"])[0] if isinstance(sam["Role"], dict) else sam["Role"]
            self.check(config["Role"] == self.sam_resolver.value(sam["Role"]),
                       f"{logical_id}: role {role}, as the template says ({config['Role']})")
            digest = base64.b64encode(hashlib.sha256(self.zips[logical_id].read_bytes()).digest()).decode()
            self.check(config.get("CodeSha256") == digest, f"{logical_id}: code is {os.path.relpath(self.zips[logical_id])}")
            same = [k for k in ("Runtime", "Handler", "MemorySize", "Timeout") if config.get(k) != props.get(k)]
            self.check(not same, f"{logical_id}: {props['Runtime']}, {props['Handler']}, {props['MemorySize']} MB, "
                                 f"{props['Timeout']} s" + (f"; differ: {same}" if same else ""))
            reserved_concurrency = props.get("ReservedConcurrentExecutions")
            held_concurrency = got.get("Concurrency", {}).get("ReservedConcurrentExecutions")
            self.check(str(held_concurrency) == str(reserved_concurrency),
                       f"{logical_id}: reserved concurrency {reserved_concurrency} (holds {held_concurrency})")

    def check_permissions(self):
        """Every AWS::Lambda::Permission of the translation is in its function's policy, and each
        route's function lets API Gateway invoke it for that route, as the HTTP API needs."""
        lam = self.client("lambda")
        policies = {}
        for logical_id, f in self.functions.items():
            try:
                policies[f["name"]] = json.loads(lam.get_policy(FunctionName=f["name"])["Policy"])["Statement"]
            except lam.exceptions.ResourceNotFoundException:
                policies[f["name"]] = []

        def granted(function, principal, source):
            return any(s.get("Principal", {}).get("Service") == principal
                       and source(s.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn", ""))
                       for s in policies.get(function, []))

        permissions = [self.resolver.value(r["Properties"]) for r in self.translated["Resources"].values()
                       if r["Type"] == "AWS::Lambda::Permission"]
        absent = [p for p in permissions if not granted(p["FunctionName"], p["Principal"], lambda a, p=p: a == p["SourceArn"])]
        self.check(not absent, f"the {len(permissions)} permissions to invoke the functions are in their policies"
                               + (f"; not: {absent}" if absent else ""))
        missing = []
        for route in self.routes:
            suffix = f"/{route['method']}{re.sub(r'{[^}]+}', '*', route['path'])}"
            if not granted(self.functions[route["function"]]["name"], "apigateway.amazonaws.com",
                           lambda a: a.endswith(suffix)):
                missing.append(f"{route['method']} {route['path']}")
        self.check(not missing, f"API Gateway may invoke each route's function ({len(self.routes)} routes)"
                                + (f"; not: {missing}" if missing else ""))

    def read_routes(self):
        """The HttpApi routes as the translated template gives them to API Gateway: the OpenAPI
        body of each AWS::ApiGatewayV2::Api, its integrations naming the function."""
        self.routes = []
        for api in (r for r in self.translated["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api"):
            for path, methods in api["Properties"]["Body"]["paths"].items():
                for method, op in methods.items():
                    uri = json.dumps(op["x-amazon-apigateway-integration"]["uri"])
                    [function] = re.findall(r"\$\{(\w+)\.Arn\}", uri)
                    self.routes.append({"method": method.upper(), "path": path, "function": function})
        self.routes.sort(key=lambda r: (r["function"], r["path"], r["method"]))
        if not self.routes:
            raise Failed("the translated template has no HttpApi route")

    # -- cleaning up the shared emulator

    def delete(self):
        """Leaves the shared emulator as it was: the stack, what it retains (the table and the
        uploads bucket), the secret and the uploaded code."""
        ddb, s3 = self.client("dynamodb"), self.client("s3")

        def empty_and_delete(bucket):
            for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=o["Key"])
            s3.delete_bucket(Bucket=bucket)

        def delete_table(table):
            ddb.update_table(TableName=table, DeletionProtectionEnabled=False)
            ddb.delete_table(TableName=table)

        steps = []
        if getattr(self, "physical", None):
            steps.append(lambda: self.client("cloudformation").delete_stack(StackName=self.name))
            for logical_id, r in self.translated["Resources"].items():
                if r.get("DeletionPolicy") == "Retain" and logical_id in self.physical:
                    physical = self.physical[logical_id]
                    if r["Type"] == "AWS::DynamoDB::Table":
                        steps.append(lambda t=physical: delete_table(t))
                    elif r["Type"] == "AWS::S3::Bucket":
                        steps.append(lambda b=physical: empty_and_delete(b))
        steps.append(lambda: self.client("secretsmanager").delete_secret(
            SecretId=self.secret_name, ForceDeleteWithoutRecovery=True))
        steps.append(lambda: empty_and_delete(self.artifacts))
        for step in steps:
            try:
                step()
            except Exception as e:  # what is left stays on the emulator; the run's answer stands
                log(f"note: cleaning up: {e}")


def matches(pattern, event):
    """An event filter pattern (the subset the template uses: lists of exact values, nested)."""
    for key, want in pattern.items():
        if key not in event:
            return False
        if isinstance(want, dict):
            if not isinstance(event[key], dict) or not matches(want, event[key]):
                return False
        elif event[key] not in want:
            return False
    return True


def describe_difference(expected, held):
    expected = {k: str(v) for k, v in expected.items()}
    parts = []
    for k in sorted(set(expected) | set(held)):
        if expected.get(k) != held.get(k):
            parts.append(f"{k}: template {expected.get(k, '(absent)')!r}, deployed {held.get(k, '(absent)')!r}")
    return ("; " + "; ".join(parts)) if parts else ""


# ---------------------------------------------------------------- the packages, running

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Runtime:
    """`cargo lambda watch --only-lambda-apis` (the Lambda runtime and invoke APIs, nothing
    built) and each bootstrap under qemu, polling it for its invocations."""

    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.port = free_port()
        self.processes = []
        self.bootstraps = {}
        self.logs = {}
        self.lock = threading.Lock()
        self.counter = 0

    def start_watch(self):
        out = open(self.work / "watch.log", "wb")
        self.processes.append(subprocess.Popen(
            ["cargo", "lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1",
             "--invoke-port", str(self.port)], stdout=out, stderr=subprocess.STDOUT))
        self.logs["cargo lambda watch"] = self.work / "watch.log"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise Failed("cargo lambda watch did not start")

    def start(self, function, endpoint):
        """Runs `function`'s bootstrap with exactly the environment the emulator holds for it, plus
        what Lambda itself sets, the emulator's address and dummy credentials. cargo lambda knows
        a function by its binary's name (the package's directory), Lambda by its deployed name."""
        name, config = function["name"], function["config"]
        binary = function["zip"].parent.name
        directory = self.work / binary
        directory.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(function["zip"]) as z:
            z.extract("bootstrap", directory)
        bootstrap = directory / "bootstrap"
        bootstrap.chmod(0o755)
        env = {k: str(v) for k, v in function["env"].items()}
        env.update({
            # Lambda's own.
            "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{self.port}/.rt/{binary}",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": config.get("Version", "$LATEST"),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config["MemorySize"]),
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "_HANDLER": config["Handler"],
            # The role's credentials in Lambda; dummy ones for the emulator, which all clients use.
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": endpoint,
            # qemu's, not the function's: where the arm64 C library is.
            "QEMU_LD_PREFIX": self.args.qemu_ld_prefix,
        })
        log_path = directory / "log"
        out = open(log_path, "wb")
        process = subprocess.Popen([self.args.qemu, str(bootstrap)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, cwd=directory)
        self.processes.append(process)
        self.bootstraps[binary] = process
        self.logs[function["logical_id"]] = log_path

    def invoke(self, name, event, timeout=60):
        """Invokes through cargo lambda watch's Invoke API, as `cargo lambda invoke` does. cargo
        lambda holds an invocation until a runtime takes it, so one whose bootstrap has exited
        (a configuration it refused) is answered here instead of waiting for ever."""
        process = self.bootstraps.get(name)
        if process is not None and process.poll() is not None:
            return {"invoke_error": f"the {name} bootstrap exited with {process.returncode}"}
        result = {}
        worker = threading.Thread(target=lambda: result.update(answer=self.post(name, event, timeout)), daemon=True)
        worker.start()
        deadline = time.monotonic() + timeout
        while worker.is_alive():
            worker.join(0.1)
            if process is not None and process.poll() is not None and worker.is_alive():
                return {"invoke_error": f"the {name} bootstrap exited with {process.returncode}"}
            if time.monotonic() > deadline:
                return {"invoke_error": f"no answer in {timeout} s"}
        return result["answer"]

    def post(self, name, event, timeout):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/2015-03-31/functions/{name}/invocations",
            data=json.dumps(event).encode(), method="POST", headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                body = res.read().decode()
        except urllib.error.HTTPError as e:
            return {"invoke_error": e.code, "body": e.read().decode()}
        except OSError as e:
            return {"invoke_error": str(e)}
        try:
            return json.loads(body)
        except ValueError:
            return {"invoke_error": "not JSON", "body": body}

    def request_id(self):
        with self.lock:
            self.counter += 1
            return f"smoke-{self.counter:04d}"

    def answered(self, logical_id):
        """The function's access-log lines by request id: what route it matched, how it answered."""
        lines = {}
        for line in self.logs[logical_id].read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("message") == "answered":
                lines[entry.get("span", {}).get("request_id")] = entry
        return lines

    def stop(self):
        for p in reversed(self.processes):
            p.terminate()
        for p in self.processes:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


def http_event(fixture, method, path, route_key, params=None, headers=None, body=None):
    """An API Gateway v2 (payload 2.0) request from the aws_lambda_events fixture, for a route."""
    e = copy.deepcopy(fixture)
    e["rawPath"] = e["requestContext"]["http"]["path"] = path
    e["requestContext"]["http"]["method"] = method
    e["routeKey"] = e["requestContext"]["routeKey"] = route_key
    e["rawQueryString"] = ""
    e.pop("queryStringParameters", None)
    if params:
        e["pathParameters"] = params
    e["headers"].update(headers or {})
    if body is not None:
        e["body"] = json.dumps(body)
        e["isBase64Encoded"] = False
        e["headers"]["content-type"] = "application/json"
    else:
        e.pop("body", None)
    return e


def sample(name):
    """A value for a path parameter: nothing any route will find."""
    return "nobody@example.org" if "email" in name else f"no-such-{name.replace('_', '-')}"


def run(args):
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    d = Deployment(args)
    runtime = Runtime(args, work)
    try:
        d.translate()
        d.read_routes()
        d.create_stack()
        d.check_table()
        d.check_stream_mapping()
        d.check_functions()
        d.check_permissions()
        log(f"-- deployed and checked in {time.monotonic() - started:.1f} s")
        if d.failures:
            log("-- the deployment is not as the template says: the packages are not run")
        elif not args.deploy_only:
            runtime.start_watch()
            for logical_id, f in d.functions.items():
                runtime.start(dict(f, logical_id=logical_id, zip=d.zips[logical_id]), args.endpoint)
            drive(d, runtime, Path(args.fixtures))
    except Failed as e:
        d.failures.append(str(e))
        log(f"FAIL {e}")
    except Exception:  # a bug here or an answer of an unexpected shape: still fail with the logs
        d.failures.append("the test itself stopped")
        traceback.print_exc()
    finally:
        runtime.stop()
        d.delete()
    if d.failures:
        for name, path in runtime.logs.items():
            lines = path.read_text(errors="replace").splitlines() if path.exists() else []
            print(f"--- {name} log (last 20 lines)", file=sys.stderr)
            print("\n".join(lines[-20:]), file=sys.stderr)
        print(f"deployment test: {len(d.failures)} failed", file=sys.stderr)
        return 1
    done = "deployed and checked" if args.deploy_only else "deployed, checked, and every route answered by its function"
    log(f"deployment test: {done}, in {time.monotonic() - started:.1f} s")
    return 0


def drive(d, runtime, fixtures):
    apigw = json.loads((fixtures / "example-apigw-v2-request-no-authorizer.json").read_text())
    name = {k: d.zips[k].parent.name for k in d.functions}
    bearer = {"authorization": f"Bearer {ORGANISER_TOKEN}"}

    def call(function, method, route, values=None, headers=None, body=None, edge=True):
        """Sends `function` what API Gateway would for `route` with `values` in its parameters
        (and, with `edge`, what CloudFront adds)."""
        values = values or {}
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route)
        rid = runtime.request_id()
        h = {"x-request-id": rid}
        h.update(EDGE_HEADERS if edge else {})
        h.update(headers or {})
        event = http_event(apigw, method, path, f"{method} {route}", values or None, h, body)
        return path, rid, runtime.invoke(name[function], event)

    def samples(route):
        return {p: sample(p) for p in re.findall(r"\{(\w+)\}", route)}

    http_functions = sorted({r["function"] for r in d.routes})

    # Every route of the template, at the function it routes to; the functions side by side. The
    # organiser's routes carry the deployment token, so that they get past the bearer check, and
    # writes an empty JSON object, so that they get to reading their fields.
    def sweep(function):
        return function, [
            (r, *call(function, r["method"], r["path"], samples(r["path"]),
                      bearer if r["path"].startswith("/v1/admin/") else None,
                      {} if r["method"] in ("POST", "PUT", "PATCH") else None))
            for r in d.routes if r["function"] == function]

    t0 = time.monotonic()
    with ThreadPoolExecutor(len(http_functions)) as pool:
        swept = list(pool.map(sweep, http_functions))
    for function, results in swept:
        logged = runtime.answered(function)
        for r, path, rid, answer in results:
            status = answer.get("statusCode")
            line = logged.get(rid, {})
            headers = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
            # Its own answer for that route: the access-log line of this request names the
            # template's path (an unknown route logs "(unknown)"), and no 405 or 5xx.
            ok = (isinstance(status, int) and status < 500 and status != 405
                  and parse_body(answer).get("type") != "/problems/cdn-required"
                  and headers.get("x-request-id") == rid
                  and line.get("route") == r["path"] and line.get("method") == r["method"])
            what = f"{function} {r['method']} {path}: {status}, route {line.get('route', '(none logged)')}"
            d.check(ok, what if ok else f"{what}; answer {json.dumps(answer)[:300]}")
    log(f"-- {sum(len(x) for _, x in swept)} routes in {time.monotonic() - t0:.1f} s")

    # Without CloudFront's header, each HTTP function refuses before any route runs.
    for function in http_functions:
        r = next(r for r in d.routes if r["function"] == function and r["method"] == "GET")
        path, _, answer = call(function, "GET", r["path"], samples(r["path"]), edge=False)
        body = parse_body(answer)
        d.check(answer.get("statusCode") == 403 and body.get("type") == "/problems/cdn-required",
                f"{function} GET {path} without X-Plenary-Origin: {answer.get('statusCode')} {body.get('type')}")

    # One path end to end, each step at the function the template routes it to.
    route_of = {(r["method"], r["path"]): r["function"] for r in d.routes}

    def routed(method, route):
        if (method, route) not in route_of:
            raise Failed(f"the template has no route {method} {route}")
        return route_of[(method, route)]

    event = {"title": "Smoke workshop", "timezone": "Europe/Zurich",
             "starts_at": "2030-03-10T09:00:00+01:00", "ends_at": "2030-03-10T17:00:00+01:00",
             "registration": {"opens_at": "2021-01-01T00:00:00Z"}}
    route = "/v1/admin/events/{event_id}"
    f = routed("PUT", route)
    _, _, answer = call(f, "PUT", route, {"event_id": "smoke"}, bearer, event)
    d.check(answer.get("statusCode") in (200, 201), f"{f} creates the event: {answer.get('statusCode')}")
    f = routed("GET", "/v1/events")
    _, _, answer = call(f, "GET", "/v1/events")
    d.check(answer.get("statusCode") == 200 and "Smoke workshop" in answer.get("body", ""),
            f"{f} lists it: {answer.get('statusCode')}")
    newcomer = {"email": "newcomer@example.org", "given_name": "Ada", "family_name": "Lovelace",
                "country": "GB", "organisation": "Analytical Engines", "category": "academia",
                "language": "fr", "consent": True}
    route = "/v1/events/{event_id}/registrations"
    f = routed("POST", route)
    _, _, answer = call(f, "POST", route, {"event_id": "smoke"}, body=newcomer)
    d.check(answer.get("statusCode") == 202, f"{f} takes a registration: {answer.get('statusCode')}")

    # The mail job as the schedule invokes it (the template's own target and Input), then the
    # fixtures of the other triggers.
    [schedule] = [r for r in d.translated["Resources"].values() if r["Type"] == "AWS::Scheduler::Schedule"]
    target = schedule["Properties"]["Target"]
    job = target["Arn"]["Fn::GetAtt"][0]
    ses = d.client("ses")
    before = ses.get_send_quota()["SentLast24Hours"]
    answer = runtime.invoke(name[job], json.loads(target["Input"]))
    sent = [s for s in answer.get("sent", []) if s.get("kind") == "confirmation" and s.get("event_id") == "smoke"]
    after = ses.get_send_quota()["SentLast24Hours"]
    d.check(len(sent) == 1 and after > before,
            f"{job}, invoked with the schedule's Input, sends the confirmation through SES "
            f"(its count of mail sent up from {before:.0f} to {after:.0f}): {json.dumps(answer)[:200]}")
    for fixture, expected in (("example-eventbridge-schedule.json", "failed"),
                              ("example-dynamodb-event.json", "failed"),
                              ("example-sns-event.json", "suppressed")):
        answer = runtime.invoke(name[job], json.loads((fixtures / fixture).read_text()))
        d.check(answer.get(expected) == 0, f"{job} {fixture}: {json.dumps(answer)[:160]}")


def parse_body(answer):
    try:
        return json.loads(answer.get("body") or "{}")
    except ValueError:
        return {}


def main():
    # Stopped from outside (the test command's timeout, ^C): the children and the stack go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--template", default="infra/template.yaml")
    p.add_argument("--work", required=True)
    p.add_argument("--fixtures")
    p.add_argument("--qemu")
    p.add_argument("--qemu-ld-prefix")
    p.add_argument("--deploy-only", action="store_true",
                   help="stop after checking what was created (no package runs)")
    sys.exit(run(p.parse_args()))


if __name__ == "__main__":
    main()
