//! What a reader of the public programme may ask for beyond the latest version.

use crate::domain::{FieldError, FieldErrors};

/// The versions a change list spans: from `from` (0 is "before the first publication") to `to`
/// (the latest when absent), with `from` at most `to` and `to` a published version.
pub fn change_range(from: u32, to: Option<u32>, latest: u32) -> Result<(u32, u32), FieldErrors> {
    let to = to.unwrap_or(latest);
    let mut errors = Vec::new();
    if to > latest || to == 0 {
        errors.push(FieldError {
            field: "to".to_owned(),
            message: format!("must be from 1 to {latest}"),
        });
    }
    if from > to {
        errors.push(FieldError {
            field: "from".to_owned(),
            message: format!("must be at most {to}"),
        });
    }
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(FieldErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_list_runs_forward_within_the_published_versions() {
        assert_eq!(change_range(0, None, 3), Ok((0, 3)));
        assert_eq!(change_range(1, Some(2), 3), Ok((1, 2)));
        assert_eq!(change_range(2, Some(2), 3), Ok((2, 2)));
        let fields = |r: Result<(u32, u32), FieldErrors>| {
            r.unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(change_range(3, Some(2), 3)), ["from"]);
        assert_eq!(fields(change_range(0, Some(4), 3)), ["to"]);
        assert_eq!(fields(change_range(5, Some(0), 3)), ["to", "from"]);
    }
}
