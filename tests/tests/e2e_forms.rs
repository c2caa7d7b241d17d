//! Registration forms over HTTP, on the memory store and on DynamoDB: the organiser's questions
//! (validated, every bad field named with dots, shown to the public and to the organiser),
//! answers checked with the other fields of a registration and of `PATCH /me`, shown in `/me`,
//! the organiser's list, the CSV and stats, erased by erasure, and edits of the form that never
//! lose an answer. The seed's workshop asks the circular's questions.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    the_organisers_questions_are_checked_named_with_dots_and_shown_to_everyone,
    answers_are_checked_with_the_other_fields_kept_shown_in_me_changed_and_erased,
    organisers_see_answers_in_the_list_the_csv_and_stats,
    editing_the_form_after_people_registered_never_loses_an_answer,
    the_seed_workshop_asks_the_circulars_questions,
);

const EVENT: &str = "forms-workshop";

fn questions() -> Value {
    json!([
      {"id": "sg12", "kind": "boolean", "required": false,
       "label": {"en": "Will you also attend the SG12RG-AFR meeting on 7 September?",
                 "fr": "Participerez-vous aussi à la réunion du 7 septembre ?"}},
      {"id": "role", "kind": "choice", "required": true, "label": {"en": "Your role"},
       "options": [{"id": "regulator", "label": {"en": "Regulator"}},
                   {"id": "operator", "label": {"en": "Operator"}},
                   {"id": "other", "label": {"en": "Other"}}]},
      {"id": "role_other", "kind": "text", "required": true, "max_length": 200,
       "label": {"en": "Which role?"}, "shown_if": {"question": "role", "equals": "other"}},
      {"id": "topics", "kind": "choices", "required": false, "label": {"en": "Topics of interest"},
       "options": [{"id": "qos", "label": {"en": "QoS"}}, {"id": "qoe", "label": {"en": "QoE"}}]},
      {"id": "remarks", "kind": "paragraph", "required": false, "max_length": 2000,
       "label": {"en": "Remarks"}}
    ])
}

fn form_event(questions: Value) -> Value {
    let mut e = event_body(None, false, false);
    e["questions"] = questions;
    e
}

async fn put_event(s: &LocalStack, body: &Value) -> reqwest::Response {
    send(
        s.admin(Method::PUT, &format!("/v1/admin/events/{EVENT}"))
            .json(body),
    )
    .await
}

fn answering(email: &str, answers: Value) -> Value {
    let mut b = person(email);
    b["answers"] = answers;
    b
}

async fn patch_me(s: &LocalStack, token: &str, body: &Value) -> reqwest::Response {
    send(
        s.http
            .patch(s.url("/v1/registrations/me"))
            .bearer_auth(token)
            .json(body),
    )
    .await
}

async fn csv(s: &LocalStack) -> Vec<Vec<String>> {
    let path = format!("/v1/admin/events/{EVENT}/registrations.csv");
    let text = send(s.admin(Method::GET, &path))
        .await
        .text()
        .await
        .unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The cell under `header` in the row whose email is `email`.
fn cell<'a>(rows: &'a [Vec<String>], email: &str, header: &str) -> &'a str {
    let col = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header:?} in {:?}", rows[0]));
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c == email))
        .unwrap_or_else(|| panic!("no row for {email}"));
    &row[col]
}

async fn confirmed_with(s: &LocalStack, email: &str, answers: Value) -> String {
    let token = token_for(s, EVENT, &answering(email, answers)).await;
    assert_eq!(confirm(s, &token).await.status(), 200);
    token
}

async fn the_organisers_questions_are_checked_named_with_dots_and_shown_to_everyone(store: Store) {
    let s = LocalStack::start(store, &[]);
    assert_eq!(put_event(&s, &form_event(questions())).await.status(), 201);
    let public = s.get_json(&format!("/v1/events/{EVENT}")).await;
    assert_eq!(public["questions"], questions());
    let organisers = s.admin_json(&format!("/v1/admin/events/{EVENT}")).await;
    assert_eq!(organisers["questions"], questions());

    // Every bad field at once, dotted; nothing is saved.
    let mut bad = questions();
    bad[1]["options"] = json!([]);
    bad[2]["shown_if"] = json!({"question": "remarks", "equals": "x"});
    bad[3]["id"] = json!("sg12");
    bad[4]["max_length"] = json!(0);
    bad[0]["label"] = json!({"fr": "Sans anglais"});
    let p = problem(put_event(&s, &form_event(bad)).await, 400).await;
    let mut fields = error_fields(&p);
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "questions.0.label.en",
            "questions.1.options",
            "questions.2.shown_if.question",
            "questions.3.id",
            "questions.4.max_length"
        ]
    );
    let too_many: Vec<Value> = (0..31)
        .map(|i| json!({"id": format!("q{i}"), "kind": "boolean", "label": {"en": "Q"}}))
        .collect();
    let p = problem(put_event(&s, &form_event(json!(too_many))).await, 400).await;
    assert_eq!(error_fields(&p), ["questions"]);
    let public_after = s.get_json(&format!("/v1/events/{EVENT}")).await;
    assert_eq!(public_after["questions"], questions());

    // An event without questions shows an empty form.
    let seed = s.get_json("/v1/events/sg12rg-afr-2021").await;
    assert_eq!(seed["questions"], json!([]));
}

