//! Races over HTTP, on the memory store and on DynamoDB: many clients at once against one event's
//! seats, waiting list and address guards. Each case checks the end state against what a
//! one-at-a-time run would give: no seat sold twice, no place in the queue shared or skipped, no
//! registration lost or doubled.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, ORGANISER_TOKEN, Store};
use serde_json::{Value, json};

on_both_stores!(
    two_thousand_registrants_from_sixty_four_clients_get_five_hundred_seats_and_a_queue_of_fifteen_hundred,
    sixty_confirmations_for_twenty_seats_give_twenty_seats_and_forty_places,
    thirty_identical_registrations_at_once_give_one_registration,
    simultaneous_cancellations_each_promote_exactly_one_waiting_registrant_in_order,
    five_hundred_in_person_registrants_from_sixty_four_clients_get_the_rooms_fifty_seats_and_a_queue_of_their_own,
);

/// The race stack: the job runs only when a test asks, so mail arrives when the test expects it,
/// and the per-event cap (600 a minute by default) lets the whole crowd in.
const RACE_FLAGS: &[&str] = &[
    "--notifications-interval",
    "0",
    "--registrations-per-event-per-minute",
    "1000000",
];

/// Prints how long each phase took (seen with `--nocapture`; TESTING.md quotes the figures).
struct Phases {
    label: String,
    start: Instant,
    last: Instant,
}

impl Phases {
    fn new(label: String) -> Self {
        let now = Instant::now();
        Self {
            label,
            start: now,
            last: now,
        }
    }

    fn done(&mut self, phase: &str) {
        let now = Instant::now();
        eprintln!(
            "[{}] {phase}: {:.1} s (total {:.1} s)",
            self.label,
            (now - self.last).as_secs_f64(),
            (now - self.start).as_secs_f64()
        );
        self.last = now;
    }
}

/// A fixed shuffle (xorshift), so a failure can be replayed in the same order.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

fn count(items: &[Value], key: &str, value: &str) -> usize {
    items.iter().filter(|v| v[key] == value).count()
}

const ADDRESSES: usize = 2_000;
const CLIENTS: usize = 64;
const SEATS: usize = 500;
/// Addresses posted three times (once in upper case), racing their own first registration.
const REPEATED: usize = 100;

async fn two_thousand_registrants_from_sixty_four_clients_get_five_hundred_seats_and_a_queue_of_fifteen_hundred(
    store: Store,
) {
    let mut phases = Phases::new(format!("race {store:?}"));
    let s = LocalStack::start(store, RACE_FLAGS);
    let event = "crowd";
    create_event(&s, event, &event_body(Some(SEATS as u32), true, false)).await;
    let addresses: BTreeSet<String> = (0..ADDRESSES)
        .map(|i| format!("crowd{i:04}@example.org"))
        .collect();

    let mut posts: Vec<String> = addresses.iter().cloned().collect();
    for a in addresses.iter().take(REPEATED) {
        posts.push(a.clone());
        posts.push(a.to_uppercase());
    }
    shuffle(&mut posts, 0x9e37_79b9_7f4a_7c15);
    let path = format!("/v1/events/{event}/registrations");
    let statuses = with_clients(&s, CLIENTS, posts, move |http, base, email| {
        let url = format!("{base}{path}");
        async move {
            let res = http.post(url).json(&person(&email)).send().await.unwrap();
            (email, res.status().as_u16())
        }
    })
    .await;
    let refused: Vec<_> = statuses.iter().filter(|(_, st)| *st != 202).collect();
    assert!(
        refused.is_empty(),
        "{} registrations not accepted, e.g. {:?}",
        refused.len(),
        &refused[..refused.len().min(5)]
    );
    phases.done(&format!(
        "{} POSTs ({ADDRESSES} addresses) from {CLIENTS} clients",
        statuses.len()
    ));

    drain_job(&s).await;
    let tokens = confirmation_tokens(&s).await;
    phases.done("confirmation emails sent and read in one outbox read");
    // Every address was mailed, a repeat at most twice more, nobody else.
    assert_eq!(
        tokens.keys().cloned().collect::<BTreeSet<_>>(),
        addresses,
        "the addresses mailed are not the addresses registered"
    );
    let over: Vec<_> = tokens.iter().filter(|(_, t)| t.len() > 3).collect();
    assert!(
        over.is_empty(),
        "more confirmation emails than POSTs: {over:?}"
    );

    // Each registrant confirms with the newest link (every link of a live registration works).
    let newest: Vec<String> = tokens.values().map(|t| t.last().unwrap().clone()).collect();
    let outcomes = with_clients(&s, CLIENTS, newest, |http, base, token| async move {
        let res = http
            .post(format!("{base}/v1/registrations/confirm"))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or_default();
        assert_eq!(status, 200, "a confirmation failed: {body}");
        body
    })
    .await;
    phases.done(&format!("{ADDRESSES} confirmations from {CLIENTS} clients"));
    assert_eq!(count(&outcomes, "status", "confirmed"), SEATS);
    assert_eq!(count(&outcomes, "status", "waitlisted"), ADDRESSES - SEATS);

    // The end state, as the organiser sees it: one registration per address, none lost.
    let all = all_registrations(&s, event).await;
    phases.done("listing with waiting-list positions");
    let emails: Vec<String> = all
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(emails.len(), ADDRESSES, "registrations != addresses");
    assert_eq!(emails.iter().cloned().collect::<BTreeSet<_>>(), addresses);
    let ids: BTreeSet<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), ADDRESSES, "a registration id repeats");
    assert_eq!(count(&all, "status", "confirmed"), SEATS);
    assert_eq!(count(&all, "status", "waitlisted"), ADDRESSES - SEATS);
    let mut positions: Vec<u64> = all
        .iter()
        .filter_map(|r| r["waitlist_position"].as_u64())
        .collect();
    positions.sort_unstable();
    assert_eq!(
        positions,
        (1..=(ADDRESSES - SEATS) as u64).collect::<Vec<_>>(),
        "waiting-list positions are not 1..{} once each",
        ADDRESSES - SEATS
    );

    let stats = stats(&s, event).await;
    assert_eq!(stats["seats_taken"], SEATS);
    assert_eq!(stats["total"], ADDRESSES);
    assert_eq!(stats["by_status"]["confirmed"], SEATS);
    assert_eq!(stats["by_status"]["waitlisted"], ADDRESSES - SEATS);
    assert_eq!(stats["by_status"]["pending_confirmation"], 0);
    assert_eq!(stats["lapsed_unconfirmed"], 0);
    phases.done("checked");
}

