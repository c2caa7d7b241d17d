//! Uploads over HTTP, on the memory store and on DynamoDB: the organiser's route signs a form
//! for one file (its name, type and exact size), the local stack's upload route takes that form
//! as S3 takes a presigned POST and refuses what its policy does not allow, the file is then
//! served at `file_url` and becomes a session's material; and the seed workshop, once its end
//! has passed by `/_local/clock`, says it has ended and shows its materials.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, header, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    an_uploaded_file_is_kept_served_and_published_as_a_sessions_material,
    the_upload_route_refuses_what_the_form_does_not_allow_as_s3_would,
    bad_upload_requests_are_400_naming_each_problem_and_grant_nothing,
    the_seed_workshop_once_over_says_so_and_keeps_its_materials,
);

const QOS: &str = "qos-workshop-2021";

fn pdf(len: usize) -> Vec<u8> {
    let mut file = b"%PDF-1.4\n".to_vec();
    file.resize(len, b'x');
    file
}

fn stack(store: Store) -> (LocalStack, tempdir::Dir) {
    let dir = tempdir::Dir::new("uploads");
    let s = LocalStack::start(
        store,
        &[
            "--clock",
            "2021-08-23T08:00:00Z",
            "--uploads-dir",
            dir.path.to_str().unwrap(),
        ],
    );
    (s, dir)
}

/// A folder of the test's own, removed afterwards.
mod tempdir {
    pub struct Dir {
        pub path: std::path::PathBuf,
    }
    impl Dir {
        pub fn new(label: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "plenary-{label}-{}-{}",
                std::process::id(),
                ulid_like()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Self { path }
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
    fn ulid_like() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    }
}

async fn granted(s: &LocalStack, filename: &str, content_type: &str, size: usize) -> Value {
    let body = json!({"filename": filename, "content_type": content_type, "size": size});
    let res = ask_upload(s, QOS, &body).await;
    assert_eq!(res.status(), 201);
    assert_eq!(header(&res, "cache-control"), "no-store");
    res.json().await.unwrap()
}

async fn an_uploaded_file_is_kept_served_and_published_as_a_sessions_material(store: Store) {
    let (s, dir) = stack(store);
    let file = pdf(4321);
    let g = granted(&s, "Présentation QoS.pdf", "application/pdf", file.len()).await;
    assert_eq!(g["upload"]["method"], "POST");
    assert_eq!(g["upload"]["url"], s.url("/_local/uploads"));
    let key = g["key"].as_str().unwrap();
    assert!(key.starts_with(&format!("files/{QOS}/")), "{key}");
    assert!(key.ends_with("/Présentation QoS.pdf"), "{key}");
    let file_url = g["file_url"].as_str().unwrap();
    assert!(
        file_url.starts_with(&s.url(&format!("/files/{QOS}/")))
            && file_url.ends_with("/Pr%C3%A9sentation%20QoS.pdf"),
        "{file_url}"
    );
    // An hour on (the stack's simulated clock runs on from 08:00).
    let expires: jiff::Timestamp = g["expires_at"].as_str().unwrap().parse().unwrap();
    let hour: jiff::Timestamp = "2021-08-23T09:00:00Z".parse().unwrap();
    assert!(
        expires >= hour && expires < hour + jiff::SignedDuration::from_secs(30),
        "{expires}"
    );
    // The policy is S3's: this key, this type, this exact size.
    let fields = form_fields(&g);
    let policy = plenary::files::policy::policy_of(&fields).unwrap();
    let conditions = policy["conditions"].as_array().unwrap();
    assert!(conditions.contains(&json!({"key": key})));
    assert!(conditions.contains(&json!({"Content-Type": "application/pdf"})));
    assert!(conditions.contains(&json!(["content-length-range", 4321, 4321])));
    // Nothing is served before the file is sent.
    assert_eq!(send(s.http.get(file_url)).await.status(), 404);

    let url = g["upload"]["url"].as_str().unwrap();
    let res = post_form(url, &fields, "Présentation QoS.pdf", &file).await;
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
    // Kept in the folder under its key.
    assert_eq!(std::fs::read(dir.path.join(key)).unwrap(), file);
    let served = send(s.http.get(file_url)).await;
    assert_eq!(served.status(), 200);
    assert_eq!(header(&served, "content-type"), "application/pdf");
    assert_eq!(header(&served, "x-content-type-options"), "nosniff");
    assert_eq!(served.bytes().await.unwrap().as_ref(), file.as_slice());

    // The upload is in the audit log, by the deployment's token.
    let log = s.admin_json(&format!("/v1/admin/events/{QOS}/audit")).await;
    assert_eq!(log["entries"][0]["action"], "createUpload", "{log}");
    assert_eq!(log["entries"][0]["target"], format!("event {QOS}"));

    // Its address is a material the draft takes and the programme publishes.
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft: Value = s.admin_json(&draft_path).await;
    draft["sessions"][0]["materials"] = json!([{"id": "slides", "title": "Slides",
        "kind": "slides", "url": file_url, "language": "fr"}]);
    assert_eq!(put_draft(&s, QOS, &draft).await.status(), 200);
    assert_eq!(publish(&s, QOS).await.status(), 200);
    let programme = s.get_json(&format!("/v1/events/{QOS}/programme")).await;
    let opening = &programme["days"][0]["sessions"][0];
    assert_eq!(opening["materials"][0]["url"], file_url);
}

async fn the_upload_route_refuses_what_the_form_does_not_allow_as_s3_would(store: Store) {
    let (s, dir) = stack(store);
    let file = pdf(1000);
    let g = granted(&s, "slides.pdf", "application/pdf", file.len()).await;
    let url = g["upload"]["url"].as_str().unwrap().to_owned();
    let fields = form_fields(&g);
    let key = g["key"].as_str().unwrap().to_owned();
    let file_url = g["file_url"].as_str().unwrap().to_owned();
    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        let mut f: Vec<_> = fields.iter().filter(|(k, _)| k != name).cloned().collect();
        f.insert(0, (name.to_owned(), value.to_owned()));
        f
    };

