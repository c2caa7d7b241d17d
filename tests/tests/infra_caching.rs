//! What CloudFront may keep, route by route: every route of every HTTP function is matched
//! against the distribution's cache behaviours in `infra/template.yaml` (in order, as CloudFront
//! matches them), and a public read (the programme function's GETs) must land on a behaviour that
//! caches it, compressed, while a registrant's or organiser's route must never be cacheable.
//! A behaviour added or reordered in the template, or a route added to a router under a cached
//! path, fails here before it serves one person's data to another. And what reaches the API: every
//! API behaviour forwards CloudFront's `CloudFront-Viewer-Address` (the client of the per-client
//! limits) and never the viewer's `Host`, and the API origin carries the origin secret from the
//! deployment's secret, without which the functions answer 403.

use std::collections::BTreeSet;

use plenary_tests::infra::routes;
use serde_yaml_ng::Value;

/// CloudFront's managed policy that caches nothing (Managed-CachingDisabled).
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/// The query strings the programme function reads (`tz` on the programme and its feeds, `from` and
/// `to` on the changes); the public cache key must be exactly these, so no other query string
/// can split the cache or be lost.
const PUBLIC_QUERY_STRINGS: [&str; 3] = ["tz", "from", "to"];

fn template() -> Value {
    plenary_tests::infra::template("template.yaml")
}

/// One cache behaviour, as CloudFront sees it.
struct Behaviour {
    pattern: String,
    origin: String,
    cached_methods: BTreeSet<String>,
    compress: bool,
    /// A managed policy's id, or the logical id of a policy in the template.
    policy: Policy,
    /// Its origin request policy, if any: a managed id or a template policy's logical id.
    origin_request: Option<Policy>,
}

enum Policy {
    Managed(String),
    Template(String),
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn policy(v: &Value, pattern: &str, field: &str) -> Policy {
    match v {
        Value::String(id) => Policy::Managed(id.clone()),
        other => Policy::Template(
            other["Ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{pattern}: {field} is an id or a Ref"))
                .to_owned(),
        ),
    }
}

fn behaviour(v: &Value, pattern: &str) -> Behaviour {
    let origin_request = match &v["OriginRequestPolicyId"] {
        Value::Null => None,
        other => Some(policy(other, pattern, "OriginRequestPolicyId")),
    };
    let policy = policy(&v["CachePolicyId"], pattern, "CachePolicyId");
    // CloudFront's default when CachedMethods is absent.
    let cached = match strings(&v["CachedMethods"]) {
        s if s.is_empty() => ["GET", "HEAD"].map(str::to_owned).into(),
        s => s,
    };
    Behaviour {
        pattern: pattern.to_owned(),
        origin: v["TargetOriginId"]
            .as_str()
            .expect("TargetOriginId")
            .to_owned(),
        cached_methods: cached,
        compress: v["Compress"].as_bool() == Some(true),
        policy,
        origin_request,
    }
}

/// The behaviours in CloudFront's order: the listed ones first, the default last.
fn behaviours(template: &Value) -> Vec<Behaviour> {
    let config = &template["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    let mut all: Vec<Behaviour> = config["CacheBehaviors"]
        .as_sequence()
        .expect("the distribution has cache behaviours")
        .iter()
        .map(|b| behaviour(b, b["PathPattern"].as_str().expect("PathPattern")))
        .collect();
    all.push(behaviour(&config["DefaultCacheBehavior"], "*"));
    all
}

/// CloudFront's path patterns: `*` any run of characters (slashes too), `?` exactly one.
fn glob(pattern: &[u8], path: &[u8]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob(&pattern[1..], path) || (!path.is_empty() && glob(pattern, &path[1..]))
        }
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &path[1..]),
        (Some(p), Some(c)) if p == c => glob(&pattern[1..], &path[1..]),
        _ => false,
    }
}

fn matching<'a>(behaviours: &'a [Behaviour], path: &str) -> &'a Behaviour {
    behaviours
        .iter()
        .find(|b| glob(b.pattern.as_bytes(), path.as_bytes()))
        .expect("the default behaviour matches every path")
}

/// True when CloudFront may answer `method` on `b` from its cache.
fn cacheable(template: &Value, b: &Behaviour, method: &str) -> bool {
    let keeps = match &b.policy {
        Policy::Managed(id) => id != CACHING_DISABLED,
        Policy::Template(name) => {
            let config = &template["Resources"][name.as_str()]["Properties"]["CachePolicyConfig"];
            config["MaxTTL"].as_u64().unwrap_or(0) > 0
        }
    };
    keeps && b.cached_methods.contains(method)
}

