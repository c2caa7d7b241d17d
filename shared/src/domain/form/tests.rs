use serde_json::{Value, json};

use super::*;
use crate::domain::{Event, EventId};

fn event_with(questions: Value) -> Result<Event, crate::domain::FieldErrors> {
    Event::parse(
        EventId::parse("ws").unwrap(),
        &json!({"title": "W", "timezone": "Europe/Zurich",
                "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
                "questions": questions}),
    )
}

/// The contract's example form.
pub(crate) fn contract_questions() -> Value {
    json!([
      {"id": "sg12", "kind": "boolean", "required": false,
       "label": {"en": "Will you also attend the SG12RG-AFR meeting on 7 September?", "fr": "Participerez-vous aussi ?"}},
      {"id": "role", "kind": "choice", "required": true, "label": {"en": "Your role"},
       "options": [{"id": "regulator", "label": {"en": "Regulator"}}, {"id": "operator", "label": {"en": "Operator"}},
                   {"id": "other", "label": {"en": "Other"}}]},
      {"id": "role_other", "kind": "text", "required": true, "max_length": 200, "label": {"en": "Which role?"},
       "shown_if": {"question": "role", "equals": "other"}},
      {"id": "topics", "kind": "choices", "required": false, "label": {"en": "Topics of interest"},
       "options": [{"id": "qos", "label": {"en": "QoS"}}, {"id": "qoe", "label": {"en": "QoE"}}]},
      {"id": "remarks", "kind": "paragraph", "required": false, "max_length": 2000, "label": {"en": "Remarks"}}
    ])
}

fn named(errs: &crate::domain::FieldErrors) -> Vec<&str> {
    let mut n: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
    n.sort_unstable();
    n
}

fn answers(questions: &[Question], body: Value) -> Result<Answers, Vec<String>> {
    let body = json!({"answers": body});
    let mut f = Fields::of(&body, &["answers"]);
    let a = Answers::parse(&mut f, questions);
    f.finish(a)
        .map_err(|e| e.0.into_iter().map(|e| e.field).collect())
}

#[test]
fn the_contracts_example_form_parses_and_reads_back_as_stored() {
    let e = event_with(contract_questions()).unwrap();
    assert_eq!(e.questions.len(), 5);
    assert_eq!(
        e.questions[0].label.in_language(Language::Fr),
        "Participerez-vous aussi ?"
    );
    assert_eq!(e.questions[1].label.in_language(Language::Ar), "Your role");
    let back: Event = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
    assert_eq!(back, e);
    assert_eq!(
        serde_json::to_value(&e.questions).unwrap(),
        contract_questions()
    );
}

#[test]
fn every_bad_question_field_is_named_with_dots() {
    let errs = event_with(json!([
        {"id": "sg", "kind": "boolean", "label": {"en": "SG"}},
        {"id": "role", "kind": "choice", "label": {"en": "Role"},
         "options": [{"id": "a", "label": {"en": "A"}}, {"id": "a", "label": {"fr": "B"}}]},
        {"id": "role", "kind": "essay", "label": {"en": "x"}},
        {"id": "Bad Id", "kind": "choice", "label": {}},
        {"id": "t", "kind": "text", "label": {"en": "T", "de": "T"}, "max_length": 5000,
         "options": [], "shown_if": {"question": "later", "equals": true}},
        {"id": "b", "kind": "boolean", "label": {"en": "B"}, "max_length": 3,
         "shown_if": {"question": "sg", "equals": "zzz"}},
        {"id": "c", "kind": "choices", "label": {"en": "C"}, "options": [],
         "shown_if": {"question": "c", "equals": "x"}},
        {"id": "later", "kind": "boolean", "label": {"en": "L"}, "surprise": 1}
    ]))
    .unwrap_err();
    assert_eq!(
        named(&errs),
        [
            "questions.1.options.1.id",
            "questions.1.options.1.label.en",
            "questions.2.id",
            "questions.2.kind",
            "questions.3.id",
            "questions.3.label.en",
            "questions.3.options",
            "questions.4.label.de",
            "questions.4.max_length",
            "questions.4.options",
            "questions.4.shown_if.question",
            "questions.5.max_length",
            "questions.5.shown_if.equals",
            "questions.6.options",
            "questions.6.shown_if.question",
            "questions.7.surprise",
        ]
    );
}

#[test]
fn a_form_has_at_most_thirty_questions_of_at_most_fifty_options() {
    let q = |i: usize| json!({"id": format!("q{i}"), "kind": "boolean", "label": {"en": "Q"}});
    let thirty: Vec<Value> = (0..30).map(q).collect();
    assert!(event_with(json!(thirty)).is_ok());
    let more: Vec<Value> = (0..31).map(q).collect();
    assert_eq!(named(&event_with(json!(more)).unwrap_err()), ["questions"]);
    let options = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": format!("o{i}"), "label": {"en": "O"}}))
            .collect()
    };
    let choice =
        |n| json!([{"id": "c", "kind": "choice", "label": {"en": "C"}, "options": options(n)}]);
    assert!(event_with(choice(50)).is_ok());
    assert_eq!(
        named(&event_with(choice(51)).unwrap_err()),
        ["questions.0.options"]
    );
    let long = "x".repeat(MAX_LABEL + 1);
    let errs = event_with(json!([{"id": "c", "kind": "text", "label": {"en": long}}])).unwrap_err();
    assert_eq!(named(&errs), ["questions.0.label.en"]);
}

