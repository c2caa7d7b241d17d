//! The notifications job in process, on both stores, under faults: a duplicate trigger, two
//! concurrent runs, a run stopped mid-fan-out and resumed, SES throttling and outages, bounces
//! from SNS, and real SES calls to the emulator.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use plenary::clock::ManualClock;
use plenary::domain::{Application, Event, EventId, Registration, RegistrationId, Status};
use plenary::mail::{LocalMailbox, MailError, Mailer, MessageKind};
use plenary::store::{
    Addressee, Change, EventWriter, MemoryTable, Notice, OutboxStore, RegistrationStore, Table,
    TableStore,
};
use plenary::wiring::Services;
use plenary_notifications::{App, pace::Pacer};
use plenary_tests::dynamo_fixture;
use serde_json::json;

macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod memory {
            use super::*;
            $( #[tokio::test] async fn $case() { super::$case(Kind::Memory).await } )*
        }
        mod dynamodb {
            use super::*;
            $( #[tokio::test] async fn $case() { super::$case(Kind::Dynamodb).await } )*
        }
    };
}

#[derive(Clone, Copy)]
enum Kind {
    Memory,
    Dynamodb,
}

on_both_stores!(
    a_flood_of_one_events_confirmations_leaves_another_events_reminder_its_time_in_the_same_run,
    a_flood_of_one_events_mail_holds_back_no_other_events_mail_queued_after_it,
    a_duplicate_trigger_sends_nothing_twice,
    two_concurrent_runs_send_each_reminder_once,
    a_fan_out_stopped_by_its_budget_resumes_where_it_stopped,
    throttling_waits_and_retries_and_loses_nothing,
    an_outage_is_retried_with_back_off_and_counted_failed_after_the_last_attempt,
    a_bounce_from_sns_suppresses_further_mail,
    a_claim_left_by_a_crashed_run_blocks_until_its_grace_period_ends,
    a_run_that_ends_with_work_left_asks_for_the_next_at_once_and_one_that_moved_nothing_does_not,
);

const START: &str = "2021-09-08T12:00:00Z";
/// The one-day reminder's moment.
const P1D: &str = "2021-09-07T12:00:00Z";

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn table(kind: Kind) -> Arc<dyn Table> {
    match kind {
        Kind::Memory => Arc::new(MemoryTable::new()),
        Kind::Dynamodb => Arc::new(dynamo_fixture::fresh_table("job").await),
    }
}

struct World {
    table: Arc<dyn Table>,
    store: TableStore,
    mailbox: Arc<LocalMailbox>,
    clock: Arc<ManualClock>,
    app: Arc<App>,
    event: Event,
}

async fn world(kind: Kind, mailer: Option<Arc<dyn Mailer>>) -> World {
    let table = table(kind).await;
    let store = TableStore::new(table.clone());
    let clock = Arc::new(ManualClock::at(at("2021-08-23T08:00:00Z")));
    let mailbox = Arc::new(LocalMailbox::new(None, clock.clone()));
    let event = Event::parse(
        EventId::parse("ws").unwrap(),
        &json!({"title": "Workshop", "timezone": "Europe/Zurich",
                "starts_at": START, "ends_at": "2021-09-08T14:30:00Z",
                "reminders": ["P1D"]}),
    )
    .unwrap();
    store.put_event(&event, clock.now()).await.unwrap();
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let mailer = mailer.unwrap_or_else(|| mailbox.clone());
    let app = App::new(
        &services,
        &plenary_tests::config(),
        mailer,
        Pacer::unlimited(),
    );
    let app = Arc::new(app.unwrap());
    World {
        table,
        store,
        mailbox,
        clock,
        app,
        event,
    }
}

/// `n` confirmed registrations, written directly (the registration rules are tested elsewhere).
async fn confirmed(w: &World, n: usize, domain: &str) {
    confirmed_in(w, &w.event, n, domain).await;
}

