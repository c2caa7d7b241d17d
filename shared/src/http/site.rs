//! The security policy the reference website's pages are sent with: by `plenary-local`, and by
//! CloudFront's response headers policy in a deployment (`infra/template.yaml`, held to
//! [`deployed_content_security_policy`] by `tests/tests/infra_caching.rs`).

/// Scripts and styles only from this origin, no inline code, API calls only to this origin: the
/// pages show data from the API and hold bearer tokens, so injected markup must not run.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The deployed pages' policy: the same, but the console may also post a file's form to the
/// uploads bucket (`bucket_origin`, where [`crate::files`] sends presigned POSTs). Locally the
/// upload route is on the page's own origin, so the local policy needs no exception.
pub fn deployed_content_security_policy(bucket_origin: &str) -> String {
    CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self';",
        &format!("connect-src 'self' {bucket_origin};"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deployed_policy_differs_from_the_local_one_only_by_the_buckets_origin() {
        let deployed = deployed_content_security_policy("https://b.s3.eu-west-1.amazonaws.com");
        assert_eq!(
            deployed.replace(" https://b.s3.eu-west-1.amazonaws.com", ""),
            CONTENT_SECURITY_POLICY
        );
        assert!(deployed.contains("connect-src 'self' https://b.s3.eu-west-1.amazonaws.com;"));
    }
}