async fn answers_are_checked_with_the_other_fields_kept_shown_in_me_changed_and_erased(
    store: Store,
) {
    let s = LocalStack::start(store, &["--notifications-interval", "0"]);
    assert_eq!(put_event(&s, &form_event(questions())).await.status(), 201);

    // Bad answers are named with the other bad fields, and nothing is registered.
    let mut body = answering(
        "ada@example.org",
        json!({"role": "other", "topics": ["qos", "nope"], "sg12": "yes", "who": 1}),
    );
    body["given_name"] = json!("");
    let p = problem(post_registration(&s, EVENT, &body).await, 400).await;
    let mut fields = error_fields(&p);
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "answers.role_other",
            "answers.sg12",
            "answers.topics",
            "answers.who",
            "given_name"
        ]
    );
    let p = problem(
        post_registration(&s, EVENT, &person("ada@example.org")).await,
        400,
    )
    .await;
    assert_eq!(error_fields(&p), ["answers.role"]);
    // A question whose condition is not met must not be answered.
    let p = problem(
        post_registration(
            &s,
            EVENT,
            &answering(
                "ada@example.org",
                json!({"role": "operator", "role_other": "x"}),
            ),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(error_fields(&p), ["answers.role_other"]);
    run_job(&s).await;
    assert!(mail_to(&s, "ada@example.org").await.is_empty());

    let given = json!({"role": "other", "role_other": "Researcher", "topics": ["qoe"],
                       "sg12": false});
    let token = confirmed_with(&s, "ada@example.org", given.clone()).await;
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(mine["answers"], given);

    // PATCH answers the form again, checked with the other fields; nothing changes on a 400.
    let p = problem(
        patch_me(
            &s,
            &token,
            &json!({"organisation": "", "answers": {"role": "regulator", "role_other": "x"}}),
        )
        .await,
        400,
    )
    .await;
    let mut fields = error_fields(&p);
    fields.sort_unstable();
    assert_eq!(fields, ["answers.role_other", "organisation"]);
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(mine["answers"], given);
    let res = patch_me(
        &s,
        &token,
        &json!({"answers": {"role": "regulator", "sg12": true}}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(mine["answers"], json!({"role": "regulator", "sg12": true}));
    // A PATCH without answers leaves them.
    assert_eq!(
        patch_me(&s, &token, &json!({"language": "fr"}))
            .await
            .status(),
        200
    );
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(mine["answers"], json!({"role": "regulator", "sg12": true}));

    // Erasure erases the answers with the rest.
    let erase = s.http.delete(s.url("/v1/registrations/me?erase=true"));
    assert_eq!(send(erase.bearer_auth(&token)).await.status(), 200);
    let listed = all_registrations(&s, EVENT).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["answers"], json!({}));
    let rows = csv(&s).await;
    assert!(
        rows[1].iter().rev().take(5).all(String::is_empty),
        "{rows:?}"
    );
}

async fn organisers_see_answers_in_the_list_the_csv_and_stats(store: Store) {
    let s = LocalStack::start(store, &["--notifications-interval", "0"]);
    assert_eq!(put_event(&s, &form_event(questions())).await.status(), 201);
    confirmed_with(
        &s,
        "a@example.org",
        json!({"role": "other", "role_other": "=HYPERLINK(\"http://x\")", "topics": ["qos", "qoe"],
               "sg12": true, "remarks": "Two\nlines"}),
    )
    .await;
    confirmed_with(
        &s,
        "b@example.org",
        json!({"role": "regulator", "sg12": true}),
    )
    .await;
    confirmed_with(
        &s,
        "c@example.org",
        json!({"role": "regulator", "topics": ["qoe"]}),
    )
    .await;

    let listed = all_registrations(&s, EVENT).await;
    let b = listed
        .iter()
        .find(|r| r["email"] == "b@example.org")
        .unwrap();
    assert_eq!(b["answers"], json!({"role": "regulator", "sg12": true}));

    let rows = csv(&s).await;
    let labels: Vec<&str> = rows[0]
        .iter()
        .rev()
        .take(5)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        labels,
        [
            "Will you also attend the SG12RG-AFR meeting on 7 September?",
            "Your role",
            "Which role?",
            "Topics of interest",
            "Remarks"
        ]
    );
    assert_eq!(cell(&rows, "a@example.org", "Your role"), "Other");
    assert_eq!(
        cell(&rows, "a@example.org", "Which role?"),
        "'=HYPERLINK(\"http://x\")"
    );
    assert_eq!(
        cell(&rows, "a@example.org", "Topics of interest"),
        "QoS; QoE"
    );
    assert_eq!(cell(&rows, "a@example.org", "Remarks"), "Two\nlines");
    assert_eq!(cell(&rows, "b@example.org", "Your role"), "Regulator");
    assert_eq!(cell(&rows, "c@example.org", "Which role?"), "");
    assert_eq!(
        cell(
            &rows,
            "c@example.org",
            "Will you also attend the SG12RG-AFR meeting on 7 September?"
        ),
        ""
    );

    let counts = stats(&s, EVENT).await;
    assert_eq!(
        counts["answers"],
        json!({"sg12": {"true": 2, "false": 0},
               "role": {"regulator": 2, "operator": 0, "other": 1},
               "topics": {"qos": 1, "qoe": 2}})
    );
}

async fn editing_the_form_after_people_registered_never_loses_an_answer(store: Store) {
    let s = LocalStack::start(store, &["--notifications-interval", "0"]);
    assert_eq!(put_event(&s, &form_event(questions())).await.status(), 201);
    let token = confirmed_with(
        &s,
        "ada@example.org",
        json!({"role": "operator", "topics": ["qos"], "sg12": true, "remarks": "Hello"}),
    )
    .await;

    // Remove sg12 and remarks, rename an option, drop the option qos, add a question.
    let mut edited = questions();
    let list = edited.as_array_mut().unwrap();
    list.remove(4);
    list.remove(0);
    list[0]["options"][1]["label"]["en"] = json!("Network operator");
    list[2]["options"] = json!([{"id": "qoe", "label": {"en": "QoE"}}]);
    list.push(json!({"id": "diet", "kind": "text", "required": false,
                     "label": {"en": "Dietary needs"}}));
    assert_eq!(
        put_event(&s, &form_event(edited.clone())).await.status(),
        200
    );
    // Its questions are the new ones; the memory of old ones is no field of the event.
    let organisers = s.admin_json(&format!("/v1/admin/events/{EVENT}")).await;
    assert_eq!(organisers["questions"], edited);

    let rows = csv(&s).await;
    assert_eq!(
        cell(&rows, "ada@example.org", "Your role"),
        "Network operator"
    );
    assert_eq!(cell(&rows, "ada@example.org", "Topics of interest"), "QoS");
    assert_eq!(cell(&rows, "ada@example.org", "Dietary needs"), "");
    assert_eq!(
        cell(
            &rows,
            "ada@example.org",
            "Will you also attend the SG12RG-AFR meeting on 7 September?"
        ),
        "true"
    );
    assert_eq!(cell(&rows, "ada@example.org", "Remarks"), "Hello");
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(
        mine["answers"],
        json!({"role": "operator", "topics": ["qos"], "sg12": true, "remarks": "Hello"})
    );

    // Answering the new form again keeps the answers to the removed questions.
    let res = patch_me(
        &s,
        &token,
        &json!({"answers": {"role": "regulator", "diet": "None"}}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(
        mine["answers"],
        json!({"role": "regulator", "diet": "None", "sg12": true, "remarks": "Hello"})
    );

    // A question keeps its kind, even a removed one; nothing is saved then.
    let mut rekinded = edited.clone();
    rekinded
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "sg12", "kind": "text", "label": {"en": "SG12?"}}));
    let p = problem(put_event(&s, &form_event(rekinded)).await, 400).await;
    assert_eq!(error_fields(&p), ["questions.4.kind"]);
    // Asking a removed question again brings its answers back under it.
    let mut again = edited.clone();
    again.as_array_mut().unwrap().push(questions()[0].clone());
    assert_eq!(put_event(&s, &form_event(again)).await.status(), 200);
    let counts = stats(&s, EVENT).await;
    assert_eq!(counts["answers"]["sg12"], json!({"true": 1, "false": 0}));
    let rows = csv(&s).await;
    let sg12 = "Will you also attend the SG12RG-AFR meeting on 7 September?";
    assert_eq!(rows[0].iter().filter(|h| *h == sg12).count(), 1);
    assert_eq!(cell(&rows, "ada@example.org", sg12), "true");
}

