//! Property tests of the CSV export: for any registrants' text, the file reads back with the `csv`
//! crate to the same cells, except that a cell a spreadsheet would run as a formula comes back
//! with a leading apostrophe, so no cell of the file starts a formula. Runs proptest's default
//! 256 cases here; `scripts/fuzz.sh` runs many more (see TESTING.md).

// The generators of the shared crate's property tests: test code has no crate to share it from.
#[allow(dead_code)]
#[path = "../../../shared/tests/properties/strategies.rs"]
mod strategies;

use plenary::domain::{
    Category, CountryCode, Email, EventId, JoinUse, Language, Line, NotificationChoices, Paragraph,
    Person, Registration, RegistrationId, Status,
};
use plenary_organiser::{CSV_COLUMNS, csv_cells, to_csv};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use strategies::{email, instant, line, paragraph};

/// What a spreadsheet runs as a formula when a cell starts with it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// How a cell often begins: like a formula, or with the apostrophe that neutralising adds.
fn start() -> impl Strategy<Value = &'static str> {
    select(vec![
        "",
        "",
        "=",
        "+",
        "-",
        "@",
        "=HYPERLINK(\"http://x\",\"y\")",
        "'",
    ])
}

fn person() -> impl Strategy<Value = Person> {
    (
        (select(vec!["", "=", "+", "-"]), email()),
        (start(), line(60)),
        (start(), line(60)),
        (start(), line(160)),
        proptest::option::of((start(), paragraph(200))),
    )
        .prop_map(|(email, given, family, organisation, needs)| {
            let join = |(start, s): (&str, String)| format!("{start}{s}");
            Person {
                // Dot-atom local parts may start with `=`, `+` or `-`.
                email: Email::parse(&join(email)).unwrap(),
                given_name: Line::parse(&join(given)).unwrap(),
                family_name: Line::parse(&join(family)).unwrap(),
                organisation: Line::parse(&join(organisation)).unwrap(),
                accessibility_needs: needs.map(|n| Paragraph::parse(&join(n)).unwrap()),
                answers: Default::default(),
            }
        })
}

fn registration() -> impl Strategy<Value = Registration> {
    (
        "[0-9A-HJKMNP-TV-Z]{26}",
        select(Status::ALL.to_vec()),
        // None: an erased registration.
        proptest::option::of(person()),
        select(vec!["CH", "KE", "GB", "BR", "CN", "EG"]),
        select(Category::ALL.to_vec()),
        select(Language::ALL.to_vec()),
        any::<(bool, bool)>(),
        (instant(), proptest::option::of(instant())),
        (
            any::<u64>(),
            proptest::option::of(instant()),
            proptest::option::of(instant()),
        ),
    )
        .prop_map(
            |(
                id,
                status,
                person,
                country,
                category,
                language,
                (reminders, programme_changes),
                (created_at, confirmed_at),
                (count, first_used_at, last_used_at),
            )| Registration {
                id: RegistrationId::parse(&id).unwrap(),
                event_id: EventId::parse("ws").unwrap(),
                status,
                person,
                country: CountryCode::parse(country).unwrap(),
                category,
                language,
                notifications: NotificationChoices {
                    reminders,
                    programme_changes,
                    announcements: true,
                },
                created_at,
                updated_at: created_at,
                confirm_by: None,
                confirmed_at,
                waitlist_ticket: None,
                join_generation: 0,
                join_use: JoinUse {
                    count,
                    first_used_at,
                    last_used_at,
                },
                unsubscribed_at: None,
                calendar_feed: false,
                calendar_generation: 0,
                unsubscribed_from: None,
                participation: None,
            },
        )
}

proptest! {
    #[test]
    fn the_csv_reads_back_as_the_registrations_with_formulas_neutralised(
        registrations in vec(registration(), 0..8),
    ) {
        let csv = to_csv(&registrations).unwrap();
        let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark first");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        prop_assert_eq!(rows.len(), registrations.len() + 1);
        prop_assert_eq!(&rows[0], &CSV_COLUMNS.map(str::to_owned).to_vec());
        for (row, r) in rows[1..].iter().zip(&registrations) {
            let sent = csv_cells(r);
            prop_assert_eq!(row.len(), sent.len());
            for (read, sent) in row.iter().zip(&sent) {
                if sent.starts_with(FORMULA_STARTS) {
                    prop_assert_eq!(read, &format!("'{sent}"));
                } else {
                    prop_assert_eq!(read, sent);
                }
                prop_assert!(!read.starts_with(FORMULA_STARTS), "a formula: {:?}", read);
            }
        }
    }
}
