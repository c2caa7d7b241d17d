//! Session materials over HTTP, on the memory store and on DynamoDB: the draft takes them (and
//! refuses bad ones, naming each), publishing a draft that only adds them is a new version whose
//! summary and digest name them, and they reach the published programme, `schedule.json` (valid
//! against the c3voc schema), `programme.ics` (one ATTACH each) and the changes.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    materials_added_to_a_published_programme_make_a_new_version_that_reaches_every_output,
    bad_materials_are_400_naming_each_problem_and_change_nothing,
);

const QOS: &str = "qos-workshop-2021";

fn materials() -> Value {
    json!([
        {"id": "opening-slides", "title": "Opening slides", "kind": "slides",
         "url": "https://www.itu.int/en/ITU-T/Workshops-and-Seminars/qos/opening.pdf", "language": "en"},
        {"id": "recording", "title": "Recording", "kind": "recording",
         "url": "https://media.example.org/qos/opening?t=0,5"},
        // The local stack serves its own uploads over http, so it takes those addresses.
        {"id": "notes", "title": "Notes du président", "kind": "document",
         "url": "http://127.0.0.1:9/files/notes.pdf", "language": "fr"},
    ])
}

fn validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/c3voc-schedule.schema.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

async fn materials_added_to_a_published_programme_make_a_new_version_that_reaches_every_output(
    store: Store,
) {
    let s = LocalStack::start(store, &["--clock", "2021-08-23T08:00:00Z"]);
    let (_, _) = confirmed(&s, QOS, "slides@example.org").await;
    drain_job(&s).await;
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft: Value = s.admin_json(&draft_path).await;
    assert_eq!(draft["sessions"][0]["id"], "opening");
    assert_eq!(draft["sessions"][0]["materials"], json!([]));
    draft["sessions"][0]["materials"] = materials();
    let res = put_draft(&s, QOS, &draft).await;
    assert_eq!(res.status(), 200);
    let stored: Value = s.admin_json(&draft_path).await;
    let expected = json!([
        {"id": "opening-slides", "title": "Opening slides", "kind": "slides",
         "url": "https://www.itu.int/en/ITU-T/Workshops-and-Seminars/qos/opening.pdf", "language": "en"},
        {"id": "recording", "title": "Recording", "kind": "recording",
         "url": "https://media.example.org/qos/opening?t=0,5", "language": null},
        {"id": "notes", "title": "Notes du président", "kind": "document",
         "url": "http://127.0.0.1:9/files/notes.pdf", "language": "fr"},
    ]);
    assert_eq!(stored["sessions"][0]["materials"], expected);

    // Only materials were added, and that is a new version naming them.
    let published: Value = send(s.admin(
        Method::POST,
        &format!("/v1/admin/events/{QOS}/programme/publish"),
    ))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(published["version"], 2);
    let changes = published["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["change"], "updated");
    assert_eq!(changes[0]["new_materials"], expected);
    let versions = s
        .get_json(&format!("/v1/events/{QOS}/programme/versions"))
        .await;
    assert_eq!(
        versions["versions"][1]["summary"],
        "Sessions 1 updated; new materials: Opening slides (Opening remarks), Recording (Opening remarks), \
         Notes du président (Opening remarks)"
    );

    // The published programme and its changes carry them.
    let p = s.get_json(&format!("/v1/events/{QOS}/programme")).await;
    assert_eq!(p["days"][0]["sessions"][0]["materials"], expected);
    assert_eq!(p["days"][0]["sessions"][1]["materials"], json!([]));
    let c = s
        .get_json(&format!("/v1/events/{QOS}/programme/changes?from=1"))
        .await;
    assert_eq!(c["changes"][0]["after"]["materials"], expected);
    assert_eq!(c["changes"][0]["before"]["materials"], json!([]));

    // schedule.json: files as attachments, the rest as links, valid against the c3voc schema.
    let schedule = s.get_json(&format!("/v1/events/{QOS}/schedule.json")).await;
    let errors: Vec<String> = validator()
        .iter_errors(&schedule)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let opening = &schedule["schedule"]["conference"]["days"][0]["rooms"]["Plenary"][0];
    assert_eq!(opening["title"], "Opening remarks");
    assert_eq!(
        opening["attachments"],
        json!([
            {"title": "Opening slides", "url": expected[0]["url"]},
            {"title": "Notes du président", "url": expected[2]["url"]},
        ])
    );
    assert_eq!(
        opening["links"],
        json!([{"title": "Recording", "url": expected[1]["url"]}])
    );

    // programme.ics: one ATTACH per material, on its session only.
    let ics = send(s.get(&format!("/v1/events/{QOS}/programme.ics")))
        .await
        .text()
        .await
        .unwrap();
    let unfolded = ics.replace("\r\n ", "");
    // (The seed's closing session has materials of its own.)
    let attach: Vec<&str> = unfolded
        .split("BEGIN:VEVENT")
        .filter(|e| !e.contains("UID:closing.qos-workshop-2021@plenary"))
        .flat_map(|e| e.split("\r\n"))
        .filter_map(|l| l.strip_prefix("ATTACH:"))
        .collect();
    let urls: Vec<&str> = expected
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["url"].as_str().unwrap())
        .collect();
    assert_eq!(attach, urls);
    let opening_event = unfolded
        .split("BEGIN:VEVENT")
        .find(|e| e.contains("UID:opening.qos-workshop-2021@plenary"))
        .unwrap();
    assert_eq!(opening_event.matches("\r\nATTACH:").count(), 3);

    // The digest says "new materials" and names them, in the registrant's language.
    let run = send(s.post("/_local/notifications/run?now=2021-08-23T09:00:00Z")).await;
    assert_eq!(run.status(), 200);
    let digests = mail_of_kind(&s, "slides@example.org", "programme_changes").await;
    assert_eq!(digests.len(), 1);
    let text = digests[0]["text"].as_str().unwrap();
    assert!(
        text.contains("New materials: Opening slides, Recording, Notes du président"),
        "{text}"
    );
    let html = digests[0]["html"].as_str().unwrap();
    assert!(html.contains("New materials"), "{html}");
}