#[test]
fn every_public_read_is_cached_at_the_edge_compressed_and_keyed_on_its_query_strings() {
    let template = template();
    let behaviours = behaviours(&template);
    let public = routes(plenary_programme::ROUTES);
    assert!(!public.is_empty());
    for (method, path) in &public {
        let b = matching(&behaviours, path);
        assert_eq!(
            b.origin, "api",
            "{method} {path} goes to the API (behaviour {})",
            b.pattern
        );
        assert!(
            cacheable(&template, b, method),
            "{method} {path} is cached (behaviour {})",
            b.pattern
        );
        assert!(
            b.compress,
            "{method} {path} is compressed (behaviour {})",
            b.pattern
        );
        let Policy::Template(name) = &b.policy else {
            panic!("{method} {path}: the public reads use the template's own cache policy");
        };
        let config = &template["Resources"][name.as_str()]["Properties"]["CachePolicyConfig"];
        let key = &config["ParametersInCacheKeyAndForwardedToOrigin"];
        assert_eq!(
            strings(&key["QueryStringsConfig"]["QueryStrings"]),
            PUBLIC_QUERY_STRINGS.map(str::to_owned).into(),
            "{name} keys on exactly the programme's query strings"
        );
        assert_eq!(
            key["QueryStringsConfig"]["QueryStringBehavior"].as_str(),
            Some("whitelist")
        );
        // Nothing personal in the key: no header (so no Authorization), no cookie.
        assert_eq!(
            key["HeadersConfig"]["HeaderBehavior"].as_str(),
            Some("none"),
            "{name}"
        );
        assert_eq!(
            key["CookiesConfig"]["CookieBehavior"].as_str(),
            Some("none"),
            "{name}"
        );
        assert_eq!(
            key["EnableAcceptEncodingGzip"].as_bool(),
            Some(true),
            "{name}"
        );
        assert_eq!(
            key["EnableAcceptEncodingBrotli"].as_bool(),
            Some(true),
            "{name}"
        );
        // The function's Cache-Control decides: no answer without one is kept.
        assert_eq!(config["DefaultTTL"].as_u64(), Some(0), "{name}");
        assert_eq!(config["MinTTL"].as_u64(), Some(0), "{name}");
    }
}

#[test]
fn no_registrant_or_organiser_route_is_cacheable_at_the_edge() {
    let template = template();
    let behaviours = behaviours(&template);
    let personal: Vec<_> = routes(plenary_registration::ROUTES)
        .into_iter()
        .chain(routes(plenary_organiser::ROUTES))
        .collect();
    assert!(personal.len() > 20, "the routers are read");
    for (method, path) in &personal {
        let b = matching(&behaviours, path);
        assert_eq!(
            b.origin, "api",
            "{method} {path} goes to the API (behaviour {})",
            b.pattern
        );
        assert!(
            !cacheable(&template, b, method),
            "{method} {path} must never be cached (behaviour {})",
            b.pattern
        );
    }
}

#[test]
fn the_site_and_the_files_come_from_their_buckets() {
    let template = template();
    let behaviours = behaviours(&template);
    for (path, origin) in [
        ("/", "site"),
        ("/events/qos-workshop", "site"),
        ("/admin/sign-in", "site"),
        ("/assets/site.css", "site"),
        ("/files/qos/slides.pdf", "files"),
    ] {
        assert_eq!(matching(&behaviours, path).origin, origin, "{path}");
    }
}

#[test]
fn cloudfront_path_patterns_match_as_cloudfront_does() {
    assert!(glob(b"/v1/*", b"/v1/admin/me"));
    assert!(glob(b"/v1/events*", b"/v1/events"));
    assert!(glob(b"/v1/events*", b"/v1/events/x1/programme"));
    assert!(!glob(b"/v1/events*", b"/v1/registrations/me"));
    assert!(glob(b"/a?c", b"/abc"));
    assert!(!glob(b"/a?c", b"/ac"));
    assert!(glob(b"*", b"/anything/at/all"));
}