/// `n` confirmed registrations to `event`, returned.
async fn confirmed_in(w: &World, event: &Event, n: usize, domain: &str) -> Vec<Registration> {
    let mut out = Vec::new();
    for i in 0..n {
        let language = ["en", "fr", "es"][i % 3];
        let app = Application::parse(
            event,
            &json!({"email": format!("r{i}@{domain}"), "given_name": "R", "family_name": format!("{i}"),
                    "country": "CH", "organisation": "O", "category": "academia",
                    "language": language, "consent": true}),
        )
        .unwrap();
        let now = w.clock.now();
        let id = RegistrationId::parse(&format!("01J0000000000000000000{i:04}")).unwrap();
        let mut r = Registration::new(id, event.id.clone(), &app, now);
        r.status = Status::Confirmed;
        r.confirm_by = None;
        r.confirmed_at = Some(now);
        let mut ch = Change::new();
        ch.save(event, None, &r).unwrap();
        w.store.commit(ch).await.unwrap();
        out.push(r);
    }
    out
}

use plenary::Clock as _;

async fn run(w: &World, now: &str, budget: Duration) -> plenary_notifications::Report {
    plenary_notifications::run(&w.app, at(now), budget)
        .await
        .unwrap()
}

fn per_recipient(w: &World) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for msg in w.mailbox.messages() {
        *m.entry(msg.to.to_string()).or_default() += 1;
    }
    m
}

const LONG: Duration = Duration::from_secs(300);

async fn a_flood_of_one_events_confirmations_leaves_another_events_reminder_its_time_in_the_same_run(
    kind: Kind,
) {
    let w = world(kind, None).await;
    confirmed(&w, 3, "real.test").await;
    let flood = Event::parse(
        EventId::parse("flooded").unwrap(),
        &json!({"title": "Flooded", "timezone": "Europe/Zurich",
                "starts_at": START, "ends_at": "2021-09-08T14:30:00Z"}),
    )
    .unwrap();
    w.store.put_event(&flood, w.clock.now()).await.unwrap();
    // More confirmations than the run can send at the pace: 400 at 50 a second is 8 s, the run
    // has 2 s after its margin.
    let queued_at = w.clock.now();
    for r in confirmed_in(&w, &flood, 400, "flood.test").await {
        let notice = Notice::new(
            format!("N{}", r.id),
            MessageKind::Confirmation,
            Addressee::Registrant {
                event_id: flood.id.clone(),
                registration_id: r.id.clone(),
            },
            w.clock.now(),
        );
        w.store.queue(&notice).await.unwrap();
    }
    let services = Services::new(w.store.clone()).with_clock(w.clock.clone());
    let paced = App::new(
        &services,
        &plenary_tests::config(),
        w.mailbox.clone(),
        Pacer::new(50.0),
    )
    .unwrap();
    let report = plenary_notifications::run(&paced, at(P1D), Duration::from_secs(4))
        .await
        .unwrap();
    let kinds = |k: &str| report.sent.iter().filter(|s| s.kind == k).count();
    assert_eq!(kinds("reminder"), 3, "{:?}", report.sent.len());
    assert!(kinds("confirmation") > 0 && kinds("confirmation") < 400);
    assert!(report.more, "the flood's rest is left for the next run");
    // The backlog alarm's figure: how long the oldest message left has waited.
    assert_eq!(
        report.oldest_waiting_seconds,
        Some(at(P1D).duration_since(queued_at).as_secs())
    );
}