const SWAP_SEATS: usize = 40;
const SWAP_WAITING: usize = 60;
/// Confirmed registrants who cancel at once in the first wave (fewer than are waiting).
const FIRST_WAVE: usize = 30;

/// Cancels each token's registration, all at once; every cancellation must succeed.
async fn cancel_at_once(s: &LocalStack, tokens: Vec<String>) {
    let statuses = with_clients(s, tokens.len(), tokens, |http, base, token| async move {
        let res = http
            .delete(format!("{base}/v1/registrations/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    })
    .await;
    let failed: Vec<_> = statuses.iter().filter(|(st, _)| *st != 200).collect();
    assert!(failed.is_empty(), "cancellations failed: {failed:?}");
}

/// Reads the seats taken over and over until `stop` is set, returning every reading.
fn watch_seats(
    s: &LocalStack,
    event: &str,
) -> (Arc<AtomicBool>, tokio::task::JoinHandle<Vec<u64>>) {
    let stop = Arc::new(AtomicBool::new(false));
    let (flag, url) = (
        stop.clone(),
        s.url(&format!("/v1/admin/events/{event}/stats")),
    );
    let handle = tokio::spawn(async move {
        let http = reqwest::Client::new();
        let mut seen = Vec::new();
        while !flag.load(Ordering::Relaxed) {
            let stats: Value = http
                .get(&url)
                .bearer_auth(ORGANISER_TOKEN)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            seen.push(stats["seats_taken"].as_u64().unwrap());
        }
        seen
    });
    (stop, handle)
}

async fn statuses_of(s: &LocalStack, tokens: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for t in tokens {
        let res = me(s, t).await;
        assert_eq!(res.status(), 200);
        out.push(res.json().await.unwrap());
    }
    out
}

async fn simultaneous_cancellations_each_promote_exactly_one_waiting_registrant_in_order(
    store: Store,
) {
    let mut phases = Phases::new(format!("cancellations {store:?}"));
    let s = LocalStack::start(store, RACE_FLAGS);
    let event = "swap";
    create_event(&s, event, &event_body(Some(SWAP_SEATS as u32), true, false)).await;
    let addresses: Vec<String> = (0..SWAP_SEATS + SWAP_WAITING)
        .map(|i| format!("swap{i:03}@example.org"))
        .collect();
    let path = format!("/v1/events/{event}/registrations");
    let posted = with_clients(&s, 16, addresses.clone(), move |http, base, email| {
        let url = format!("{base}{path}");
        async move {
            let res = http.post(url).json(&person(&email)).send().await.unwrap();
            res.status().as_u16()
        }
    })
    .await;
    assert!(posted.iter().all(|st| *st == 202), "{posted:?}");
    drain_job(&s).await;
    let tokens = confirmation_tokens(&s).await;
    // Confirmed one at a time, so the queue's order is the addresses' order.
    let mut token_of = Vec::new();
    for (i, a) in addresses.iter().enumerate() {
        let token = tokens[a].last().unwrap().clone();
        let r: Value = confirm(&s, &token).await.json().await.unwrap();
        if i < SWAP_SEATS {
            assert_eq!(r["status"], "confirmed", "{a}");
        } else {
            assert_eq!(r["waitlist_position"], i - SWAP_SEATS + 1, "{a}");
        }
        token_of.push(token);
    }
    let (seated, waiting) = token_of.split_at(SWAP_SEATS);
    phases.done("registered and confirmed in order");

    // Wave 1: fewer leave than wait, so every freed seat passes on and none is ever free.
    let (stop, watcher) = watch_seats(&s, event);
    cancel_at_once(&s, seated[..FIRST_WAVE].to_vec()).await;
    stop.store(true, Ordering::Relaxed);
    let readings = watcher.await.unwrap();
    phases.done(&format!("wave 1, {} readings of the seats", readings.len()));
    assert!(
        !readings.is_empty() && readings.iter().all(|n| *n == SWAP_SEATS as u64),
        "seats taken while people waited: {readings:?}"
    );
    // The first FIRST_WAVE in line have the seats; the rest moved up, in order, places 1...
    let now = statuses_of(&s, waiting).await;
    for (i, r) in now.iter().enumerate() {
        if i < FIRST_WAVE {
            assert_eq!(r["status"], "confirmed", "place {} was not promoted", i + 1);
        } else {
            assert_eq!(r["status"], "waitlisted");
            assert_eq!(r["waitlist_position"], i - FIRST_WAVE + 1, "{r}");
        }
    }
    let counts = stats(&s, event).await;
    assert_eq!(counts["seats_taken"], SWAP_SEATS);
    assert_eq!(counts["by_status"]["confirmed"], SWAP_SEATS);
    assert_eq!(counts["by_status"]["waitlisted"], SWAP_WAITING - FIRST_WAVE);
    assert_eq!(counts["by_status"]["cancelled"], FIRST_WAVE);

    // Wave 2: everyone seated leaves at once, more than wait: the rest of the queue is seated,
    // and only the seats nobody waited for are freed.
    let mut leaving = seated[FIRST_WAVE..].to_vec();
    leaving.extend_from_slice(&waiting[..FIRST_WAVE]);
    let (stop, watcher) = watch_seats(&s, event);
    cancel_at_once(&s, leaving).await;
    stop.store(true, Ordering::Relaxed);
    let readings = watcher.await.unwrap();
    phases.done(&format!("wave 2, {} readings of the seats", readings.len()));
    let left = SWAP_WAITING - FIRST_WAVE;
    assert!(
        readings
            .iter()
            .all(|n| (left as u64..=SWAP_SEATS as u64).contains(n)),
        "seats taken out of range: {readings:?}"
    );
    let now = statuses_of(&s, &waiting[FIRST_WAVE..]).await;
    assert!(now.iter().all(|r| r["status"] == "confirmed"), "{now:?}");
    let counts = stats(&s, event).await;
    assert_eq!(counts["seats_taken"], left);
    assert_eq!(counts["by_status"]["confirmed"], left);
    assert_eq!(counts["by_status"]["waitlisted"], 0);
    assert_eq!(counts["by_status"]["cancelled"], SWAP_SEATS + FIRST_WAVE);

    // One promotion email to each of the waiting, none to anyone else, and a second run of the
    // job sends nothing again.
    drain_job(&s).await;
    drain_job(&s).await;
    let mut promoted: BTreeMap<String, usize> = BTreeMap::new();
    for m in outbox(&s).await {
        if m["kind"] == "promotion" {
            *promoted
                .entry(m["to"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    let expected: BTreeMap<String, usize> = addresses[SWAP_SEATS..]
        .iter()
        .map(|a| (a.clone(), 1))
        .collect();
    assert_eq!(promoted, expected);
    phases.done("checked");
}

async fn sixty_confirmations_for_twenty_seats_give_twenty_seats_and_forty_places(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "race", &event_body(Some(20), true, false)).await;
    let mut tokens = Vec::new();
    for i in 0..60 {
        assert_eq!(
            register(&s, "race", &format!("racer{i}@example.org"))
                .await
                .status(),
            202
        );
    }
    run_job(&s).await;
    for i in 0..60 {
        let mails = mail_to(&s, &format!("racer{i}@example.org")).await;
        tokens.push(token_in(&mails[0]));
    }
    let base = s.base.clone();
    let handles: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            let base = base.clone();
            tokio::spawn(async move {
                let res = reqwest::Client::new()
                    .post(format!("{base}/v1/registrations/confirm"))
                    .json(&json!({"token": t}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                res.json::<Value>().await.unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for h in handles {
        outcomes.push(h.await.unwrap());
    }
    let confirmed = outcomes
        .iter()
        .filter(|o| o["status"] == "confirmed")
        .count();
    assert_eq!(confirmed, 20);
    // Positions as they stand now: 1..40, no gaps, no repeats.
    let list: Value = s
        .admin_json("/v1/admin/events/race/registrations?status=waitlisted&limit=100")
        .await;
    let mut positions: Vec<u64> = list["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["waitlist_position"].as_u64().unwrap())
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, (1..=40).collect::<Vec<u64>>());
    let stats: Value = s.admin_json("/v1/admin/events/race/stats").await;
    assert_eq!(stats["seats_taken"], 20);
}

async fn thirty_identical_registrations_at_once_give_one_registration(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "twins", &event_body(None, false, false)).await;
    let base = s.base.clone();
    let handles: Vec<_> = (0..30)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(format!("{base}/v1/events/twins/registrations"))
                    .json(&person("twin@example.org"))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.await.unwrap(), 202);
    }
    let list: Value = s.admin_json("/v1/admin/events/twins/registrations").await;
    assert_eq!(list["registrations"].as_array().unwrap().len(), 1);
}

const ROOM_SEATS: usize = 50;
const IN_PERSON: usize = 500;
/// Remote registrants racing the room's crowd for the (unlimited) remote seats.
const REMOTE: usize = 100;
/// Seated in-person registrants who switch to remote at once.
const SWITCHERS: usize = 20;

fn hybrid_person(email: &str, participation: &str) -> Value {
    let mut p = person(email);
    p["participation"] = json!(participation);
    p
}

async fn five_hundred_in_person_registrants_from_sixty_four_clients_get_the_rooms_fifty_seats_and_a_queue_of_their_own(
    store: Store,
) {
    let mut phases = Phases::new(format!("room {store:?}"));
    let s = LocalStack::start(store, RACE_FLAGS);
    let event = "room";
    let mut body = event_body(None, true, false);
    body["format"] = json!("hybrid");
    body["in_person"] = json!({"capacity": ROOM_SEATS, "waitlist": true,
                               "venue": {"name": "ITU headquarters", "address": "Place des Nations, Geneva"}});
    create_event(&s, event, &body).await;
    let mut posts: Vec<(String, &str)> = (0..IN_PERSON)
        .map(|i| (format!("room{i:03}@example.org"), "in_person"))
        .chain((0..REMOTE).map(|i| (format!("remote{i:03}@example.org"), "remote")))
        .collect();
    shuffle(&mut posts, 0x2545_f491_4f6c_dd1d);
    let path = format!("/v1/events/{event}/registrations");
    let statuses = with_clients(
        &s,
        CLIENTS,
        posts.clone(),
        move |http, base, (email, mode)| {
            let url = format!("{base}{path}");
            async move {
                let res = http
                    .post(url)
                    .json(&hybrid_person(&email, mode))
                    .send()
                    .await
                    .unwrap();
                res.status().as_u16()
            }
        },
    )
    .await;
    assert!(statuses.iter().all(|st| *st == 202), "{statuses:?}");
    drain_job(&s).await;
    let tokens = confirmation_tokens(&s).await;
    assert_eq!(
        tokens.len(),
        IN_PERSON + REMOTE,
        "every address was mailed once"
    );
    phases.done("registered and mailed");

    // Everyone confirms at once, the room's crowd and the remote ones mixed.
    let all_tokens: Vec<String> = posts.iter().map(|(a, _)| tokens[a][0].clone()).collect();
    let outcomes = with_clients(&s, CLIENTS, all_tokens, |http, base, token| async move {
        let res = http
            .post(format!("{base}/v1/registrations/confirm"))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or_default();
        assert_eq!(status, 200, "a confirmation failed: {body}");
        body
    })
    .await;
    phases.done(&format!(
        "{} confirmations from {CLIENTS} clients",
        outcomes.len()
    ));
    let (room, remote): (Vec<Value>, Vec<Value>) = outcomes
        .into_iter()
        .partition(|o| o["participation"] == "in_person");
    assert_eq!((room.len(), remote.len()), (IN_PERSON, REMOTE));
    assert_eq!(count(&room, "status", "confirmed"), ROOM_SEATS);
    assert_eq!(count(&room, "status", "waitlisted"), IN_PERSON - ROOM_SEATS);
    assert_eq!(
        count(&remote, "status", "confirmed"),
        REMOTE,
        "the room's queue took no remote seat"
    );

    // As the organiser sees it: nobody lost or doubled, the room's queue 1..450 once each.
    let all = all_registrations(&s, event).await;
    assert_eq!(
        all.len(),
        IN_PERSON + REMOTE,
        "registrations lost or doubled"
    );
    let in_person: Vec<&Value> = all
        .iter()
        .filter(|r| r["participation"] == "in_person")
        .collect();
    assert_eq!(in_person.len(), IN_PERSON);
    let mut queue: Vec<(u64, String)> = in_person
        .iter()
        .filter_map(|r| {
            Some((
                r["waitlist_position"].as_u64()?,
                r["email"].as_str()?.to_owned(),
            ))
        })
        .collect();
    queue.sort_unstable();
    assert_eq!(
        queue.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        (1..=(IN_PERSON - ROOM_SEATS) as u64).collect::<Vec<_>>(),
        "the room's places are not 1..{} once each",
        IN_PERSON - ROOM_SEATS
    );
    assert!(
        all.iter()
            .filter(|r| r["participation"] == "remote")
            .all(|r| r["waitlist_position"].is_null()),
        "a remote registrant has a place in a queue"
    );
    let counts = stats(&s, event).await;
    assert_eq!(counts["in_person"]["seats_taken"], ROOM_SEATS);
    assert_eq!(counts["seats_taken"], REMOTE);
    assert_eq!(
        counts["by_participation"],
        json!({"in_person": IN_PERSON, "remote": REMOTE})
    );
    assert_eq!(counts["by_status"]["confirmed"], ROOM_SEATS + REMOTE);
    assert_eq!(counts["by_status"]["waitlisted"], IN_PERSON - ROOM_SEATS);
    phases.done("first race checked");

    // Twenty seated in the room switch to remote at once: each switch frees its seat for the
    // next in the room's queue in the same transaction, so the first twenty in line are seated
    // and the rest move up in order.
    let token_of: BTreeMap<String, String> = posts
        .iter()
        .map(|(a, _)| (a.clone(), tokens[a][0].clone()))
        .collect();
    let seated: Vec<String> = in_person
        .iter()
        .filter(|r| r["status"] == "confirmed")
        .map(|r| token_of[r["email"].as_str().unwrap()].clone())
        .take(SWITCHERS)
        .collect();
    let switched = with_clients(&s, SWITCHERS, seated, |http, base, token| async move {
        let res = http
            .patch(format!("{base}/v1/registrations/me"))
            .bearer_auth(token)
            .json(&json!({"participation": "remote"}))
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json::<Value>().await.unwrap_or_default(),
        )
    })
    .await;
    for (status, body) in &switched {
        assert_eq!(*status, 200, "a switch failed: {body}");
        assert_eq!(
            (&body["status"], &body["participation"]),
            (&json!("confirmed"), &json!("remote"))
        );
    }
    phases.done(&format!("{SWITCHERS} switches at once"));
    let all = all_registrations(&s, event).await;
    let by_email: BTreeMap<&str, &Value> = all
        .iter()
        .map(|r| (r["email"].as_str().unwrap(), r))
        .collect();
    for (place, email) in &queue {
        let r = by_email[email.as_str()];
        if *place <= SWITCHERS as u64 {
            assert_eq!(r["status"], "confirmed", "place {place} was not seated");
            assert_eq!(r["participation"], "in_person");
        } else {
            assert_eq!(r["waitlist_position"], *place - SWITCHERS as u64, "{r}");
        }
    }
    let counts = stats(&s, event).await;
    assert_eq!(counts["in_person"]["seats_taken"], ROOM_SEATS);
    assert_eq!(counts["seats_taken"], REMOTE + SWITCHERS);
    assert_eq!(
        counts["by_participation"],
        json!({"in_person": IN_PERSON - SWITCHERS, "remote": REMOTE + SWITCHERS})
    );
    assert_eq!(
        counts["by_status"]["waitlisted"],
        IN_PERSON - ROOM_SEATS - SWITCHERS
    );
    phases.done("checked");
}
