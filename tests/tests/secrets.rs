//! The secret settings read from Secrets Manager (the emulator's) at start-up: a secret's
//! fields become the join key and the organiser token hash, a configuration keeps what it read
//! (a new instance reads the rotated value), and a secret that is missing, malformed or doubled
//! by the environment stops start-up with a problem that names it and never its value.

use std::collections::BTreeMap;

use plenary::Config;
use plenary::config::vars;
use plenary::domain::{RegistrationId, TokenKeys};
use plenary::secrets::{Secrets, SecretsError, SecretsManager};
use plenary::token::{JoinKey, TokenHash};
use plenary_tests::dynamo_fixture::{endpoint, unique_table_name};

const TOKEN: &str = "organiser-token-of-the-secrets-tests-0123456789";
const KEY: &str = "0000000000000000000000000000000000000000000000000000000000000007";
const ROTATED_KEY: &str = "1111111111111111111111111111111111111111111111111111111111111111";

async fn admin_client() -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::config::Builder::new()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .region(aws_sdk_secretsmanager::config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// A new secret holding `text`, under a name no other test uses.
async fn secret(text: &str) -> String {
    let name = unique_table_name("plenary/secrets");
    admin_client()
        .await
        .create_secret()
        .name(&name)
        .secret_string(text)
        .send()
        .await
        .expect("the emulator creates the secret");
    name
}

fn env(secret_id: &str) -> BTreeMap<String, String> {
    [
        (vars::TABLE, "plenary"),
        (vars::SENDER, "events@example.org"),
        (vars::SITE_URL, "https://workshop.example.org"),
        (vars::ALLOWED_ORIGINS, "https://workshop.example.org"),
        (vars::SECRET_ID, secret_id),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// What a key is seen by: the join token it derives for one registration (its `Debug` is
/// redacted).
fn fingerprint(key: &JoinKey) -> String {
    let id = RegistrationId::parse("01J00000000000000000000000").unwrap();
    key.token_for(TokenKeys::PerPurpose, &id, 0)
        .expose()
        .to_owned()
}

fn both_fields(key: &str) -> String {
    format!(
        r#"{{"organiser_token_hash": "{}", "join_key": "{key}"}}"#,
        TokenHash::of(TOKEN).as_str()
    )
}

#[tokio::test]
async fn a_secret_in_secrets_manager_gives_the_join_key_and_the_organiser_token_hash() {
    let id = secret(&both_fields(KEY)).await;
    let secrets = SecretsManager::connect(Some(&endpoint())).await;
    let config = Config::from_vars_and_secrets(&env(&id), &secrets)
        .await
        .unwrap();
    assert_eq!(
        config.require_organiser_token().unwrap(),
        TokenHash::of(TOKEN)
    );
    assert_eq!(
        fingerprint(&config.require_join_key().unwrap()),
        fingerprint(&JoinKey::parse(KEY).unwrap())
    );
    // Without PLENARY_SECRET_ID the environment's own values are used, as on the local stack.
    let mut plain = env("");
    plain.insert(vars::JOIN_KEY.into(), KEY.into());
    let config = Config::from_vars_and_secrets(&plain, &secrets)
        .await
        .unwrap();
    assert!(config.join_key.is_some() && config.organiser_token_hash.is_none());
}

#[tokio::test]
async fn a_configuration_keeps_what_it_read_and_a_new_instance_reads_the_rotated_secret() {
    let id = secret(&both_fields(KEY)).await;
    let secrets = SecretsManager::connect(Some(&endpoint())).await;
    let before = Config::from_vars_and_secrets(&env(&id), &secrets)
        .await
        .unwrap();
    admin_client()
        .await
        .put_secret_value()
        .secret_id(&id)
        .secret_string(both_fields(ROTATED_KEY))
        .send()
        .await
        .unwrap();
    let after = Config::from_vars_and_secrets(&env(&id), &secrets)
        .await
        .unwrap();
    let key = |c: &Config| fingerprint(&c.require_join_key().unwrap());
    assert_eq!(
        key(&after),
        fingerprint(&JoinKey::parse(ROTATED_KEY).unwrap())
    );
    assert_eq!(key(&before), fingerprint(&JoinKey::parse(KEY).unwrap()));
}

#[tokio::test]
async fn a_missing_secret_stops_start_up_naming_the_variable_and_the_secret() {
    let secrets = SecretsManager::connect(Some(&endpoint())).await;
    let missing = unique_table_name("plenary/nowhere");
    assert_eq!(secrets.read(&missing).await, Err(SecretsError::NotFound));
    let err = Config::from_vars_and_secrets(&env(&missing), &secrets)
        .await
        .unwrap_err();
    let all = err.to_string();
    assert!(
        all.contains(vars::SECRET_ID) && all.contains(&missing),
        "{all}"
    );
}

#[tokio::test]
async fn a_secret_doubled_by_the_environment_or_malformed_is_refused_without_its_value() {
    let secrets = SecretsManager::connect(Some(&endpoint())).await;
    let id = secret(&both_fields(KEY)).await;
    let mut doubled = env(&id);
    doubled.insert(vars::JOIN_KEY.into(), ROTATED_KEY.into());
    let err = Config::from_vars_and_secrets(&doubled, &secrets)
        .await
        .unwrap_err();
    assert!(err.to_string().contains(vars::JOIN_KEY), "{err}");
    let id = secret(r#"{"join_key": "not-32-bytes-but-secret"}"#).await;
    let err = Config::from_vars_and_secrets(&env(&id), &secrets)
        .await
        .unwrap_err();
    assert!(err.to_string().contains(vars::JOIN_KEY), "{err}");
    for e in [err.to_string(), format!("{err:?}")] {
        assert!(
            !e.contains("not-32-bytes-but-secret") && !e.contains(KEY),
            "{e}"
        );
    }
}