async fn a_flood_of_one_events_mail_holds_back_no_other_events_mail_queued_after_it(kind: Kind) {
    let w = world(kind, None).await;
    let flood = Event::parse(
        EventId::parse("flooded").unwrap(),
        &json!({"title": "Flooded", "timezone": "Europe/Zurich",
                "starts_at": START, "ends_at": "2021-09-08T14:30:00Z"}),
    )
    .unwrap();
    w.store.put_event(&flood, w.clock.now()).await.unwrap();
    let notice = |event: &EventId, id: String, r: &Registration| {
        Notice::new(
            id,
            MessageKind::ManageLink,
            Addressee::Registrant {
                event_id: event.clone(),
                registration_id: r.id.clone(),
            },
            w.clock.now(),
        )
    };
    // The flood first, then three people of another event: oldest first, they would wait
    // behind all 400.
    for r in confirmed_in(&w, &flood, 400, "flood.test").await {
        w.store
            .queue(&notice(&flood.id, format!("A{}", r.id), &r))
            .await
            .unwrap();
    }
    for r in confirmed_in(&w, &w.event, 3, "real.test").await {
        w.store
            .queue(&notice(&w.event.id, format!("B{}", r.id), &r))
            .await
            .unwrap();
    }
    let services = Services::new(w.store.clone()).with_clock(w.clock.clone());
    let paced = App::new(
        &services,
        &plenary_tests::config(),
        w.mailbox.clone(),
        Pacer::new(50.0),
    )
    .unwrap();
    // Before any reminder is due: only the outbox sends, about 100 in the 2 s after the margin.
    let report = plenary_notifications::run(&paced, w.clock.now(), Duration::from_secs(4))
        .await
        .unwrap();
    let of = |e: &str| {
        report
            .sent
            .iter()
            .filter(|s| s.event_id.as_deref() == Some(e))
            .count()
    };
    assert_eq!(of("ws"), 3, "{} sent", report.sent.len());
    assert!(of("flooded") > 0 && of("flooded") < 400);
    assert!(report.more);
}

async fn a_duplicate_trigger_sends_nothing_twice(kind: Kind) {
    let w = world(kind, None).await;
    confirmed(&w, 5, "dup.test").await;
    let first = run(&w, P1D, LONG).await;
    assert_eq!(first.sent.len(), 5);
    let again = run(&w, P1D, LONG).await;
    assert!(again.sent.is_empty());
    assert!(per_recipient(&w).values().all(|n| *n == 1));
}

async fn two_concurrent_runs_send_each_reminder_once(kind: Kind) {
    let w = world(kind, None).await;
    confirmed(&w, 12, "twice.test").await;
    let (a, b) = tokio::join!(run(&w, P1D, LONG), run(&w, P1D, LONG));
    assert_eq!(a.sent.len() + b.sent.len(), 12);
    let counts = per_recipient(&w);
    assert_eq!(counts.len(), 12);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
}

async fn a_fan_out_stopped_by_its_budget_resumes_where_it_stopped(kind: Kind) {
    let w = world(kind, None).await;
    confirmed(&w, 8, "resume.test").await;
    // A budget inside the safety margin: the run stops at once, saving its checkpoint.
    let stopped = run(&w, P1D, Duration::from_secs(2)).await;
    assert!(stopped.more);
    assert!(stopped.sent.len() < 8);
    let resumed = run(&w, P1D, LONG).await;
    assert_eq!(stopped.sent.len() + resumed.sent.len(), 8);
    assert!(per_recipient(&w).values().all(|n| *n == 1));
    assert_eq!(per_recipient(&w).len(), 8);
}

async fn throttling_waits_and_retries_and_loses_nothing(kind: Kind) {
    let w = world(kind, None).await;
    confirmed(&w, 6, "slow.test").await;
    w.mailbox.fail_next(
        3,
        MailError::Throttled {
            retry_after: Duration::from_millis(20),
        },
    );
    let r = run(&w, P1D, LONG).await;
    assert_eq!(r.sent.len(), 6);
    assert_eq!(r.retried, 3);
    assert!(per_recipient(&w).values().all(|n| *n == 1));
}

