//! Hybrid participation over HTTP, on the memory store and on DynamoDB: a hybrid event's room
//! (its own seats, waiting list and venue), `participation` required on its registrations and
//! refused where the format allows no choice, each mode's seats and queue apart, switching mode
//! by `PATCH /me` (a seat freed passes to the room's next in line; a full mode is 409), the mode
//! in `/me`, the list, the CSV and stats, and the venue in in-person reminders and calendars.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    a_hybrid_events_room_is_checked_shown_and_asked_for_in_every_registration,
    each_mode_has_its_own_seats_and_waiting_list_shown_in_me_the_list_the_csv_and_stats,
    switching_mode_frees_or_takes_a_seat_at_once_and_a_full_mode_is_refused_with_nothing_changed,
    in_person_participants_find_the_venue_in_their_reminders_and_calendar,
);

const EVENT: &str = "hybrid-workshop";

fn hybrid(room_seats: u32, room_waitlist: bool, remote_seats: Option<u32>) -> Value {
    let mut e = event_body(remote_seats, true, false);
    e["format"] = json!("hybrid");
    e["in_person"] = json!({"capacity": room_seats, "waitlist": room_waitlist,
                            "venue": {"name": "ITU headquarters, Popov room",
                                      "address": "Place des Nations, 1211 Geneva"}});
    e
}

fn taking_part(email: &str, participation: &str) -> Value {
    let mut p = person(email);
    p["participation"] = json!(participation);
    p
}

/// Registers and confirms `email` taking part as `participation`: its token and the answer.
async fn confirmed_as(s: &LocalStack, email: &str, participation: &str) -> (String, Value) {
    let token = token_for(s, EVENT, &taking_part(email, participation)).await;
    let res = confirm(s, &token).await;
    assert_eq!(res.status(), 200);
    (token, res.json().await.unwrap())
}

async fn switch(s: &LocalStack, token: &str, to: &str) -> reqwest::Response {
    send(
        s.http
            .patch(s.url("/v1/registrations/me"))
            .bearer_auth(token)
            .json(&json!({"participation": to})),
    )
    .await
}

async fn mine(s: &LocalStack, token: &str) -> Value {
    let res = me(s, token).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn a_hybrid_events_room_is_checked_shown_and_asked_for_in_every_registration(store: Store) {
    let s = LocalStack::start(store, &[]);
    // A room only on a hybrid event, its fields checked and named with dots.
    let mut virtual_room = hybrid(10, true, None);
    virtual_room["format"] = json!("virtual");
    let res = send(
        s.admin(Method::PUT, "/v1/admin/events/virtual-room")
            .json(&virtual_room),
    )
    .await;
    assert_eq!(error_fields(&problem(res, 400).await), ["in_person"]);
    let mut bad = hybrid(10, true, None);
    bad["in_person"] = json!({"capacity": 0, "waitlist": "yes", "venue": {"address": "x"}, "x": 1});
    let res = send(
        s.admin(Method::PUT, &format!("/v1/admin/events/{EVENT}"))
            .json(&bad),
    )
    .await;
    let p = problem(res, 400).await;
    let mut fields = error_fields(&p);
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "in_person.capacity",
            "in_person.venue.name",
            "in_person.waitlist",
            "in_person.x"
        ]
    );
    problem(send(s.get(&format!("/v1/events/{EVENT}"))).await, 404).await;

    create_event(&s, EVENT, &hybrid(10, true, Some(100))).await;
    let public = s.get_json(&format!("/v1/events/{EVENT}")).await;
    assert_eq!(
        public["in_person"],
        json!({"capacity": 10, "waitlist": true,
               "venue": {"name": "ITU headquarters, Popov room",
                         "address": "Place des Nations, 1211 Geneva"}})
    );
    assert_eq!(
        (&public["capacity"], &public["waitlist"]),
        (&json!(100), &json!(true))
    );
    assert_eq!(
        public["seats_left"],
        json!({"in_person": 10, "remote": 100})
    );
    assert!(s.get_json("/v1/events/qos-workshop-2021").await["seats_left"].is_null());
    let organisers = s.admin_json(&format!("/v1/admin/events/{EVENT}")).await;
    assert_eq!(organisers["in_person"], public["in_person"]);
    // The organiser's body goes back as it is.
    let res = send(
        s.admin(Method::PUT, &format!("/v1/admin/events/{EVENT}"))
            .json(&organisers),
    )
    .await;
    assert_eq!(res.status(), 200);
    let other = s.admin_json("/v1/admin/events/qos-workshop-2021").await;
    assert!(other["in_person"].is_null(), "{other}");

    // `participation` is required on a hybrid event, named with every other bad field, and
    // nothing is registered.
    let mut body = person("nobody@example.org");
    body["given_name"] = json!("");
    let res = post_registration(&s, EVENT, &body).await;
    let p = problem(res, 400).await;
    let mut fields = error_fields(&p);
    fields.sort_unstable();
    assert_eq!(fields, ["given_name", "participation"]);
    let res = post_registration(&s, EVENT, &taking_part("nobody@example.org", "on_the_moon")).await;
    assert_eq!(error_fields(&problem(res, 400).await), ["participation"]);
    assert!(all_registrations(&s, EVENT).await.is_empty());

    // Elsewhere it may be absent or the one value the format allows, and is not stored.
    let mut room_only = event_body(None, false, false);
    room_only["format"] = json!("in_person");
    create_event(&s, "room-only", &room_only).await;
    create_event(&s, "online-only", &event_body(None, false, false)).await;
    for (event, wrong) in [("room-only", "remote"), ("online-only", "in_person")] {
        let res = post_registration(&s, event, &taking_part("x@example.org", wrong)).await;
        assert_eq!(error_fields(&problem(res, 400).await), ["participation"]);
    }
    let token = token_for(&s, "online-only", &taking_part("web@example.org", "remote")).await;
    assert_eq!(confirm(&s, &token).await.status(), 200);
    assert!(mine(&s, &token).await["participation"].is_null());
    let res = switch(&s, &token, "in_person").await;
    assert_eq!(error_fields(&problem(res, 400).await), ["participation"]);
    assert_eq!(
        post_registration(&s, "room-only", &person("hall@example.org"))
            .await
            .status(),
        202
    );
}