async fn the_seed_workshop_asks_the_circulars_questions(store: Store) {
    let s = LocalStack::start(store, &["--notifications-interval", "0"]);
    let e = s.get_json("/v1/events/qos-workshop-2021").await;
    let ids: Vec<&str> = e["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sg12rg-afr", "role"]);
    assert_eq!(e["questions"][0]["kind"], "boolean");
    let options: Vec<&str> = e["questions"][1]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        options,
        [
            "regulator",
            "ministry",
            "operator-vendor",
            "consumer-group",
            "academia"
        ]
    );
    // The workshop's registrants answer them, and the organiser's CSV and stats show it.
    let body = answering(
        "amina@example.org",
        json!({"sg12rg-afr": true, "role": "regulator"}),
    );
    let token = token_for(&s, "qos-workshop-2021", &body).await;
    assert_eq!(confirm(&s, &token).await.status(), 200);
    let counts = stats(&s, "qos-workshop-2021").await;
    assert_eq!(counts["answers"]["role"]["regulator"], 1);
    assert_eq!(counts["answers"]["sg12rg-afr"]["true"], 1);
    let path = "/v1/admin/events/qos-workshop-2021/registrations.csv";
    let text = send(s.admin(Method::GET, path)).await.text().await.unwrap();
    assert!(text.contains("Your role"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("amina@example.org") && l.ends_with(r#","true","Regulator""#)),
        "{text}"
    );
}
