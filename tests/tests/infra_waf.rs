//! The optional web ACL (`infra/waf.yaml`, deployed in us-east-1 and attached through the main
//! template's `WebAclArn`): its public-writes rate rule counts exactly the routes the functions
//! count per client — every route of every router is run through its method match and path
//! regex — so a public write added to a router without the edge's limit, or an organiser's
//! route swept into it, fails here; every rate rule counts per client address and answers with
//! the functions' own 429 problem; the managed baseline and known-bad-input sets block, with only
//! the two rules an organiser's large JSON bodies would trip counted instead.

use std::collections::BTreeSet;

use plenary::usecases::organiser::access::Need;
use plenary_tests::infra::{routes, sample_path, template};
use regex::Regex;
use serde_yaml_ng::Value;

fn web_acl() -> Value {
    template("waf.yaml")["Resources"]["WebAcl"]["Properties"].clone()
}

fn rules(acl: &Value) -> &[Value] {
    acl["Rules"].as_sequence().expect("the web ACL has rules")
}

fn rule<'a>(acl: &'a Value, name: &str) -> &'a Value {
    rules(acl)
        .iter()
        .find(|r| r["Name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("the web ACL has no rule {name}"))
}

/// (method, sample path) of every route the functions count per client: every registration
/// route that is not a read, and the organiser routes that need nobody and are not reads.
fn public_writes() -> BTreeSet<(String, String)> {
    let registration = routes(plenary_registration::ROUTES)
        .into_iter()
        .filter(|(method, _)| method != "GET");
    let sign_in = plenary_organiser::ROUTES
        .iter()
        .filter(|r| r.endpoint.need() == Need::Nobody && r.method != http::Method::GET)
        .map(|r| (r.method.as_str().to_owned(), sample_path(r.pattern)));
    registration.chain(sign_in).collect()
}

/// What a rate rule's scope-down statement admits: a method among `methods` and a path the
/// regex matches.
struct Scope {
    methods: BTreeSet<String>,
    path: Regex,
}

fn scope(rule: &Value) -> Scope {
    let statements = rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["AndStatement"]
        ["Statements"]
        .as_sequence()
        .expect("the rule is scoped down by an AndStatement");
    let mut methods = BTreeSet::new();
    let mut path = None;
    for s in statements {
        if let Some(or) = s["OrStatement"]["Statements"].as_sequence() {
            for m in or {
                let m = &m["ByteMatchStatement"];
                assert!(
                    m["FieldToMatch"]["Method"].is_mapping(),
                    "{m:?} matches the method"
                );
                assert_eq!(m["PositionalConstraint"].as_str(), Some("EXACTLY"));
                methods.insert(m["SearchString"].as_str().expect("a method").to_owned());
            }
        } else {
            let r = &s["RegexMatchStatement"];
            assert!(
                r["FieldToMatch"]["UriPath"].is_mapping(),
                "{r:?} matches the path"
            );
            let text = r["RegexString"].as_str().expect("a RegexString");
            path = Some(Regex::new(text).expect("the path regex compiles"));
        }
    }
    Scope {
        methods,
        path: path.expect("the rule matches a path"),
    }
}

fn counts(scope: &Scope, method: &str, path: &str) -> bool {
    scope.methods.contains(method) && scope.path.is_match(path)
}

#[test]
fn the_public_writes_rule_counts_exactly_the_routes_the_functions_count_per_client() {
    let acl = web_acl();
    let scope = scope(rule(&acl, "public-writes-per-client"));
    let writes = public_writes();
    assert!(writes.len() >= 10, "the routers' public writes: {writes:?}");
    let every_route: BTreeSet<_> = routes(plenary_programme::ROUTES)
        .into_iter()
        .chain(routes(plenary_registration::ROUTES))
        .chain(routes(plenary_organiser::ROUTES))
        .collect();
    let wrong: Vec<_> = every_route
        .iter()
        .filter(|(method, path)| {
            counts(&scope, method, path) != writes.contains(&(method.clone(), path.clone()))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "counted by the edge's public-writes rule but not by the functions, or the reverse: {wrong:?}"
    );
    // Anchored: a longer path under a public write is not one.
    assert!(!counts(
        &scope,
        "POST",
        "/v1/events/x1/registrations/resend/more"
    ));
    assert!(!counts(&scope, "POST", "/prefix/v1/admin/sign-in"));
}

#[test]
fn every_rate_rule_counts_per_client_address_and_answers_the_functions_429_problem() {
    let acl = web_acl();
    let waf = template("waf.yaml");
    let rate_rules: Vec<_> = rules(&acl)
        .iter()
        .filter(|r| r["Statement"]["RateBasedStatement"].is_mapping())
        .collect();
    assert_eq!(
        rate_rules.len(),
        2,
        "the flood rule and the public-writes rule"
    );
    for r in &rate_rules {
        let name = r["Name"].as_str().expect("a name");
        let rate = &r["Statement"]["RateBasedStatement"];
        assert_eq!(rate["AggregateKeyType"].as_str(), Some("IP"), "{name}");
        let parameter = rate["Limit"]["Ref"]
            .as_str()
            .expect("the limit is a parameter");
        let parameter = &waf["Parameters"][parameter];
        // WAF refuses a limit under 10.
        assert!(parameter["MinValue"].as_u64() >= Some(10), "{name}");
        let response = &r["Action"]["Block"]["CustomResponse"];
        assert_eq!(response["ResponseCode"].as_u64(), Some(429), "{name}");
        let key = response["CustomResponseBodyKey"].as_str().expect("a body");
        let body = &acl["CustomResponseBodies"][key];
        assert_eq!(body["ContentType"].as_str(), Some("APPLICATION_JSON"));
        let problem: serde_json::Value =
            serde_json::from_str(body["Content"].as_str().expect("content")).expect("JSON");
        let ours = plenary::http::Problem::too_many_requests(60).to_json();
        for field in ["type", "title", "status"] {
            assert_eq!(problem[field], ours[field], "{name}: {field}");
        }
    }
    // The flood rule first, so it refuses a flood before anything else looks at it.
    let priorities: Vec<_> = rules(&acl)
        .iter()
        .map(|r| {
            (
                r["Priority"].as_u64().expect("a priority"),
                r["Name"].as_str(),
            )
        })
        .collect();
    let first = priorities.iter().min().expect("rules");
    assert_eq!(first.1, Some("requests-per-client"));
}

#[test]
fn the_managed_baseline_and_known_bad_inputs_block_with_only_the_large_body_rules_counted() {
    let acl = web_acl();
    assert_eq!(acl["Scope"].as_str(), Some("CLOUDFRONT"));
    assert!(acl["DefaultAction"]["Allow"].is_mapping());
    for (name, group) in [
        ("aws-common", "AWSManagedRulesCommonRuleSet"),
        (
            "aws-known-bad-inputs",
            "AWSManagedRulesKnownBadInputsRuleSet",
        ),
    ] {
        let r = rule(&acl, name);
        let managed = &r["Statement"]["ManagedRuleGroupStatement"];
        assert_eq!(managed["VendorName"].as_str(), Some("AWS"));
        assert_eq!(managed["Name"].as_str(), Some(group));
        // None keeps the group's own actions (block); Count would only watch.
        assert!(r["OverrideAction"]["None"].is_mapping(), "{name} blocks");
    }
    let overrides: BTreeSet<_> = rule(&acl, "aws-common")["Statement"]["ManagedRuleGroupStatement"]
        ["RuleActionOverrides"]
        .as_sequence()
        .expect("overrides")
        .iter()
        .map(|o| {
            assert!(o["ActionToUse"]["Count"].is_mapping(), "{o:?} counts");
            o["Name"].as_str().expect("a rule name").to_owned()
        })
        .collect();
    assert_eq!(
        overrides,
        ["CrossSiteScripting_BODY", "SizeRestrictions_BODY"]
            .map(str::to_owned)
            .into()
    );
}

#[test]
fn the_distribution_takes_a_web_acl_only_when_one_is_given() {
    let main = template("template.yaml");
    let id = &main["Resources"]["Distribution"]["Properties"]["DistributionConfig"]["WebACLId"];
    let branches = id["Fn::If"].as_sequence().expect("WebACLId is an Fn::If");
    assert_eq!(branches[0].as_str(), Some("HasWebAcl"));
    assert_eq!(branches[1]["Ref"].as_str(), Some("WebAclArn"));
    assert_eq!(branches[2]["Ref"].as_str(), Some("AWS::NoValue"));
    let parameter = &main["Parameters"]["WebAclArn"];
    assert_eq!(parameter["Default"].as_str(), Some(""));
    let pattern = Regex::new(parameter["AllowedPattern"].as_str().expect("a pattern")).unwrap();
    assert!(pattern.is_match(""));
    assert!(pattern.is_match(
        "arn:aws:wafv2:us-east-1:123456789012:global/webacl/plenary-edge/0a1b2c3d-1234-5678-9abc-def012345678"
    ));
    // A regional web ACL, or one outside us-east-1, cannot be attached to CloudFront.
    assert!(!pattern.is_match(
        "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/plenary-edge/0a1b2c3d-1234-5678-9abc-def012345678"
    ));
    let output = &template("waf.yaml")["Outputs"]["WebAclArn"]["Value"]["Fn::GetAtt"];
    assert_eq!(output[0].as_str(), Some("WebAcl"));
    assert_eq!(output[1].as_str(), Some("Arn"));
}
