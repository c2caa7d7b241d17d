//! Criterion benchmarks of the handlers on the memory store, called in process (no HTTP server):
//! the programme GET (200-session programme, event zone and `?tz=`, rendered each time, and the
//! 304 path), a registration POST and its confirmation, the reminder fan-out over N
//! registrants, and an organiser GET with the deployment token and with a session (the role
//! check's cost).
//!
//! `cargo bench -p plenary-benches` (see BENCHMARKS.md for figures).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use plenary::mail::LocalMailbox;
use plenary::store::TableStore;
use plenary_benches::{
    CLOCK, REMINDER_DUE, at, clock, confirmed, get, grant_confirmation_token, memory_table,
    notifications_app, person, post_json, programme_app, programme_path, publish, registration_app,
    registrations_path,
};
use plenary_notifications::pace::Pacer;
use serde_json::json;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn programme(c: &mut Criterion) {
    let rt = runtime();
    let store = TableStore::new(memory_table());
    rt.block_on(publish(&store, 200, at(CLOCK)));
    let app = programme_app(&store, clock());
    let path = programme_path();
    let ny = format!("{path}?tz=America/New_York");
    let first = rt.block_on(plenary_programme::handle(&app, get(&path)));
    let etag = first.headers()["etag"].clone();
    let bytes = match first.body() {
        lambda_http::Body::Text(s) => s.len(),
        _ => 0,
    };
    eprintln!("programme body: {bytes} bytes");

    let mut g = c.benchmark_group("programme_get");
    g.throughput(Throughput::Elements(1));
    g.bench_function("200_sessions_event_zone", |b| {
        b.to_async(&rt)
            .iter(|| async { plenary_programme::handle(&app, get(&path)).await })
    });
    g.bench_function("200_sessions_tz_new_york", |b| {
        b.to_async(&rt)
            .iter(|| async { plenary_programme::handle(&app, get(&ny)).await })
    });
    // The first read of a version in a warm function (or every read in a cold one): parse and
    // render, nothing kept.
    let mut uncached = programme_app(&store, clock());
    uncached.renderings = plenary_programme::renderings::Renderings::new(0, 0);
    g.bench_function("200_sessions_event_zone_rendered_each_time", |b| {
        b.to_async(&rt)
            .iter(|| async { plenary_programme::handle(&uncached, get(&path)).await })
    });
    g.bench_function("200_sessions_304", |b| {
        b.to_async(&rt).iter(|| async {
            let mut req = get(&path);
            req.headers_mut().insert("if-none-match", etag.clone());
            let res = plenary_programme::handle(&app, req).await;
            debug_assert_eq!(res.status(), 304);
            res
        })
    });
    g.finish();
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn unique_email(tag: &str) -> String {
    format!("{tag}{}@bench.test", SEQ.fetch_add(1, Ordering::Relaxed))
}

fn registration(c: &mut Criterion) {
    let rt = runtime();
    let store = TableStore::new(memory_table());
    rt.block_on(publish(&store, 8, at(CLOCK)));
    let app = registration_app(&store, clock());
    let path = registrations_path();

    let mut g = c.benchmark_group("registration");
    g.throughput(Throughput::Elements(1));
    // A new address each iteration: a repeat would take the reminder path instead.
    g.bench_function("post_new_address", |b| {
        b.to_async(&rt).iter_batched(
            || post_json(&path, &person(&unique_email("p"))),
            |req| async {
                let res = plenary_registration::handle(&app, req).await;
                debug_assert_eq!(res.status(), 202);
                res
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("post_new_address_idempotency_key", |b| {
        b.to_async(&rt).iter_batched(
            || {
                let email = unique_email("k");
                let mut req = post_json(&path, &person(&email));
                req.headers_mut()
                    .insert("idempotency-key", email.parse().expect("a header value"));
                req
            },
            |req| async {
                let res = plenary_registration::handle(&app, req).await;
                debug_assert_eq!(res.status(), 202);
                res
            },
            BatchSize::SmallInput,
        )
    });
    // Each timed confirmation needs its own registration and token: they are made untimed,
    // `iters` at a time, before the timed loop.
    let event = plenary::domain::EventId::parse(plenary_benches::EVENT).expect("an id");
    g.bench_function("confirm", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut reqs = Vec::with_capacity(iters as usize);
                for _ in 0..iters {
                    let email = unique_email("c");
                    plenary_registration::handle(&app, post_json(&path, &person(&email))).await;
                    let token = grant_confirmation_token(&store, &event, &email).await;
                    reqs.push(post_json(
                        "/v1/registrations/confirm",
                        &json!({"token": token.expose()}),
                    ));
                }
                let started = Instant::now();
                for req in reqs {
                    let res = plenary_registration::handle(&app, req).await;
                    debug_assert_eq!(res.status(), 200);
                }
                started.elapsed()
            })
        })
    });
    g.finish();
}

fn reminders(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("reminder_fanout");
    g.sample_size(10);
    for n in [100usize, 1000] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("{n}_recipients"), |b| {
            // A fresh store per run: claims and checkpoints would make a second run send
            // nothing. Built untimed; only the job's run is timed.
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let store = TableStore::new(memory_table());
                        let event = plenary_benches::event();
                        plenary::store::EventWriter::put_event(&store, &event, at(CLOCK))
                            .await
                            .expect("stored");
                        confirmed(&store, &event, n, at(CLOCK)).await;
                        let clock = clock();
                        let mailbox = Arc::new(LocalMailbox::new(None, clock.clone()));
                        let app = notifications_app(&store, clock, mailbox, Pacer::unlimited());
                        let started = Instant::now();
                        let report = plenary_notifications::run(
                            &app,
                            at(REMINDER_DUE),
                            Duration::from_secs(600),
                        )
                        .await
                        .expect("the job runs");
                        total += started.elapsed();
                        assert_eq!(report.sent.len(), n);
                    }
                    total
                })
            })
        });
    }
    g.finish();
}

fn organiser(c: &mut Criterion) {
    let rt = runtime();
    let store = TableStore::new(memory_table());
    let o = rt.block_on(plenary_benches::organiser_world(&store));
    let mut g = c.benchmark_group("organiser_get_draft");
    g.throughput(Throughput::Elements(1));
    for (name, bearer) in [
        ("deployment_token", &o.deployment),
        ("session_with_role_check", &o.session),
    ] {
        g.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async { plenary_organiser::handle(&o.app, o.draft_get(bearer)).await })
        });
    }
    g.finish();
}

/// `GET …/attendance` and `GET …/stats` of an event of 10,000 confirmed registrants, half of
/// whom joined: the whole partition read page by page and folded into the answer.
fn attendance(c: &mut Criterion) {
    let rt = runtime();
    let store = TableStore::new(memory_table());
    let now = plenary_benches::at(plenary_benches::CLOCK);
    let event = rt.block_on(plenary_benches::publish(&store, 20, now));
    rt.block_on(plenary_benches::attended(&store, &event, 10_000, now));
    let (app, token) = plenary_benches::organiser_app(&store);
    let mut g = c.benchmark_group("attendance_10000_registrants");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    for route in ["attendance", "stats"] {
        let path = format!("/v1/admin/events/{}/{route}", plenary_benches::EVENT);
        g.bench_function(route, |b| {
            b.to_async(&rt).iter(|| async {
                plenary_organiser::handle(&app, plenary_benches::get_with(&path, &token)).await
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = programme, registration, reminders, organiser, attendance
}
criterion_main!(benches);