/// CloudFront's managed policy for API Gateway and Lambda function URL origins.
const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/// Which headers an origin request policy sends the origin, lowercase.
struct Forwarded {
    /// The viewer's headers: all of them but `except`, or only `only`.
    viewer: Viewer,
    /// CloudFront's own `CloudFront-*` headers: all (`None`), or these.
    cloudfront: Option<BTreeSet<String>>,
}

enum Viewer {
    AllBut(BTreeSet<String>),
    Only(BTreeSet<String>),
}

impl Forwarded {
    fn sends(&self, header: &str) -> bool {
        if header.starts_with("cloudfront-") {
            return self
                .cloudfront
                .as_ref()
                .is_none_or(|set| set.contains(header));
        }
        match &self.viewer {
            Viewer::AllBut(except) => !except.contains(header),
            Viewer::Only(only) => only.contains(header),
        }
    }
}

fn lowercase(v: &Value) -> BTreeSet<String> {
    strings(v)
        .into_iter()
        .map(|h| h.to_ascii_lowercase())
        .collect()
}

/// What `policy` forwards: a managed policy as AWS documents it, a template policy as written.
fn forwarded(template: &Value, policy: &Policy) -> Forwarded {
    let none = || Some(BTreeSet::new());
    match policy {
        // "All headers in the viewer request except for the Host header", and all CloudFront
        // headers (CloudFront-Viewer-Address among them); all cookies and query strings.
        Policy::Managed(id) if id == ALL_VIEWER_EXCEPT_HOST_HEADER => Forwarded {
            viewer: Viewer::AllBut(["host".to_owned()].into()),
            cloudfront: None,
        },
        Policy::Managed(id) => panic!(
            "origin request policy {id}: add what AWS documents it forwards to this test first"
        ),
        Policy::Template(name) => {
            let config =
                &template["Resources"][name.as_str()]["Properties"]["OriginRequestPolicyConfig"];
            let headers = &config["HeadersConfig"];
            let listed = lowercase(&headers["Headers"]);
            let (cloudfront, viewer): (BTreeSet<_>, BTreeSet<_>) = listed
                .iter()
                .cloned()
                .partition(|h| h.starts_with("cloudfront-"));
            match headers["HeaderBehavior"].as_str() {
                Some("none") => Forwarded {
                    viewer: Viewer::Only(BTreeSet::new()),
                    cloudfront: none(),
                },
                Some("whitelist") => Forwarded {
                    viewer: Viewer::Only(viewer),
                    cloudfront: Some(cloudfront),
                },
                Some("allViewer") => Forwarded {
                    viewer: Viewer::AllBut(BTreeSet::new()),
                    cloudfront: none(),
                },
                Some("allViewerAndWhitelistCloudFront") => Forwarded {
                    viewer: Viewer::AllBut(BTreeSet::new()),
                    cloudfront: Some(cloudfront),
                },
                Some("allExcept") => Forwarded {
                    viewer: Viewer::AllBut(listed),
                    cloudfront: none(),
                },
                other => panic!("{name}: HeaderBehavior {other:?}"),
            }
        }
    }
}

#[test]
fn every_api_route_gets_the_viewers_address_and_bearer_but_never_the_viewers_host() {
    let template = template();
    let behaviours = behaviours(&template);
    let all: Vec<_> = routes(plenary_programme::ROUTES)
        .into_iter()
        .chain(routes(plenary_registration::ROUTES))
        .chain(routes(plenary_organiser::ROUTES))
        .collect();
    for (method, path) in &all {
        let b = matching(&behaviours, path);
        let policy = b.origin_request.as_ref().unwrap_or_else(|| {
            panic!(
                "{method} {path}: behaviour {} has no origin request policy, so the API gets no viewer address",
                b.pattern
            )
        });
        let sent = forwarded(&template, policy);
        assert!(
            sent.sends(&plenary::http::VIEWER_ADDRESS.to_ascii_lowercase()),
            "{method} {path}: behaviour {} does not forward CloudFront-Viewer-Address",
            b.pattern
        );
        // API Gateway answers 403 to a request for another host name than its own.
        assert!(
            !sent.sends("host"),
            "{method} {path}: behaviour {} forwards the viewer's Host",
            b.pattern
        );
        for header in ["authorization", "content-type", "idempotency-key", "origin"] {
            assert!(
                sent.sends(header),
                "{method} {path}: behaviour {} does not forward {header}",
                b.pattern
            );
        }
    }
}

