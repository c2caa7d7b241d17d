//! The deployment templates as the infra suites read them, and request paths for the routers'
//! patterns, so each suite asks the same question of the same files.

use plenary::http::Route;
use serde_yaml_ng::Value;

/// `infra/{file}`, parsed. The templates use long-form intrinsics only (`Fn::If`, `Ref`), so
/// they are plain YAML without CloudFormation's tags.
pub fn template(file: &str) -> Value {
    let path = format!("{}/../infra/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|e| panic!("infra/{file} is plain YAML (long-form intrinsics): {e}"))
}

/// A request path for a route pattern: each `{name}` segment filled in.
pub fn sample_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|s| if s.starts_with('{') { "x1" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// (method, path) of every route of a router, each path a [`sample_path`].
pub fn routes<E>(routes: &[Route<E>]) -> Vec<(String, String)> {
    routes
        .iter()
        .map(|r| (r.method.as_str().to_owned(), sample_path(r.pattern)))
        .collect()
}