async fn an_outage_is_retried_with_back_off_and_counted_failed_after_the_last_attempt(kind: Kind) {
    let w = world(kind, None).await;
    confirmed(&w, 2, "down.test").await;
    // SES down during the fan-out: the run stops, the next one finishes.
    w.mailbox
        .fail_next(1, MailError::Unavailable("connection reset".into()));
    let first = run(&w, P1D, LONG).await;
    assert!(first.more && first.sent.is_empty());
    let second = run(&w, P1D, LONG).await;
    assert_eq!(second.sent.len(), 2);

    // A transactional notice that keeps failing is retried with back-off, then counted failed.
    let s = w
        .store
        .registration(
            &w.event.id,
            &RegistrationId::parse("01J00000000000000000000000").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let mut ch = Change::new();
    ch.notify(&plenary::store::Notice::new(
        "01J0NOTICE0000000000000000".into(),
        plenary::mail::MessageKind::ManageLink,
        plenary::store::Addressee::Registrant {
            event_id: w.event.id.clone(),
            registration_id: s.registration.id.clone(),
        },
        at(P1D),
    ))
    .unwrap();
    w.store.commit(ch).await.unwrap();
    let counts = w.store.mail_counts(&w.event.id).await.unwrap();
    assert_eq!(counts.queued, 1, "a committed notice is counted as waiting");
    w.mailbox
        .fail_next(100, MailError::Unavailable("still down".into()));
    let mut now = at(P1D);
    let mut failed = 0;
    for _ in 0..plenary_notifications::MAX_ATTEMPTS {
        let r = plenary_notifications::run(&w.app, now, LONG).await.unwrap();
        failed += r.failed;
        // Before its back-off ends, a notice is not tried again.
        let early = plenary_notifications::run(&w.app, now, LONG).await.unwrap();
        assert_eq!(early.retried + early.failed, 0);
        now = now
            .checked_add(jiff::SignedDuration::from_hours(2))
            .unwrap();
    }
    assert_eq!(failed, 1);
    let counts = w.store.mail_counts(&w.event.id).await.unwrap();
    assert_eq!(counts.failed, 1);
    assert_eq!(counts.queued, 0);
}

async fn a_bounce_from_sns_suppresses_further_mail(kind: Kind) {
    let w = world(kind, None).await;
    confirmed(&w, 2, "bounce.test").await;
    let message = json!({"notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "r0@bounce.test"}]},
        "mail": {}}).to_string();
    let sns = json!({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:us-east-1:1:t:1", "Sns": {"Type": "Notification",
        "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Subject": null,
        "Message": message, "Timestamp": "2021-09-01T00:00:00Z", "SignatureVersion": "1",
        "Signature": "s", "SigningCertUrl": "u", "UnsubscribeUrl": "u", "MessageAttributes": {}}}]});
    let out = plenary_notifications::triggers::handle(&w.app, sns, LONG)
        .await
        .unwrap();
    assert_eq!(out["suppressed"], 1);
    let r = run(&w, P1D, LONG).await;
    assert_eq!(r.sent.len(), 1);
    assert_eq!(r.suppressed, 1);
    assert!(per_recipient(&w).keys().all(|k| k != "r0@bounce.test"));
    assert_eq!(
        w.store.mail_counts(&w.event.id).await.unwrap().suppressed,
        1
    );
}

#[tokio::test]
async fn reminders_reach_the_ses_emulator_once_each() {
    let endpoint = dynamo_fixture::endpoint();
    let client = plenary::mail::ses_client(Some(&endpoint)).await;
    let sender = "events-job@plenary.test";
    client
        .verify_email_identity()
        .email_address(sender)
        .send()
        .await
        .unwrap();
    let ses: Arc<dyn Mailer> = Arc::new(plenary::mail::SesMailer::new(client, None));
    let mut w = world(Kind::Memory, Some(ses)).await;
    Arc::get_mut(&mut w.app).unwrap().sender = plenary::domain::Email::parse(sender).unwrap();
    let domain = format!("ses{}.test", std::process::id());
    confirmed(&w, 3, &domain).await;
    assert_eq!(run(&w, P1D, LONG).await.sent.len(), 3);
    assert!(run(&w, P1D, LONG).await.sent.is_empty());
    let data: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let raw = data["ses"].to_string();
    for i in 0..3 {
        assert!(
            raw.contains(&format!("r{i}@{domain}")),
            "r{i} not recorded by SES"
        );
    }
    assert!(raw.matches("List-Unsubscribe-Post").count() >= 3);
}

