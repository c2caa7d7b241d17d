//! An event's registration form: the organiser's questions (`questions` of
//! `PUT /v1/admin/events/{id}`) and a registrant's answers to them (`answers` of the registration
//! body and of `PATCH /v1/registrations/me`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::closed_list;
use super::fields::parse;
use super::{Fields, Language, Line, Paragraph, Slug};

/// Questions one event asks at most.
pub const MAX_QUESTIONS: usize = 30;
/// Options one choice question offers at most.
pub const MAX_OPTIONS: usize = 50;
/// The longest label, of a question or an option.
pub const MAX_LABEL: usize = 300;
/// The longest `max_length` a one-line answer may be given, and its default.
pub const MAX_TEXT: u64 = 1_000;
pub const DEFAULT_TEXT: u32 = 200;
/// The same for a paragraph.
pub const MAX_PARAGRAPH: u64 = 10_000;
pub const DEFAULT_PARAGRAPH: u32 = 2_000;

closed_list! {
    /// What kind of answer a question takes.
    pub enum QuestionKind {
        Text => "text",
        Paragraph => "paragraph",
        Choice => "choice",
        Choices => "choices",
        Boolean => "boolean",
    }
}

impl QuestionKind {
    pub fn has_options(self) -> bool {
        matches!(self, Self::Choice | Self::Choices)
    }

    fn is_text(self) -> bool {
        matches!(self, Self::Text | Self::Paragraph)
    }
}

/// A label per language; English is always there and stands in for a missing language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Labels(BTreeMap<Language, Line<MAX_LABEL>>);

impl Labels {
    fn parse(f: &mut Fields<'_>, field: &str) -> Option<Self> {
        let codes = Language::ALL.map(Language::code);
        f.object(field, &codes, true, |l| {
            let mut out = BTreeMap::new();
            for lang in Language::ALL {
                let got = if lang == Language::En {
                    l.required(lang.code(), parse::with(Line::<MAX_LABEL>::parse))
                } else {
                    l.optional(lang.code(), parse::with(Line::<MAX_LABEL>::parse))
                };
                if let Some(t) = got {
                    out.insert(lang, t);
                }
            }
            out.contains_key(&Language::En).then_some(Self(out))
        })
    }

    /// The English label, which every label has.
    pub fn english(&self) -> &str {
        self.in_language(Language::En)
    }

    /// The label in `language`, else in English.
    pub fn in_language(&self, language: Language) -> &str {
        self.0
            .get(&language)
            .or_else(|| self.0.get(&Language::En))
            .map(Line::as_str)
            .unwrap_or_default()
    }

    pub fn languages(&self) -> impl Iterator<Item = (Language, &str)> {
        self.0.iter().map(|(l, t)| (*l, t.as_str()))
    }
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: Slug,
    pub label: Labels,
}

/// The answer a condition waits for: an option id of a choice question, or true or false.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    Flag(bool),
    Option(Slug),
}