async fn each_mode_has_its_own_seats_and_waiting_list_shown_in_me_the_list_the_csv_and_stats(
    store: Store,
) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, EVENT, &hybrid(2, true, Some(1))).await;
    let (a, ra) = confirmed_as(&s, "a@example.org", "in_person").await;
    let (_, rb) = confirmed_as(&s, "b@example.org", "in_person").await;
    let (c, rc) = confirmed_as(&s, "c@example.org", "in_person").await;
    let (_, rd) = confirmed_as(&s, "d@example.org", "remote").await;
    let (e, re) = confirmed_as(&s, "e@example.org", "remote").await;
    let (_, rf) = confirmed_as(&s, "f@example.org", "in_person").await;
    for (r, status, place) in [
        (&ra, "confirmed", None),
        (&rb, "confirmed", None),
        (&rc, "waitlisted", Some(1)),
        (&rd, "confirmed", None),
        // The remote queue is its own: first in it, although two wait for the room.
        (&re, "waitlisted", Some(1)),
        (&rf, "waitlisted", Some(2)),
    ] {
        assert_eq!(r["status"], status, "{r}");
        assert_eq!(r["waitlist_position"].as_u64(), place, "{r}");
    }
    assert_eq!(mine(&s, &a).await["participation"], "in_person");
    assert_eq!(mine(&s, &e).await["participation"], "remote");
    assert_eq!(mine(&s, &c).await["waitlist_position"], 1);
    let public = s.get_json(&format!("/v1/events/{EVENT}")).await;
    assert_eq!(public["seats_left"], json!({"in_person": 0, "remote": 0}));

    let list = all_registrations(&s, EVENT).await;
    let modes: Vec<(&str, &str)> = list
        .iter()
        .map(|r| {
            (
                r["email"].as_str().unwrap(),
                r["participation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            ("a@example.org", "in_person"),
            ("b@example.org", "in_person"),
            ("c@example.org", "in_person"),
            ("d@example.org", "remote"),
            ("e@example.org", "remote"),
            ("f@example.org", "in_person"),
        ]
    );

    let res = send(s.admin(
        Method::GET,
        &format!("/v1/admin/events/{EVENT}/registrations.csv"),
    ))
    .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = header
        .iter()
        .position(|h| h == "participation")
        .expect("a participation column");
    let email = header.iter().position(|h| h == "email").unwrap();
    let cells: Vec<(String, String)> = rows
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[email].to_owned(), r[column].to_owned())
        })
        .collect();
    assert_eq!(cells.len(), 6);
    assert!(cells.contains(&("d@example.org".to_owned(), "remote".to_owned())));
    assert!(cells.contains(&("f@example.org".to_owned(), "in_person".to_owned())));
    // Another event's CSV keeps its columns as they were.
    let res = send(s.admin(
        Method::GET,
        "/v1/admin/events/qos-workshop-2021/registrations.csv",
    ))
    .await;
    assert!(
        !res.text()
            .await
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .contains("participation")
    );

    let counts = stats(&s, EVENT).await;
    assert_eq!(
        counts["by_participation"],
        json!({"in_person": 4, "remote": 2})
    );
    assert_eq!(
        counts["in_person"],
        json!({"capacity": 2, "seats_taken": 2})
    );
    assert_eq!(
        (&counts["capacity"], &counts["seats_taken"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(counts["by_status"]["waitlisted"], 3);
    let other = stats(&s, "qos-workshop-2021").await;
    assert_eq!(
        (&other["by_participation"], &other["in_person"]),
        (&json!({}), &Value::Null)
    );

    // A cancellation in the room seats the room's next in line, not the remote one.
    assert_eq!(cancel(&s, &a).await.status(), 200);
    assert_eq!(mine(&s, &c).await["status"], "confirmed");
    assert_eq!(mine(&s, &e).await["waitlist_position"], 1);
    drain_job(&s).await;
    assert_eq!(
        mail_of_kind(&s, "c@example.org", "promotion").await.len(),
        1
    );
    assert!(
        mail_of_kind(&s, "e@example.org", "promotion")
            .await
            .is_empty()
    );
}

async fn switching_mode_frees_or_takes_a_seat_at_once_and_a_full_mode_is_refused_with_nothing_changed(
    store: Store,
) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, EVENT, &hybrid(1, true, Some(2))).await;
    let (a, _) = confirmed_as(&s, "a@example.org", "in_person").await;
    let (b, rb) = confirmed_as(&s, "b@example.org", "in_person").await;
    let (c, _) = confirmed_as(&s, "c@example.org", "remote").await;
    assert_eq!(rb["waitlist_position"], 1);
    let public = s.get_json(&format!("/v1/events/{EVENT}")).await;
    assert_eq!(public["seats_left"], json!({"in_person": 0, "remote": 1}));

    // To the room while it is full: 409, nothing changed.
    let before = mine(&s, &c).await;
    let p = problem(switch(&s, &c, "in_person").await, 409).await;
    assert!(
        p["type"].as_str().unwrap().ends_with("in-person-full"),
        "{p}"
    );
    assert_eq!(mine(&s, &c).await, before);

    // From the room to remote: the seat passes to the room's next in line in the same change.
    let res = switch(&s, &a, "remote").await;
    assert_eq!(res.status(), 200);
    let ra: Value = res.json().await.unwrap();
    assert_eq!(
        (&ra["status"], &ra["participation"]),
        (&json!("confirmed"), &json!("remote"))
    );
    let rb = mine(&s, &b).await;
    assert_eq!(
        (&rb["status"], &rb["participation"]),
        (&json!("confirmed"), &json!("in_person"))
    );
    let counts = stats(&s, EVENT).await;
    assert_eq!(counts["in_person"]["seats_taken"], 1);
    assert_eq!(counts["seats_taken"], 2);
    drain_job(&s).await;
    assert_eq!(
        mail_of_kind(&s, "b@example.org", "promotion").await.len(),
        1
    );

    // Remote is full now: another switch to it is 409 `remote-full`, and A stays where it is.
    let d = token_for(&s, EVENT, &taking_part("d@example.org", "remote")).await;
    assert_eq!(
        confirm(&s, &d).await.json::<Value>().await.unwrap()["waitlist_position"],
        1
    );
    let p = problem(switch(&s, &b, "remote").await, 409).await;
    assert!(p["type"].as_str().unwrap().ends_with("remote-full"), "{p}");
    assert_eq!(mine(&s, &b).await["participation"], "in_person");

    // The room frees up: a waitlisted remote registrant switches into its seat, leaving the
    // remote queue; a switch to the mode one has changes nothing.
    assert_eq!(cancel(&s, &b).await.status(), 200);
    let res = switch(&s, &d, "in_person").await;
    assert_eq!(res.status(), 200);
    let rd: Value = res.json().await.unwrap();
    assert_eq!(
        (&rd["status"], &rd["participation"]),
        (&json!("confirmed"), &json!("in_person"))
    );
    assert!(rd["waitlist_position"].is_null());
    assert_eq!(switch(&s, &d, "in_person").await.status(), 200);
    let counts = stats(&s, EVENT).await;
    assert_eq!(counts["in_person"]["seats_taken"], 1);
    assert_eq!(counts["seats_taken"], 2);
    assert_eq!(counts["by_status"]["waitlisted"], 0);
    assert_eq!(
        counts["by_participation"],
        json!({"in_person": 1, "remote": 2})
    );
}