#[test]
fn a_policy_that_forwards_host_or_omits_the_viewer_address_is_told_apart() {
    let host = Policy::Managed(ALL_VIEWER_EXCEPT_HOST_HEADER.into());
    let template = template();
    assert!(!forwarded(&template, &host).sends("host"));
    let custom: Value = serde_yaml_ng::from_str(
        "Resources:
           AllAndViewer:
             Properties:
               OriginRequestPolicyConfig:
                 HeadersConfig: {HeaderBehavior: allViewerAndWhitelistCloudFront, Headers: [CloudFront-Viewer-Address]}
           AllButHost:
             Properties:
               OriginRequestPolicyConfig:
                 HeadersConfig: {HeaderBehavior: allExcept, Headers: [host]}",
    )
    .unwrap();
    let all_and_viewer = forwarded(&custom, &Policy::Template("AllAndViewer".into()));
    assert!(all_and_viewer.sends("cloudfront-viewer-address") && all_and_viewer.sends("host"));
    let all_but_host = forwarded(&custom, &Policy::Template("AllButHost".into()));
    assert!(!all_but_host.sends("host") && !all_but_host.sends("cloudfront-viewer-address"));
}

#[test]
fn the_api_origin_sends_the_origin_secret_from_the_deployments_secret() {
    let template = template();
    let config = &template["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    let origins = config["Origins"].as_sequence().expect("origins");
    let field = plenary::config::SECRET_FIELDS
        .iter()
        .find(|(_, var)| *var == plenary::config::vars::ORIGIN_SECRET)
        .map(|(field, _)| *field)
        .expect("the origin secret is a field of the deployment's secret");
    let reference = format!("{{{{resolve:secretsmanager:${{SecretName}}:SecretString:{field}}}}}");
    for origin in origins {
        let id = origin["Id"].as_str().expect("Id");
        let headers = origin["OriginCustomHeaders"].as_sequence();
        let secret = headers.into_iter().flatten().find(|h| {
            h["HeaderName"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(plenary::http::ORIGIN_HEADER))
        });
        if id == "api" {
            let secret = secret.expect("the API origin sends X-Plenary-Origin");
            assert_eq!(
                secret["HeaderValue"]["Fn::Sub"].as_str(),
                Some(reference.as_str()),
                "its value is the secret's {field}, resolved at deploy time"
            );
        } else {
            assert!(
                secret.is_none(),
                "origin {id} is not sent the origin secret"
            );
        }
    }
    // A new SecretsRevision updates the distribution, the only time CloudFormation resolves
    // the reference again (infra/README.md, rotating the origin secret).
    let comment = config["Comment"]["Fn::Sub"].as_str().unwrap_or_default();
    assert!(comment.contains("${SecretsRevision}"), "{comment}");
    // Every function behind the API reads the secret, so every one refuses what bypassed the CDN.
    let resources = template["Resources"].as_mapping().expect("resources");
    let mut http_functions = 0;
    for (name, r) in resources {
        let serves_http = r["Properties"]["Events"]
            .as_mapping()
            .is_some_and(|events| events.values().any(|e| e["Type"] == "HttpApi"));
        if r["Type"] != "AWS::Serverless::Function" || !serves_http {
            continue;
        }
        http_functions += 1;
        let env = &r["Properties"]["Environment"]["Variables"];
        assert_eq!(
            env[plenary::config::vars::SECRET_ID]["Ref"].as_str(),
            Some("SecretName"),
            "{name:?} reads the deployment's secret"
        );
    }
    assert_eq!(http_functions, 3);
}

#[test]
fn the_pages_get_the_sites_policy_with_the_uploads_bucket_as_the_one_other_connection() {
    let t = template();
    let config = &t["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    assert_eq!(
        config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]["Ref"].as_str(),
        Some("SiteHeadersPolicy"),
        "the pages are sent the site's headers"
    );
    let csp = &t["Resources"]["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        ["ContentSecurityPolicy"];
    assert_eq!(csp["Override"].as_bool(), Some(true));
    let deployed = csp["ContentSecurityPolicy"]["Fn::Sub"]
        .as_str()
        .expect("the policy is an Fn::Sub of the bucket's name and region");
    // Where the organiser function posts a file's form, with CloudFormation's names for both.
    let bucket = plenary::files::bucket_origin("${UploadsBucket}", "${AWS::Region}");
    let want = plenary::http::site::deployed_content_security_policy(&bucket);
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(words(deployed), words(&want));
}