/// `shown_if`: the question applies only when an earlier one was answered so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub question: Slug,
    pub equals: Expected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: Slug,
    pub kind: QuestionKind,
    pub required: bool,
    pub label: Labels,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Text questions only (the default is [`DEFAULT_TEXT`] or [`DEFAULT_PARAGRAPH`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_if: Option<Condition>,
}

/// The fields of one question in the event body.
pub const QUESTION_FIELDS: &[&str] = &[
    "id",
    "kind",
    "required",
    "label",
    "options",
    "max_length",
    "shown_if",
];

impl Question {
    pub fn option(&self, id: &str) -> Option<&Choice> {
        self.options.iter().find(|o| o.id.as_str() == id)
    }

    /// The longest answer a text question takes.
    pub fn text_limit(&self) -> u32 {
        match self.kind {
            QuestionKind::Paragraph => self.max_length.unwrap_or(DEFAULT_PARAGRAPH),
            _ => self.max_length.unwrap_or(DEFAULT_TEXT),
        }
    }

    fn option_ids(&self) -> String {
        self.options
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads one answer to this question; `None` for an empty text, which is no answer.
    fn answer(&self, v: &Value) -> Result<Option<Answer>, String> {
        let known = |id: &str| {
            self.option(id).map(|_| id.to_owned()).ok_or_else(|| {
                format!(
                    "{id:?} is not an option of this question; one of {}",
                    self.option_ids()
                )
            })
        };
        match self.kind {
            QuestionKind::Text | QuestionKind::Paragraph => {
                let s = parse::string(v)?;
                if s.trim().is_empty() {
                    return Ok(None);
                }
                let text = if self.kind == QuestionKind::Text {
                    Line::<{ MAX_TEXT as usize }>::parse(s).map(String::from)
                } else {
                    Paragraph::<{ MAX_PARAGRAPH as usize }>::parse(s).map(String::from)
                }
                .map_err(|m| {
                    if m.starts_with("must be at most") {
                        format!("must be at most {} characters", self.text_limit())
                    } else {
                        m
                    }
                })?;
                let limit = self.text_limit();
                if text.chars().count() > limit as usize {
                    return Err(format!("must be at most {limit} characters"));
                }
                Ok(Some(Answer::One(text)))
            }
            QuestionKind::Choice => {
                let s = parse::string(v)
                    .map_err(|_| format!("must be one option id: {}", self.option_ids()))?;
                Ok(Some(Answer::One(known(s)?)))
            }
            QuestionKind::Choices => {
                let items = v.as_array().ok_or_else(|| {
                    format!("must be a list of option ids: {}", self.option_ids())
                })?;
                let mut ids: Vec<String> = Vec::with_capacity(items.len());
                for item in items {
                    let s = item.as_str().ok_or_else(|| {
                        format!("must be a list of option ids: {}", self.option_ids())
                    })?;
                    let id = known(s)?;
                    if ids.contains(&id) {
                        return Err(format!("names {id:?} twice"));
                    }
                    ids.push(id);
                }
                if ids.is_empty() && self.required {
                    return Err("must name at least one option".to_owned());
                }
                Ok((!ids.is_empty()).then_some(Answer::Many(ids)))
            }
            QuestionKind::Boolean => parse::boolean(v).map(|b| Some(Answer::Flag(b))),
        }
    }

    /// Whether `answer`, given to the question this one's condition names, meets it.
    fn is_met_by(&self, answer: Option<&Answer>) -> bool {
        let Some(c) = &self.shown_if else {
            return true;
        };
        match (&c.equals, answer) {
            (Expected::Flag(want), Some(Answer::Flag(got))) => want == got,
            (Expected::Option(want), Some(Answer::One(got))) => want.as_str() == got,
            _ => false,
        }
    }

    fn condition_text(&self) -> String {
        match &self.shown_if {
            Some(Condition {
                question,
                equals: Expected::Flag(b),
            }) => format!("{question} is {b}"),
            Some(Condition {
                question,
                equals: Expected::Option(o),
            }) => format!("{question} is {o}"),
            None => String::new(),
        }
    }
}

/// Reads `questions` of the event body: every problem named `questions.<index>.<field>`.
pub(crate) fn questions(f: &mut Fields<'_>) -> Vec<Question> {
    let mut earlier: Vec<Question> = Vec::new();
    // Ids of every earlier question, good or not: a bad one is still taken, and a condition on
    // it is not reported again.
    let mut ids: Vec<Slug> = Vec::new();
    let read = f.dotted_list("questions", QUESTION_FIELDS, MAX_QUESTIONS, |q, _| {
        let id = q.required("id", parse::with(Slug::parse));
        if let Some(id) = &id {
            if ids.contains(id) {
                q.error("id", format!("{id} is the id of another question"));
            }
            ids.push(id.clone());
        }
        let kind = q.required("kind", parse::with(QuestionKind::parse));
        let required = q.optional("required", parse::boolean).unwrap_or(false);
        let label = Labels::parse(q, "label");
        let options = match kind {
            Some(k) if k.has_options() => {
                if !q.has("options") {
                    q.error("options", format!("a {k} question needs options"));
                }
                options(q)
            }
            Some(k) if q.has("options") => {
                q.error("options", format!("a {k} question has no options"));
                Some(Vec::new())
            }
            _ => Some(Vec::new()),
        };
        let max_length = match kind {
            Some(QuestionKind::Text) => q.optional("max_length", |v| {
                parse::whole_number(v, 1, MAX_TEXT).map(|n| n as u32)
            }),
            Some(QuestionKind::Paragraph) => q.optional("max_length", |v| {
                parse::whole_number(v, 1, MAX_PARAGRAPH).map(|n| n as u32)
            }),
            Some(k) if q.has("max_length") => {
                q.error("max_length", format!("a {k} question has no max_length"));
                None
            }
            _ => None,
        };
        let shown_if = condition(q, &earlier, &ids, id.as_ref());
        let question = Question {
            id: id?,
            kind: kind?,
            required,
            label: label?,
            options: options?,
            max_length,
            shown_if: shown_if?,
        };
        earlier.push(question.clone());
        Some(question)
    });
    read.unwrap_or_default()
}

fn options(q: &mut Fields<'_>) -> Option<Vec<Choice>> {
    let mut seen: Vec<Slug> = Vec::new();
    q.dotted_list("options", &["id", "label"], MAX_OPTIONS, |o, _| {
        let id = o.required("id", parse::with(Slug::parse));
        if let Some(id) = &id {
            if seen.contains(id) {
                o.error("id", format!("{id} is the id of another option"));
            }
            seen.push(id.clone());
        }
        let label = Labels::parse(o, "label");
        Some(Choice {
            id: id?,
            label: label?,
        })
    })
    .filter(|list| {
        if list.is_empty() {
            q.error("options", "must have at least one option");
        }
        !list.is_empty()
    })
}

/// `shown_if`: it names an earlier choice or boolean question and one of its answers. `Some(None)`
/// is no condition.
fn condition(
    q: &mut Fields<'_>,
    earlier: &[Question],
    ids: &[Slug],
    own: Option<&Slug>,
) -> Option<Option<Condition>> {
    if !q.has("shown_if") {
        return Some(None);
    }
    let named = q
        .raw("shown_if")
        .and_then(|c| c.get("question"))
        .and_then(Value::as_str);
    let bad_earlier = named.is_some_and(|n| {
        !earlier.iter().any(|e| e.id.as_str() == n)
            && ids.iter().any(|i| i.as_str() == n)
            && own.is_none_or(|o| o.as_str() != n)
    });
    if bad_earlier {
        // That question's own problems are reported; this condition cannot be checked.
        return None;
    }
    q.object("shown_if", &["question", "equals"], false, |c| {
        let target = c.required("question", |v| {
            let id = parse::string(v)?;
            let found = earlier.iter().find(|e| e.id.as_str() == id);
            match found {
                Some(e) if matches!(e.kind, QuestionKind::Choice | QuestionKind::Boolean) => Ok(e),
                Some(e) => Err(format!(
                    "{id} is a {} question; a condition names a choice or boolean question",
                    e.kind
                )),
                None if own.is_some_and(|o| o.as_str() == id) => {
                    Err("a question cannot depend on itself".to_owned())
                }
                None => Err(format!("{id:?} is not the id of an earlier question")),
            }
        });
        let equals = match target {
            Some(t) => c.required("equals", |v| match (t.kind, v) {
                (QuestionKind::Boolean, Value::Bool(b)) => Ok(Expected::Flag(*b)),
                (QuestionKind::Boolean, _) => Err(format!("{} is answered true or false", t.id)),
                (_, v) => v
                    .as_str()
                    .and_then(|s| t.option(s))
                    .map(|o| Expected::Option(o.id.clone()))
                    .ok_or_else(|| format!("must be an option of {}: {}", t.id, t.option_ids())),
            }),
            None => {
                // Without a question to check it against, only its presence is known.
                if !c.has("equals") {
                    c.error("equals", "is required");
                }
                None
            }
        };
        Some(Condition {
            question: target?.id.clone(),
            equals: equals?,
        })
    })
    .map(Some)
}

/// One stored answer: an option id or a text (`One`), option ids (`Many`) or yes/no (`Flag`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Flag(bool),
    Many(Vec<String>),
    One(String),
}

impl Answer {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A registrant's answers by question id, checked against the questions they answer. Answers
/// to questions the organiser later removed are kept as they were.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(pub BTreeMap<String, Answer>);

impl Answers {
    pub fn get(&self, question: &str) -> Option<&Answer> {
        self.0.get(question)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Answer)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Reads `answers` of a body against `questions`, every problem named `answers.<id>` in
    /// `f`. Absent or null is answering nothing, so required questions that apply are missing.
    pub(crate) fn parse(f: &mut Fields<'_>, questions: &[Question]) -> Option<Self> {
        let empty = serde_json::Map::new();
        let given = match f.raw("answers") {
            None => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => {
                f.error("answers", "must be a JSON object of answers by question id");
                return None;
            }
        };
        let mut clean = true;
        let mut error = |f: &mut Fields<'_>, id: &str, m: String| {
            clean = false;
            f.error(&format!("answers.{id}"), m);
        };
        for id in given.keys() {
            if !questions.iter().any(|q| q.id.as_str() == id) {
                error(f, id, "is not a question of this event".to_owned());
            }
        }
        // Whether each question applies: `None` when it depends on an answer that was bad, so
        // nothing is said about it beyond its own value.
        let mut applies: BTreeMap<&str, Option<bool>> = BTreeMap::new();
        let mut out = BTreeMap::new();
        for q in questions {
            let id = q.id.as_str();
            let applying = match &q.shown_if {
                None => Some(true),
                Some(c) => match applies.get(c.question.as_str()).copied().flatten() {
                    None => None,
                    Some(false) => Some(false),
                    Some(true) if given_bad(&out, given, c.question.as_str()) => None,
                    Some(true) => Some(q.is_met_by(out.get(c.question.as_str()))),
                },
            };
            let raw = given.get(id).filter(|v| !v.is_null());
            let answer = match raw.map(|v| q.answer(v)) {
                None => None,
                Some(Ok(a)) => a,
                Some(Err(m)) => {
                    error(f, id, m);
                    applies.insert(id, applying);
                    continue;
                }
            };
            match (applying, answer) {
                (Some(false), Some(_)) => error(
                    f,
                    id,
                    format!(
                        "must not be answered: it applies only when {}",
                        q.condition_text()
                    ),
                ),
                (Some(true), None) if q.required => error(f, id, "is required".to_owned()),
                (Some(true), Some(a)) => {
                    out.insert(id.to_owned(), a);
                }
                _ => {}
            }
            applies.insert(id, applying);
        }
        clean.then_some(Self(out))
    }

    /// These answers with the answers to `current` questions replaced by `fresh`; answers to
    /// questions no longer asked stay.
    pub fn replaced(&self, current: &[Question], fresh: Answers) -> Self {
        let mut kept: BTreeMap<String, Answer> = self
            .0
            .iter()
            .filter(|(id, _)| !current.iter().any(|q| q.id.as_str() == id.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        kept.extend(fresh.0);
        Self(kept)
    }
}

/// Whether the body answered `id` but the answer was refused (so it is not in `out`).
fn given_bad(
    out: &BTreeMap<String, Answer>,
    given: &serde_json::Map<String, Value>,
    id: &str,
) -> bool {
    !out.contains_key(id) && given.get(id).is_some_and(|v| !v.is_null())
}

/// The questions an event has asked: its current ones and what is remembered of earlier ones, so
/// a stored answer always finds a label. The current label wins; an option or question no longer
/// asked keeps its last.
pub struct Asked<'a> {
    pub current: &'a [Question],
    pub past: &'a [Question],
}

impl<'a> Asked<'a> {
    /// Every question with a column: the current ones in order, then the removed ones.
    pub fn all(&self) -> impl Iterator<Item = &'a Question> {
        let current = self.current;
        self.current.iter().chain(
            self.past
                .iter()
                .filter(move |p| !current.iter().any(|q| q.id == p.id)),
        )
    }

    pub fn question(&self, id: &str) -> Option<&'a Question> {
        self.all().find(|q| q.id.as_str() == id)
    }

    /// The English label of option `option` of question `question`.
    pub fn option_label(&self, question: &str, option: &str) -> Option<&'a str> {
        let find = |list: &'a [Question]| {
            list.iter()
                .find(|q| q.id.as_str() == question)
                .and_then(|q| q.option(option))
                .map(|o| o.label.english())
        };
        find(self.current).or_else(|| find(self.past))
    }

    /// An answer as a spreadsheet cell: options by their English label, yes/no as true/false.
    pub fn cell(&self, question: &Question, answer: &Answer) -> String {
        let label = |o: &str| {
            self.option_label(question.id.as_str(), o)
                .unwrap_or(o)
                .to_owned()
        };
        match answer {
            Answer::Flag(b) => b.to_string(),
            Answer::One(s) if question.kind.is_text() => s.clone(),
            Answer::One(o) => label(o),
            Answer::Many(list) => list.iter().map(|o| label(o)).collect::<Vec<_>>().join("; "),
        }
    }
}

