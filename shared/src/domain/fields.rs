//! Parsing a JSON object field by field, collecting every problem instead of stopping at the
//! first, so a client hears about all of its mistakes in one 400.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The request's own field name, dotted when nested (`notifications.reminders`), with an index
    /// for list items (`sessions[2].starts_at`).
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// A cursor over one JSON object. Unknown fields are reported when it is made.
#[derive(Debug)]
pub struct Fields<'a> {
    obj: Option<&'a Map<String, Value>>,
    prefix: String,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Reads `value` as an object whose fields must all be in `allowed`.
    pub fn of(value: &'a Value, allowed: &[&str]) -> Self {
        Self::at(value, String::new(), allowed)
    }

    fn at(value: &'a Value, prefix: String, allowed: &[&str]) -> Self {
        let mut me = Self {
            obj: None,
            prefix,
            errors: Vec::new(),
        };
        match value {
            Value::Object(obj) => {
                me.obj = Some(obj);
                for key in obj.keys() {
                    if !allowed.contains(&key.as_str()) {
                        let name = me.name(key);
                        me.errors.push(FieldError {
                            field: name,
                            message: "is not a known field".to_owned(),
                        });
                    }
                }
            }
            _ => {
                let field = if me.prefix.is_empty() {
                    "body".to_owned()
                } else {
                    me.prefix.clone()
                };
                me.errors.push(FieldError {
                    field,
                    message: "must be a JSON object".to_owned(),
                });
            }
        }
        me
    }

    fn name(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.obj?.get(field).filter(|v| !v.is_null())
    }

    /// The value of `field` as sent (`None` when absent or null), for a parser that reads it
    /// whole and names its own problems.
    pub fn raw(&self, field: &str) -> Option<&'a Value> {
        self.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// Records a problem with `field` found by a check spanning several fields.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        let field = self.name(field);
        self.errors.push(FieldError {
            field,
            message: message.into(),
        });
    }

    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn required<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Option<T> {
        self.obj?;
        match self.get(field) {
            None => {
                self.error(field, "is required");
                None
            }
            Some(v) => self.take(field, parse(v)),
        }
    }

    /// Absent or `null` gives `None` with no error.
    pub fn optional<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Option<T> {
        self.get(field).and_then(|v| self.take(field, parse(v)))
    }

    fn take<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(t) => Some(t),
            Err(m) => {
                self.error(field, m);
                None
            }
        }
    }

    /// A nested object, read by `read`; its problems are named `field.inner`.
    pub fn object<T>(
        &mut self,
        field: &str,
        allowed: &[&str],
        required: bool,
        read: impl FnOnce(&mut Fields<'a>) -> Option<T>,
    ) -> Option<T> {
        let Some(v) = self.get(field) else {
            if required && self.obj.is_some() {
                self.error(field, "is required");
            }
            return None;
        };
        let mut inner = Fields::at(v, self.name(field), allowed);
        let out = if inner.obj.is_some() {
            read(&mut inner)
        } else {
            None
        };
        let clean = inner.errors.is_empty();
        self.errors.append(&mut inner.errors);
        out.filter(|_| clean)
    }

    /// A list of objects, each read by `read`; problems are named `field[i].inner`.
    pub fn list_of_objects<T>(
        &mut self,
        field: &str,
        allowed: &[&str],
        max_items: usize,
        mut read: impl FnMut(&mut Fields<'a>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let v = self.get(field)?;
        let Value::Array(items) = v else {
            self.error(field, "must be a list");
            return None;
        };
        if items.len() > max_items {
            self.error(field, format!("must have at most {max_items} items"));
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut clean = true;
        for (i, item) in items.iter().enumerate() {
            let mut inner = Fields::at(item, format!("{}[{i}]", self.name(field)), allowed);
            let got = if inner.obj.is_some() {
                read(&mut inner)
            } else {
                None
            };
            clean &= inner.errors.is_empty() && got.is_some();
            self.errors.append(&mut inner.errors);
            out.extend(got);
        }
        clean.then_some(out)
    }

    /// A list of objects like [`list_of_objects`](Self::list_of_objects), its problems named
    /// with dots (`field.2.inner`), as the newer parts of the contract name them; `read` is given
    /// each item's index.
    pub fn dotted_list<T>(
        &mut self,
        field: &str,
        allowed: &[&str],
        max_items: usize,
        mut read: impl FnMut(&mut Fields<'a>, usize) -> Option<T>,
    ) -> Option<Vec<T>> {
        let v = self.get(field)?;
        let Value::Array(items) = v else {
            self.error(field, "must be a list");
            return None;
        };
        if items.len() > max_items {
            self.error(field, format!("must have at most {max_items} items"));
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut clean = true;
        for (i, item) in items.iter().enumerate() {
            let mut inner = Fields::at(item, format!("{}.{i}", self.name(field)), allowed);
            let got = if inner.obj.is_some() {
                read(&mut inner, i)
            } else {
                None
            };
            clean &= inner.errors.is_empty() && got.is_some();
            self.errors.append(&mut inner.errors);
            out.extend(got);
        }
        clean.then_some(out)
    }

    /// Ends the reading: the value when every field was good, else every problem found.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, FieldErrors> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ if self.errors.is_empty() => Err(FieldErrors::one("body", "is not valid")),
            _ => Err(FieldErrors(self.errors)),
        }
    }
}

/// Small parsers for [`Fields`].
pub mod parse {
    use serde_json::Value;

    pub fn string(v: &Value) -> Result<&str, String> {
        v.as_str().ok_or_else(|| "must be a string".to_owned())
    }

    pub fn boolean(v: &Value) -> Result<bool, String> {
        v.as_bool()
            .ok_or_else(|| "must be true or false".to_owned())
    }

    pub fn whole_number(v: &Value, min: u64, max: u64) -> Result<u64, String> {
        match v.as_u64() {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!("must be a whole number from {min} to {max}")),
        }
    }

    pub fn list<'a, T>(
        v: &'a Value,
        max_items: usize,
        mut item: impl FnMut(&'a Value) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let items = v.as_array().ok_or_else(|| "must be a list".to_owned())?;
        if items.len() > max_items {
            return Err(format!("must have at most {max_items} items"));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, x)| item(x).map_err(|m| format!("item {}: {m}", i + 1)))
            .collect()
    }

    pub fn with<T, E: std::fmt::Display>(
        f: impl Fn(&str) -> Result<T, E> + Copy,
    ) -> impl Fn(&Value) -> Result<T, String> + Copy {
        move |v| string(v).and_then(|s| f(s).map_err(|e| e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_problem_is_reported_at_once_with_dotted_names() {
        let body = json!({"a": 1, "extra": true, "n": {"x": "y", "bad": 1}});
        let mut f = Fields::of(&body, &["a", "b", "n"]);
        let a = f.required("a", parse::string);
        let b = f.required("b", parse::string);
        let n = f.object("n", &["x"], true, |n| n.required("x", parse::boolean));
        let errs = f.finish(a.zip(b).zip(n)).unwrap_err();
        let names: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["extra", "a", "b", "n.bad", "n.x"]);
    }

    #[test]
    fn list_items_are_named_by_index() {
        let body = json!({"items": [{"k": "ok"}, {"k": 3}]});
        let mut f = Fields::of(&body, &["items"]);
        let items = f.list_of_objects("items", &["k"], 10, |i| {
            i.required("k", parse::string).map(str::to_owned)
        });
        let errs = f.finish(items).unwrap_err();
        assert_eq!(errs.0[0].field, "items[1].k");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_named_body() {
        let body = json!([1, 2]);
        let f = Fields::of(&body, &[]);
        let errs = f.finish(Some(())).unwrap_err();
        assert_eq!(errs.0[0].field, "body");
    }

    #[test]
    fn a_clean_object_gives_its_value() {
        let body = json!({"a": "x", "b": null});
        let mut f = Fields::of(&body, &["a", "b"]);
        let a = f.required("a", parse::string);
        let b = f.optional("b", parse::string);
        assert_eq!(f.finish(a.map(|a| (a, b))).unwrap(), ("x", None));
    }
}