async fn bad_materials_are_400_naming_each_problem_and_change_nothing(store: Store) {
    let s = LocalStack::start(store, &[]);
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let before: Value = s.admin_json(&draft_path).await;
    let m = |id: &str, url: &str| json!({"id": id, "title": "T", "kind": "link", "url": url});
    let mut draft = before.clone();
    draft["sessions"][0]["materials"] = json!([
        m("a", "javascript:alert(1)"),
        m("b", "data:text/html,hi"),
        m("c", "ftp://example.org/a.pdf"),
        m("d", "slides.pdf"),
        {"id": "e", "title": "", "kind": "video", "url": "https://example.org", "language": "de"},
        m("a", "https://example.org/again"),
        {"id": "f", "title": "T", "kind": "slides", "url": "https://example.org", "size": 3},
    ]);
    let too_many: Vec<Value> = (0..21)
        .map(|i| m(&format!("m{i}"), "https://example.org"))
        .collect();
    draft["sessions"][1]["materials"] = json!(too_many);
    let p = problem(put_draft(&s, QOS, &draft).await, 400).await;
    let fields = error_fields(&p);
    for f in [
        "sessions[0].materials[0].url",
        "sessions[0].materials[1].url",
        "sessions[0].materials[2].url",
        "sessions[0].materials[3].url",
        "sessions[0].materials[4].title",
        "sessions[0].materials[4].kind",
        "sessions[0].materials[4].language",
        "sessions[0].materials[6].size",
        "sessions[1].materials",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    // Duplicate ids are checked once every item parses.
    let mut dup = before.clone();
    dup["sessions"][0]["materials"] = json!([m("a", "https://e.org/1"), m("a", "https://e.org/2")]);
    let p = problem(put_draft(&s, QOS, &dup).await, 400).await;
    assert_eq!(error_fields(&p), ["sessions[0].materials[1].id"]);
    let after: Value = s.admin_json(&draft_path).await;
    assert_eq!(after, before);
}