/// What is remembered of questions after `old` (the questions as they were, and what was
/// remembered then) are replaced by `new`: the last version of each question no longer asked,
/// and of each option no longer offered (under its question).
pub fn remembered(
    old_current: &[Question],
    old_past: &[Question],
    new: &[Question],
) -> Vec<Question> {
    // Everything known before this edit, the newer version first.
    let mut known: Vec<Question> = Vec::new();
    for q in old_current.iter().chain(old_past) {
        match known.iter_mut().find(|k| k.id == q.id) {
            None => known.push(q.clone()),
            Some(k) => {
                for o in &q.options {
                    if k.option(o.id.as_str()).is_none() {
                        k.options.push(o.clone());
                    }
                }
            }
        }
    }
    known
        .into_iter()
        .filter_map(|mut k| match new.iter().find(|n| n.id == k.id) {
            None => Some(k),
            Some(n) => {
                k.options.retain(|o| n.option(o.id.as_str()).is_none());
                (!k.options.is_empty()).then_some(k)
            }
        })
        .collect()
}

/// The kind each question id had before (a current or a remembered question), when it differs
/// from `new`'s: a question keeps its kind, so stored answers keep their meaning.
pub fn changed_kinds<'a>(
    old_current: &'a [Question],
    old_past: &'a [Question],
    new: &'a [Question],
) -> Vec<(usize, QuestionKind, QuestionKind)> {
    new.iter()
        .enumerate()
        .filter_map(|(i, n)| {
            old_current
                .iter()
                .chain(old_past)
                .find(|o| o.id == n.id && o.kind != n.kind)
                .map(|o| (i, o.kind, n.kind))
        })
        .collect()
}

#[cfg(test)]
mod tests;