    // One byte too many, one too few: S3's EntityTooLarge and EntityTooSmall, a 400 naming the file.
    for len in [1001, 999] {
        let res = post_form(&url, &fields, "slides.pdf", &pdf(len)).await;
        let p = problem(res, 400).await;
        assert_eq!(error_fields(&p), ["file"], "{p}");
    }
    // Another type, another key, an extra field, another signature: outside the policy, 403.
    for (name, value) in [
        ("Content-Type", "text/html"),
        ("key", &*format!("files/{QOS}/other/evil.html")),
        ("acl", "public-read"),
        ("x-amz-signature", &*"0".repeat(64)),
    ] {
        let res = post_form(&url, &with(name, value), "slides.pdf", &file).await;
        let p = problem(res, 403).await;
        assert_eq!(
            p["type"].as_str().unwrap().rsplit('/').next(),
            Some("upload-refused"),
            "{name}: {p}"
        );
    }
    // No file, or not a form at all.
    let (ct, mut body) = multipart_form(&fields, "x", b"");
    body.truncate(body.len() - 200);
    let res = send(s.http.post(&url).header("content-type", ct).body(body)).await;
    assert_eq!(res.status(), 400);
    let res = send(s.http.post(&url).json(&json!({"file": "x"}))).await;
    assert_eq!(problem(res, 415).await["status"], 415);
    // None of that left a file.
    assert_eq!(send(s.http.get(&file_url)).await.status(), 404);
    assert!(!dir.path.join(&key).exists());

    // The right file is taken, once the form is still fresh...
    let res = post_form(&url, &fields, "slides.pdf", &file).await;
    assert_eq!(res.status(), 204);
    // ...and not after it expired (an hour), by the stack's clock.
    let g = granted(&s, "late.pdf", "application/pdf", file.len()).await;
    let res = send(s.post("/_local/clock?advance=PT61M")).await;
    assert_eq!(res.status(), 200);
    let res = post_form(
        g["upload"]["url"].as_str().unwrap(),
        &form_fields(&g),
        "late.pdf",
        &file,
    )
    .await;
    let p = problem(res, 403).await;
    assert!(p["detail"].as_str().unwrap().contains("expired"), "{p}");
    // A path that leaves the folder is never served.
    for path in [
        "/files/../Cargo.toml",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/",
    ] {
        assert_eq!(send(s.get(path)).await.status(), 404, "{path}");
    }
}

