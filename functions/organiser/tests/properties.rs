//! Property tests of the CSV export: for any registrants' text, the file reads back with the `csv`
//! crate to the same cells, except that each piece of a cell a spreadsheet would run as a formula
//! (at the start, or after a `,`, `;` or tab it may split the line on) comes back with an
//! apostrophe before it, so no piece of the file starts a formula. Runs proptest's default
//! 256 cases here; `scripts/fuzz.sh` runs many more (see TESTING.md).

// The generators of the shared crate's property tests: test code has no crate to share it from.
#[allow(dead_code)]
#[path = "../../../shared/tests/properties/strategies.rs"]
mod strategies;

use plenary::domain::{
    Asked, Category, CountryCode, Email, EventId, JoinUse, Language, Line, NotificationChoices,
    Paragraph, Person, Registration, RegistrationId, Status,
};
use plenary_organiser::{CSV_COLUMNS, Export, csv_cells, export, to_csv};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use strategies::{email, instant, line, paragraph};

/// What a spreadsheet runs as a formula when a cell starts with it, fullwidth forms and the pipe
/// included.
const FORMULA_STARTS: [char; 11] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '|',
];

/// Where a spreadsheet that ignores the quotes may split a line or the file.
const SEPARATORS: [char; 5] = [',', ';', '\t', '\n', '\r'];

/// The cell as the export should write it: an apostrophe before a formula character that starts
/// the cell or a piece after a separator (spaces before it skipped).
fn neutralised(sent: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in sent.chars() {
        if start && FORMULA_STARTS.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        start = SEPARATORS.contains(&c) || (start && c == ' ');
    }
    out
}

/// Whether some piece of `cell`, split at any separator and with leading spaces skipped, starts
/// with a formula character.
fn runs_a_formula(cell: &str) -> bool {
    cell.split(SEPARATORS)
        .any(|piece| piece.trim_start_matches(' ').starts_with(FORMULA_STARTS))
}

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
        "\u{FF1D}",
        "|",
        "Ada;=1+1;",
        "x, +",
        "x,=",
        "x; \u{FF20}",
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
                    days: first_used_at
                        .into_iter()
                        .chain(last_used_at)
                        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect(),
                },
                unsubscribed_at: None,
                calendar_feed: false,
                calendar_generation: 0,
                unsubscribed_from: None,
                token_keys: Default::default(),
                participation: None,
            },
        )
}

proptest! {
    #[test]
    fn the_export_written_a_page_at_a_time_is_the_export_written_at_once(
        registrations in vec(registration(), 0..12),
        page in 1usize..5,
    ) {
        let asked = Asked { current: &[], past: &[] };
        let mut paged = Export::new(&asked, false, Vec::new()).unwrap();
        for chunk in registrations.chunks(page) {
            paged.rows(chunk).unwrap();
        }
        let paged = String::from_utf8(paged.finish().unwrap()).unwrap();
        prop_assert_eq!(paged, export(&asked, false, &registrations).unwrap());
    }

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
                prop_assert_eq!(read, &neutralised(sent));
                prop_assert!(!read.starts_with(FORMULA_STARTS), "a formula: {:?}", read);
                prop_assert!(!runs_a_formula(read), "a formula after a separator: {:?}", read);
            }
        }
    }
}
