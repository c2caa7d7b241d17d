//! Property tests of the CSV export: for any registrants' text, the file reads back with the `csv`
//! crate to the same cells, except that a cell a spreadsheet would run as a formula comes back
//! with a leading apostrophe, so no cell of the file starts a formula. Runs proptest's default
//! 256 cases here; `scripts/fuzz.sh` runs many more (see TESTING.md).

use jiff::Timestamp;
use plenary::domain::{
    Category, CountryCode, Email, EventId, JoinUse, Language, Line, NotificationChoices, Paragraph,
    Person, Registration, Status,
};
use plenary_organiser::to_csv;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

const HEADER: [&str; 17] = [
    "id",
    "status",
    "email",
    "given_name",
    "family_name",
    "country",
    "organisation",
    "category",
    "language",
    "accessibility_needs",
    "reminders",
    "programme_changes",
    "created_at",
    "confirmed_at",
    "join_link_uses",
    "join_link_first_used_at",
    "join_link_last_used_at",
];

/// What a spreadsheet runs as a formula when a cell starts with it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Characters that matter to CSV or spreadsheets and multi-byte ones; letters weigh most.
const CHARS: &[char] = &[
    'a',
    'b',
    'c',
    'd',
    'e',
    'f',
    'g',
    'h',
    'i',
    'j',
    'k',
    'l',
    'm',
    'n',
    'o',
    'p',
    'q',
    'r',
    's',
    't',
    'u',
    'v',
    'w',
    'x',
    'y',
    'z',
    ' ',
    '"',
    '\'',
    ',',
    ';',
    '=',
    '+',
    '-',
    '@',
    '\t',
    '\r',
    '\n',
    '|',
    '(',
    ')',
    '!',
    'é',
    '李',
    'ع',
    '\u{FEFF}',
    '\u{200B}',
    '\u{1F600}',
];

/// One character: from [`CHARS`] 15 times in 16, else any at all (one integer: cheap, and it
/// shrinks towards `a`).
fn cell_char() -> impl Strategy<Value = char> {
    any::<u32>().prop_map(|n| {
        if n % 16 != 15 {
            CHARS[(n as usize / 16) % CHARS.len()]
        } else {
            char::from_u32((n / 16) % 0x11_0000).unwrap_or('\u{FFFD}')
        }
    })
}

/// Text that often starts like a formula.
fn cell_text(max: usize) -> impl Strategy<Value = String> {
    (
        select(vec![
            "",
            "",
            "=",
            "+",
            "-",
            "@",
            "=HYPERLINK(\"http://x\",\"y\")",
            "'",
        ]),
        vec(cell_char(), 0..=max),
    )
        .prop_map(|(start, rest)| format!("{start}{}", String::from_iter(rest)))
}

/// A valid `Line`: [`cell_text`] with its controls made spaces and a letter at the end.
fn line<const MAX: usize>() -> impl Strategy<Value = Line<MAX>> {
    (cell_text(MAX / 2), "[a-z]").prop_filter_map("a valid line", |(s, x)| {
        let s: String = s
            .chars()
            .map(|c| {
                if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        Line::<MAX>::parse(&format!("{s}{x}")).ok()
    })
}

fn email() -> impl Strategy<Value = Email> {
    "[=+@a-z-][a-z0-9=+-]{0,12}@[a-z]{1,8}\\.[a-z]{2,4}"
        .prop_filter_map("a valid address", |s| Email::parse(&s).ok())
}

fn instant() -> impl Strategy<Value = Timestamp> {
    (0i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).unwrap())
}

fn person() -> impl Strategy<Value = Person> {
    (
        email(),
        line::<100>(),
        line::<100>(),
        line::<200>(),
        proptest::option::of(cell_text(200).prop_filter_map("a valid paragraph", |s| {
            let s: String = s
                .chars()
                .map(|c| {
                    if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
                        ' '
                    } else {
                        c
                    }
                })
                .collect();
            Paragraph::parse(&s).ok()
        })),
    )
        .prop_map(
            |(email, given_name, family_name, organisation, accessibility_needs)| Person {
                email,
                given_name,
                family_name,
                organisation,
                accessibility_needs,
            },
        )
}

fn registration() -> impl Strategy<Value = Registration> {
    (
        "[0-9A-HJKMNP-TV-Z]{26}",
        select(Status::ALL.to_vec()),
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
                id,
                event_id: EventId::parse("ws").unwrap(),
                status,
                person,
                country: CountryCode::parse(country).unwrap(),
                category,
                language,
                notifications: NotificationChoices {
                    reminders,
                    programme_changes,
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
            },
        )
}

/// The cells of `r`'s row as the organiser means them, before any neutralising.
fn cells(r: &Registration) -> Vec<String> {
    let p = r.person.as_ref();
    let t = |t: Option<Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
    vec![
        r.id.clone(),
        r.status.code().to_owned(),
        p.map(|p| p.email.to_string()).unwrap_or_default(),
        p.map(|p| p.given_name.to_string()).unwrap_or_default(),
        p.map(|p| p.family_name.to_string()).unwrap_or_default(),
        r.country.to_string(),
        p.map(|p| p.organisation.to_string()).unwrap_or_default(),
        r.category.code().to_owned(),
        r.language.code().to_owned(),
        p.and_then(|p| p.accessibility_needs.as_ref())
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        r.notifications.reminders.to_string(),
        r.notifications.programme_changes.to_string(),
        r.created_at.to_string(),
        t(r.confirmed_at),
        r.join_use.count.to_string(),
        t(r.join_use.first_used_at),
        t(r.join_use.last_used_at),
    ]
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
        prop_assert_eq!(&rows[0], &HEADER.map(str::to_owned).to_vec());
        for (row, r) in rows[1..].iter().zip(&registrations) {
            let sent = cells(r);
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