async fn bad_upload_requests_are_400_naming_each_problem_and_grant_nothing(store: Store) {
    let (s, _dir) = stack(store);
    let max = plenary::domain::MAX_UPLOAD_BYTES;
    // The largest file there is, exactly, is granted.
    granted(&s, "recording.mp4", "video/mp4", max as usize).await;
    let res = ask_upload(
        &s,
        QOS,
        &json!({"filename": "../../etc/passwd", "content_type": "text/html",
                "size": max + 1, "acl": "public-read"}),
    )
    .await;
    let p = problem(res, 400).await;
    assert_eq!(
        error_fields(&p),
        ["acl", "filename", "content_type", "size"],
        "{p}"
    );
    for (body, field) in [
        (
            json!({"filename": "slides.exe", "content_type": "application/pdf", "size": 1}),
            "filename",
        ),
        (
            json!({"filename": "a\u{0}.pdf", "content_type": "application/pdf", "size": 1}),
            "filename",
        ),
        (
            json!({"filename": "slides.pdf", "content_type": "application/pdf", "size": 0}),
            "size",
        ),
        (
            json!({"filename": "slides.pdf", "content_type": "application/pdf"}),
            "size",
        ),
    ] {
        let p = problem(ask_upload(&s, QOS, &body).await, 400).await;
        assert_eq!(error_fields(&p), [field], "{body}: {p}");
    }
    let res = ask_upload(
        &s,
        "no-such-event",
        &json!({"filename": "a.pdf",
        "content_type": "application/pdf", "size": 1}),
    )
    .await;
    assert_eq!(res.status(), 404);
    let res = send(
        s.post(&format!("/v1/admin/events/{QOS}/uploads"))
            .json(&json!({"filename": "a.pdf", "content_type": "application/pdf", "size": 1})),
    )
    .await;
    assert_eq!(res.status(), 401);
    // Only the one good request was recorded.
    let log = s.admin_json(&format!("/v1/admin/events/{QOS}/audit")).await;
    let uploads = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "createUpload")
        .count();
    assert_eq!(uploads, 1, "{log}");
}

async fn the_seed_workshop_once_over_says_so_and_keeps_its_materials(store: Store) {
    let (s, _dir) = stack(store);
    let event = s.get_json(&format!("/v1/events/{QOS}")).await;
    assert_eq!(event["ended"], false);
    let programme = s.get_json(&format!("/v1/events/{QOS}/programme")).await;
    let with_materials: Vec<&Value> = programme["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["sessions"].as_array().unwrap())
        .filter(|s| !s["materials"].as_array().unwrap().is_empty())
        .collect();
    assert!(!with_materials.is_empty(), "the seed has materials");
    // The seed's own file is served by the stack.
    let local: Vec<&str> = with_materials
        .iter()
        .flat_map(|s| s["materials"].as_array().unwrap())
        .filter_map(|m| m["url"].as_str())
        .filter(|u| u.starts_with(&s.base))
        .collect();
    assert!(!local.is_empty(), "{programme}");
    for url in local {
        assert_eq!(send(s.http.get(url)).await.status(), 200, "{url}");
    }
    // 2021-09-09T16:30+02:00 has passed.
    let res = send(s.post("/_local/clock?advance=PT432H")).await;
    assert_eq!(res.status(), 200);
    let event = s.get_json(&format!("/v1/events/{QOS}")).await;
    assert_eq!(event["ended"], true);
    assert_eq!(event["registration"]["open"], false);
    let res = register(&s, QOS, "late@example.org").await;
    assert_eq!(
        problem(res, 409).await["type"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next(),
        Some("registration-closed")
    );
    let after = s.get_json(&format!("/v1/events/{QOS}/programme")).await;
    assert_eq!(after["days"], programme["days"], "the programme as it ran");
    let _ = Method::GET;
}
