//! Answers against a registration form: whatever `answers` a body carries, the parser gives a
//! value or a 400 naming each bad answer `answers.<question id>` (never a panic, never a 5xx),
//! and a value holds only good answers to questions that apply.

use http::StatusCode;
use plenary::domain::{Answer, Application, ApplicationError, Event, EventId, QuestionKind};
use plenary::http::Problem;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use crate::strategies::json as any_json;

fn event() -> Event {
    Event::parse(
        EventId::parse("ws").unwrap(),
        &json!({"title": "W", "timezone": "Europe/Zurich",
                "starts_at": "2030-09-08T14:00:00+02:00", "ends_at": "2030-09-09T16:30:00+02:00",
                "questions": [
          {"id": "sg12", "kind": "boolean", "label": {"en": "SG12?"}},
          {"id": "role", "kind": "choice", "required": true, "label": {"en": "Role"},
           "options": [{"id": "regulator", "label": {"en": "R"}}, {"id": "other", "label": {"en": "O"}}]},
          {"id": "role_other", "kind": "text", "required": true, "max_length": 20, "label": {"en": "Which?"},
           "shown_if": {"question": "role", "equals": "other"}},
          {"id": "topics", "kind": "choices", "label": {"en": "T"},
           "options": [{"id": "qos", "label": {"en": "QoS"}}, {"id": "qoe", "label": {"en": "QoE"}}]},
          {"id": "remarks", "kind": "paragraph", "max_length": 50, "label": {"en": "R"},
           "shown_if": {"question": "sg12", "equals": true}}
        ]}),
    )
    .unwrap()
}

/// Values a client might send for one answer: good ones of every kind, near misses, anything.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => select(vec![
            json!(true), json!(false), json!("regulator"), json!("other"), json!("qos"),
            json!(["qos"]), json!(["qos", "qoe"]), json!(["qos", "qos"]), json!([]),
            json!("Researcher"), json!(""), json!("   "), json!("x".repeat(60)),
            json!("a\nb"), json!(null), json!(1), json!({"a": 1}),
        ]),
        1 => any_json(),
    ]
}

fn answers() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        4 => select(vec!["sg12", "role", "role_other", "topics", "remarks"]).prop_map(str::to_owned),
        1 => "[a-z.\\[\\] ]{0,8}",
    ];
    prop_oneof![
        6 => proptest::collection::btree_map(key, value(), 0..7)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => any_json(),
    ]
}

proptest! {
    #[test]
    fn any_answers_give_a_registration_or_a_400_naming_every_bad_answer(answers in answers()) {
        let event = event();
        let body = json!({"email": "ada@example.org", "given_name": "Ada", "family_name": "L",
                          "country": "GB", "organisation": "AE", "category": "academia",
                          "language": "en", "consent": true, "answers": answers.clone()});
        let ids: Vec<&str> = event.questions.iter().map(|q| q.id.as_str()).collect();
        match Application::parse(&event, &body) {
            Ok(app) => {
                let got = &app.person.answers;
                // Only good answers to questions the body answered.
                for (id, a) in got.iter() {
                    let q = event.questions.iter().find(|q| q.id.as_str() == id).unwrap();
                    let fits = match (q.kind, a) {
                        (QuestionKind::Boolean, Answer::Flag(_)) => true,
                        (QuestionKind::Choice, Answer::One(o)) => q.option(o).is_some(),
                        (QuestionKind::Choices, Answer::Many(l)) => l.iter().all(|o| q.option(o).is_some()),
                        (QuestionKind::Text | QuestionKind::Paragraph, Answer::One(t)) =>
                            t.chars().count() <= q.text_limit() as usize,
                        _ => false,
                    };
                    prop_assert!(fits, "{id}: {a:?}");
                    prop_assert!(answers.get(id).is_some());
                }
                // The required question that always applies was answered.
                prop_assert!(got.get("role").is_some());
                if got.get("role") == Some(&Answer::One("other".into())) {
                    prop_assert!(got.get("role_other").is_some());
                } else {
                    prop_assert!(got.get("role_other").is_none());
                }
            }
            Err(ApplicationError::Invalid(errors)) => {
                prop_assert!(!errors.0.is_empty());
                for e in &errors.0 {
                    let named = e.field == "answers"
                        || e.field.strip_prefix("answers.").is_some_and(|id| {
                            ids.contains(&id) || answers.get(id).is_some()
                        });
                    prop_assert!(named, "{:?} names no answer of {}", e.field, answers);
                    prop_assert!(!e.message.trim().is_empty());
                }
                // Every key that is no question is named.
                if let Some(m) = answers.as_object() {
                    for k in m.keys().filter(|k| !ids.contains(&k.as_str())) {
                        let field = format!("answers.{k}");
                        prop_assert!(errors.0.iter().any(|e| e.field == field), "{k} not named");
                    }
                } else if !answers.is_null() {
                    prop_assert!(errors.0.iter().any(|e| e.field == "answers"));
                }
                let p = Problem::invalid(errors.clone());
                prop_assert_eq!(p.status, StatusCode::BAD_REQUEST);
            }
            Err(ApplicationError::NotEligible(why)) => prop_assert!(false, "not eligible: {why}"),
        }
    }
}