async fn in_person_participants_find_the_venue_in_their_reminders_and_calendar(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, EVENT, &hybrid(10, false, None)).await;
    let (room, _) = confirmed_as(&s, "room@example.org", "in_person").await;
    let (web, _) = confirmed_as(&s, "web@example.org", "remote").await;
    // The event starts 2030-03-10T08:00Z; its reminders are P1D and PT1H.
    let res = send(s.post("/_local/notifications/run?now=2030-03-09T08:00:00Z")).await;
    assert_eq!(res.status(), 200);
    let venue = "ITU headquarters, Popov room, Place des Nations, 1211 Geneva";
    let reminder = &mail_of_kind(&s, "room@example.org", "reminder").await[0];
    assert!(
        reminder["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Venue: {venue}")),
        "{reminder}"
    );
    assert!(reminder["html"].as_str().unwrap().contains("Popov room"));
    let remote = &mail_of_kind(&s, "web@example.org", "reminder").await[0];
    assert!(
        !remote["text"].as_str().unwrap().contains("Popov"),
        "{remote}"
    );

    let calendar = |token: String| {
        let req = s
            .http
            .get(s.url("/v1/registrations/me/calendar.ics"))
            .bearer_auth(token);
        async move {
            let res = send(req).await;
            assert_eq!(res.status(), 200);
            res.text().await.unwrap().replace("\r\n ", "")
        }
    };
    let ics = calendar(room).await;
    assert!(
        ics.contains(
            "LOCATION:ITU headquarters\\, Popov room\\, Place des Nations\\, 1211 Geneva\r\n"
        ),
        "{ics}"
    );
    assert!(!calendar(web).await.contains("LOCATION"));
}