#[test]
fn a_good_set_of_answers_is_kept_and_an_empty_text_is_no_answer() {
    let e = event_with(contract_questions()).unwrap();
    let a = answers(
        &e.questions,
        json!({"sg12": true, "role": "other", "role_other": "Researcher",
               "topics": ["qoe", "qos"], "remarks": "  "}),
    )
    .unwrap();
    assert_eq!(a.get("sg12"), Some(&Answer::Flag(true)));
    assert_eq!(a.get("role_other"), Some(&Answer::One("Researcher".into())));
    assert_eq!(
        a.get("topics"),
        Some(&Answer::Many(vec!["qoe".into(), "qos".into()]))
    );
    assert_eq!(a.get("remarks"), None);
}

#[test]
fn every_bad_answer_is_named_after_its_question() {
    let e = event_with(contract_questions()).unwrap();
    let q = &e.questions;
    assert_eq!(answers(q, json!({})).unwrap_err(), ["answers.role"]);
    assert_eq!(answers(q, json!(null)).unwrap_err(), ["answers.role"]);
    assert_eq!(answers(q, json!([1])).unwrap_err(), ["answers"]);
    let mut bad = answers(
        q,
        json!({"sg12": "yes", "role": "regulator", "role_other": "x", "topics": ["qos", "qos"],
               "remarks": "y".repeat(2001), "who": 1}),
    )
    .unwrap_err();
    bad.sort();
    assert_eq!(
        bad,
        [
            "answers.remarks",
            "answers.role_other",
            "answers.sg12",
            "answers.topics",
            "answers.who"
        ]
    );
    // A condition met makes its question required; an unknown option says nothing of it.
    assert_eq!(
        answers(q, json!({"role": "other"})).unwrap_err(),
        ["answers.role_other"]
    );
    assert_eq!(
        answers(q, json!({"role": "boss", "role_other": "x"})).unwrap_err(),
        ["answers.role"]
    );
    assert_eq!(
        answers(q, json!({"role": "other", "role_other": "a\nb"})).unwrap_err(),
        ["answers.role_other"]
    );
}

#[test]
fn a_required_boolean_takes_false_and_a_required_list_needs_one_option() {
    let e = event_with(json!([
        {"id": "b", "kind": "boolean", "required": true, "label": {"en": "B"}},
        {"id": "l", "kind": "choices", "required": true, "label": {"en": "L"},
         "options": [{"id": "x", "label": {"en": "X"}}]},
        {"id": "after", "kind": "text", "label": {"en": "A"}, "shown_if": {"question": "b", "equals": false}}
    ]))
    .unwrap();
    assert!(answers(&e.questions, json!({"b": false, "l": ["x"], "after": "ok"})).is_ok());
    let mut bad = answers(&e.questions, json!({"b": true, "l": [], "after": "no"})).unwrap_err();
    bad.sort();
    assert_eq!(bad, ["answers.after", "answers.l"]);
}

fn q(v: Value) -> Question {
    event_with(json!([v])).unwrap().questions.remove(0)
}

#[test]
fn a_removed_question_and_a_removed_option_are_remembered_under_their_last_label() {
    let role = q(
        json!({"id": "role", "kind": "choice", "label": {"en": "Role"},
        "options": [{"id": "a", "label": {"en": "A"}}, {"id": "b", "label": {"en": "B"}}]}),
    );
    let sg12 = q(json!({"id": "sg12", "kind": "boolean", "label": {"en": "SG12?"}}));
    let role2 = q(
        json!({"id": "role", "kind": "choice", "label": {"en": "Your role"},
        "options": [{"id": "a", "label": {"en": "A, renamed"}}]}),
    );
    let past = remembered(
        &[role.clone(), sg12.clone()],
        &[],
        std::slice::from_ref(&role2),
    );
    let asked = Asked {
        current: std::slice::from_ref(&role2),
        past: &past,
    };
    let cols: Vec<&str> = asked.all().map(|q| q.label.english()).collect();
    assert_eq!(cols, ["Your role", "SG12?"]);
    assert_eq!(asked.option_label("role", "a"), Some("A, renamed"));
    assert_eq!(asked.option_label("role", "b"), Some("B"));
    // Asking it again forgets nothing the next edit still needs.
    let again = remembered(
        std::slice::from_ref(&role2),
        &past,
        std::slice::from_ref(&role),
    );
    assert_eq!(
        again.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
        ["sg12"]
    );
    assert_eq!(
        changed_kinds(
            &[role],
            &past,
            &[q(
                json!({"id": "sg12", "kind": "text", "label": {"en": "x"}})
            )]
        )
        .len(),
        1
    );
}

#[test]
fn new_answers_replace_those_to_current_questions_and_keep_the_rest() {
    let sg12 = q(json!({"id": "sg12", "kind": "boolean", "label": {"en": "SG12?"}}));
    let old = Answers(
        [
            ("sg12".to_owned(), Answer::Flag(true)),
            ("gone".to_owned(), Answer::One("x".into())),
        ]
        .into(),
    );
    let new = old.replaced(std::slice::from_ref(&sg12), Answers::default());
    assert_eq!(new.0.keys().collect::<Vec<_>>(), ["gone"]);
}