async fn a_claim_left_by_a_crashed_run_blocks_until_its_grace_period_ends(kind: Kind) {
    let w = world(kind, None).await;
    confirmed(&w, 1, "crash.test").await;
    // A run that crashed after claiming (and perhaps sending) left the claim `sending`.
    let key = plenary::mail::FanoutKeys::reminder(&w.event.id, "P1D")
        .message(&RegistrationId::parse("01J00000000000000000000000").unwrap());
    assert_eq!(key.as_str(), "reminder:ws:P1D:01J00000000000000000000000");
    assert_eq!(
        w.store.claim(&key, at(P1D)).await.unwrap(),
        plenary::store::Claim::Won
    );
    let blocked = run(&w, P1D, LONG).await;
    assert!(blocked.sent.is_empty() && blocked.more);
    // After the grace period the claim is taken over: the one message that may go twice.
    let later = at(P1D)
        .checked_add(plenary::store::CLAIM_GRACE)
        .unwrap()
        .checked_add(jiff::SignedDuration::from_secs(1))
        .unwrap();
    let r = plenary_notifications::run(&w.app, later, LONG)
        .await
        .unwrap();
    assert_eq!(r.sent.len(), 1, "the crashed run's message was never sent");
    assert!(run(&w, P1D, LONG).await.sent.is_empty());
}

/// The job's requests for another run, as the stream would deliver them.
async fn run_requests(w: &World) -> usize {
    let q = plenary::store::Query {
        pk: plenary::store::keys::RUN_PK.to_owned(),
        ..Default::default()
    };
    w.table.query_all(&q).await.unwrap().len()
}

async fn a_run_that_ends_with_work_left_asks_for_the_next_at_once_and_one_that_moved_nothing_does_not(
    kind: Kind,
) {
    let w = world(kind, None).await;
    confirmed(&w, 30, "drain.test").await;
    let services = Services::new(w.store.clone()).with_clock(w.clock.clone());
    // 30 reminders at 5 a second take 6 s; the run has 1 s after its margin.
    let paced = App::new(
        &services,
        &plenary_tests::config(),
        w.mailbox.clone(),
        Pacer::new(5.0),
    )
    .unwrap();
    w.clock.set(at(P1D));
    let schedule = json!({"source": "aws.scheduler", "detail-type": "Scheduled Event"});
    let handle = |budget| plenary_notifications::triggers::handle(&paced, schedule.clone(), budget);
    let first = handle(Duration::from_secs(3)).await.unwrap();
    let sent = first["sent"].as_array().unwrap().len();
    assert!(first["more"] == true && sent > 0 && sent < 30, "{first}");
    assert_eq!(run_requests(&w).await, 1, "the next run was not asked for");

    // SES down: the run moves nothing, and waits for the schedule rather than asking again.
    w.mailbox
        .fail_next(1, MailError::Unavailable("connection reset".into()));
    let stuck = handle(Duration::from_secs(3)).await.unwrap();
    assert!(
        stuck["more"] == true && stuck["sent"].as_array().unwrap().is_empty(),
        "{stuck}"
    );
    assert_eq!(
        run_requests(&w).await,
        1,
        "a run that moved nothing asked for another"
    );

    // The runs asked for drain the rest, the last asking for none.
    let mut runs = 0;
    loop {
        let r = handle(Duration::from_secs(10)).await.unwrap();
        runs += 1;
        if r["more"] == false {
            break;
        }
        assert!(runs < 10, "the backlog never drained");
    }
    let requests = run_requests(&w).await;
    assert_eq!(requests, runs, "each run but the last asked for one more");
    assert_eq!(per_recipient(&w).len(), 30);
    assert!(per_recipient(&w).values().all(|n| *n == 1));
}
