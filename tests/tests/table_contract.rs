//! The `Table` contract, written once and run against both adapters: `memory::…` over
//! `MemoryTable`, `dynamo::…` over `DynamoTable` on a fresh table on the emulator (these panic
//! when `PLENARY_TEST_AWS_ENDPOINT` is not set rather than pass untested).

use std::collections::BTreeSet;
use std::sync::Arc;

use plenary::store::{Cond, Item, Key, Query, Table, TableError, Write};
use serde_json::{Value, json};

type T = Arc<dyn Table>;

fn item(pk: &str, sk: &str, attrs: Value) -> Item {
    let mut item = Key::new(pk, sk).item();
    if let Value::Object(m) = attrs {
        item.extend(m);
    }
    item
}

fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["sk"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn must_get(t: &T, key: &Key) -> Item {
    t.get(key)
        .await
        .expect("get")
        .unwrap_or_else(|| panic!("{key:?} should exist"))
}

/// Runs `cond` as a lone transaction check: Ok(true) when it held, Ok(false) when it did not.
async fn holds(t: &T, key: &Key, cond: Cond) -> bool {
    match t
        .transact(vec![Write::Check {
            key: key.clone(),
            cond: cond.clone(),
        }])
        .await
    {
        Ok(()) => true,
        Err(TableError::ConditionFailed { index: 0 }) => false,
        Err(e) => panic!("checking {cond:?} failed: {e:?}"),
    }
}

async fn put_then_get_round_trips_every_value_type(t: T) {
    let it = item(
        "rt",
        "item",
        json!({
            "plain": "hello",
            "unicode": "Grüße, 東京 — 🎉",
            "empty": "",
            "zero": 0,
            "int": 42,
            "negative": -7,
            "i64_max": i64::MAX,
            "i64_min": i64::MIN,
            "u64_max": u64::MAX,
            "float": 1.5,
            "negative_float": -0.25,
            "pi": std::f64::consts::PI,
            "yes": true,
            "no": false,
            "nothing": null,
            "list": [1, "two", [3.5, null], {"k": false}],
            "empty_list": [],
            "map": {"nested": {"deep": [true, "x"]}, "n": 0},
            "empty_map": {},
            "capacity": 12,
            "name": "reserved words are attribute names too"
        }),
    );
    t.write(Write::put(it.clone())).await.expect("put");
    assert_eq!(t.get(&Key::new("rt", "item")).await.expect("get"), Some(it));
    assert_eq!(t.get(&Key::new("rt", "other")).await.expect("get"), None);
}

async fn put_new_on_an_existing_key_fails_and_leaves_the_item_unchanged(t: T) {
    let first = item("pn", "k", json!({"v": 1}));
    t.write(Write::put_new(first.clone()))
        .await
        .expect("first put_new");
    let second = item("pn", "k", json!({"v": 2}));
    assert_eq!(
        t.write(Write::put_new(second)).await,
        Err(TableError::ConditionFailed { index: 0 })
    );
    assert_eq!(must_get(&t, &Key::new("pn", "k")).await, first);
}

async fn update_creates_an_absent_item_and_add_counts_from_zero(t: T) {
    let key = Key::new("up", "k");
    t.write(Write::update(key.clone()).set("title", "Rust").add("n", 1))
        .await
        .expect("update");
    assert_eq!(
        must_get(&t, &key).await,
        item("up", "k", json!({"title": "Rust", "n": 1}))
    );
    t.write(
        Write::update(key.clone())
            .add("n", 2)
            .add("m", -3)
            .remove("title"),
    )
    .await
    .expect("update");
    assert_eq!(
        must_get(&t, &key).await,
        item("up", "k", json!({"n": 3, "m": -3}))
    );
    // Reserved words as attribute names.
    t.write(
        Write::update(key.clone())
            .set("capacity", 10)
            .set("status", "open")
            .set("name", "x"),
    )
    .await
    .expect("update with reserved words");
    assert_eq!(must_get(&t, &key).await["capacity"], json!(10));
}

async fn set_if_absent_sets_an_absent_attribute_once_beside_the_other_changes(t: T) {
    let key = Key::new("keep", "k");
    let first_use = |at: i64| {
        Write::update(key.clone())
            .add("uses", 1)
            .set("last", at)
            .set_if_absent("first", at)
    };
    t.write(first_use(10)).await.expect("update");
    t.write(first_use(20).when(Cond::Exists))
        .await
        .expect("update");
    assert_eq!(
        must_get(&t, &key).await,
        item("keep", "k", json!({"uses": 2, "last": 20, "first": 10}))
    );
    // Alone it is a change too, in a transaction as well.
    t.transact(vec![Write::update(key.clone()).set_if_absent("other", "x")])
        .await
        .expect("transaction");
    assert_eq!(must_get(&t, &key).await["other"], json!("x"));
    assert!(matches!(
        t.write(Write::update(key.clone()).set_if_absent("pk", "x"))
            .await,
        Err(TableError::Invalid(_))
    ));
}

async fn a_conditional_counter_stops_at_its_limit_under_concurrent_increments(t: T) {
    let key = Key::new("counter", "k");
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let t = t.clone();
            let key = key.clone();
            tokio::spawn(async move {
                t.write(Write::update(key).add("n", 1).when(Cond::Or(vec![
                    Cond::Absent("n".into()),
                    Cond::Lt("n".into(), 10),
                ])))
                .await
            })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(()) => ok += 1,
            Err(TableError::ConditionFailed { index: 0 }) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(ok, 10);
    assert_eq!(must_get(&t, &key).await["n"], json!(10));
}

async fn a_failed_transaction_applies_nothing_and_reports_the_failing_write(t: T) {
    let taken = item("tx", "taken", json!({"v": "original"}));
    t.write(Write::put(taken.clone())).await.expect("put");
    let result = t
        .transact(vec![
            Write::put(item("tx", "a", json!({"v": 1}))),
            Write::update(Key::new("tx", "b")).add("n", 1),
            Write::put_new(item("tx", "taken", json!({"v": "replaced"}))),
            Write::Delete {
                key: Key::new("tx", "c"),
                cond: None,
            },
        ])
        .await;
    assert_eq!(result, Err(TableError::ConditionFailed { index: 2 }));
    assert_eq!(t.get(&Key::new("tx", "a")).await.expect("get"), None);
    assert_eq!(t.get(&Key::new("tx", "b")).await.expect("get"), None);
    assert_eq!(must_get(&t, &Key::new("tx", "taken")).await, taken);

    // A failing check names its own position, even when later writes would fail too.
    let result = t
        .transact(vec![
            Write::put(item("tx", "a", json!({}))),
            Write::Check {
                key: Key::new("tx", "missing"),
                cond: Cond::Exists,
            },
            Write::put_new(item("tx", "taken", json!({}))),
        ])
        .await;
    assert_eq!(result, Err(TableError::ConditionFailed { index: 1 }));
    assert_eq!(t.get(&Key::new("tx", "a")).await.expect("get"), None);
}

async fn a_transaction_applies_all_its_writes(t: T) {
    t.write(Write::put(item("ta", "old", json!({"v": 1}))))
        .await
        .expect("put");
    t.write(Write::put(item("ta", "counter", json!({"n": 5}))))
        .await
        .expect("put");
    t.write(Write::put(item("ta", "guard", json!({"status": "open"}))))
        .await
        .expect("put");
    t.transact(vec![
        Write::put_new(item("ta", "new", json!({"v": 2}))),
        Write::update(Key::new("ta", "counter"))
            .add("n", 1)
            .set("capacity", 3)
            .when(Cond::Lt("n".into(), 6)),
        Write::Delete {
            key: Key::new("ta", "old"),
            cond: Some(Cond::Exists),
        },
        Write::Check {
            key: Key::new("ta", "guard"),
            cond: Cond::eq("status", "open"),
        },
    ])
    .await
    .expect("transaction");
    assert_eq!(
        must_get(&t, &Key::new("ta", "new")).await,
        item("ta", "new", json!({"v": 2}))
    );
    assert_eq!(
        must_get(&t, &Key::new("ta", "counter")).await,
        item("ta", "counter", json!({"n": 6, "capacity": 3}))
    );
    assert_eq!(t.get(&Key::new("ta", "old")).await.expect("get"), None);
    assert_eq!(
        must_get(&t, &Key::new("ta", "guard")).await,
        item("ta", "guard", json!({"status": "open"}))
    );
}

async fn an_item_that_failed_transactions_wrote_in_a_new_partition_is_absent_and_can_be_written(
    t: T,
) {
    t.write(Write::put(item("held", "taken", json!({}))))
        .await
        .expect("put");
    let fresh = Key::new("fresh", "a");
    // Twice: the first failure leaves the partition empty, the second must not leave the
    // item as anything but absent either (as a join link granted in two transactions a full
    // room refused, then in one that commits).
    for _ in 0..2 {
        let result = t
            .transact(vec![
                Write::put(item("fresh", "a", json!({"v": 1}))),
                Write::put_new(item("held", "taken", json!({}))),
            ])
            .await;
        assert_eq!(result, Err(TableError::ConditionFailed { index: 1 }));
        assert_eq!(t.get(&fresh).await.expect("get"), None);
    }
    assert!(
        t.query_all(&Query::prefix("fresh", "a"))
            .await
            .expect("query")
            .is_empty()
    );
    t.transact(vec![
        Write::put(item("fresh", "a", json!({"v": 2}))),
        Write::update(Key::new("held", "taken")).add("n", 1),
    ])
    .await
    .expect("transaction");
    assert_eq!(
        must_get(&t, &fresh).await,
        item("fresh", "a", json!({"v": 2}))
    );
}

async fn a_transaction_touching_one_key_twice_or_outside_1_to_100_writes_is_invalid(t: T) {
    let twice = t
        .transact(vec![
            Write::put(item("inv", "k", json!({"v": 1}))),
            Write::update(Key::new("inv", "k")).add("n", 1),
        ])
        .await;
    assert!(matches!(twice, Err(TableError::Invalid(_))), "{twice:?}");
    assert_eq!(t.get(&Key::new("inv", "k")).await.expect("get"), None);

    let empty = t.transact(Vec::new()).await;
    assert!(matches!(empty, Err(TableError::Invalid(_))), "{empty:?}");

    let too_many = t
        .transact(
            (0..101)
                .map(|i| Write::put(item("inv", &format!("k{i:03}"), json!({}))))
                .collect(),
        )
        .await;
    assert!(
        matches!(too_many, Err(TableError::Invalid(_))),
        "{too_many:?}"
    );
    assert_eq!(t.get(&Key::new("inv", "k000")).await.expect("get"), None);
}

async fn requests_the_table_refuses_are_invalid(t: T) {
    let check = t
        .write(Write::Check {
            key: Key::new("r", "k"),
            cond: Cond::Exists,
        })
        .await;
    assert!(matches!(check, Err(TableError::Invalid(_))), "{check:?}");

    let keyless = t.write(Write::put(Item::new())).await;
    assert!(
        matches!(keyless, Err(TableError::Invalid(_))),
        "{keyless:?}"
    );

    let rekey = t
        .write(Write::update(Key::new("r", "k")).set("sk", "other"))
        .await;
    assert!(matches!(rekey, Err(TableError::Invalid(_))), "{rekey:?}");

    let both = t
        .query(&Query {
            sk_between: Some(("a".into(), "b".into())),
            ..Query::prefix("r", "a")
        })
        .await;
    assert!(matches!(both, Err(TableError::Invalid(_))), "{both:?}");

    let zero = t
        .query(&Query {
            limit: Some(0),
            ..Query::prefix("r", "a")
        })
        .await;
    assert!(matches!(zero, Err(TableError::Invalid(_))), "{zero:?}");
}

async fn eq_ne_absent_lt_le_and_or_conditions_behave_as_documented(t: T) {
    let key = Key::new("cond", "k");
    t.write(Write::put(item(
        "cond",
        "k",
        json!({"status": "open", "capacity": 5, "name": "Rust", "tags": ["a"]}),
    )))
    .await
    .expect("put");
    let s = |a: &str| a.to_owned();
    let cases: Vec<(Cond, bool)> = vec![
        (Cond::Exists, true),
        (Cond::NotExists, false),
        (Cond::eq("status", "open"), true),
        (Cond::eq("status", "closed"), false),
        (Cond::eq("capacity", 5), true),
        (Cond::eq("capacity", 5.0), true),
        (Cond::eq("capacity", "5"), false),
        (Cond::eq("tags", json!(["a"])), true),
        (Cond::eq("missing", "x"), false),
        (Cond::Ne(s("status"), json!("closed")), true),
        (Cond::Ne(s("status"), json!("open")), false),
        (Cond::Ne(s("missing"), json!("x")), true),
        (Cond::Absent(s("missing")), true),
        (Cond::Absent(s("status")), false),
        (Cond::Lt(s("capacity"), 6), true),
        (Cond::Lt(s("capacity"), 5), false),
        (Cond::Le(s("capacity"), 5), true),
        (Cond::Le(s("capacity"), 4), false),
        (Cond::Lt(s("missing"), 100), false),
        (Cond::Le(s("missing"), 100), false),
        (Cond::Lt(s("name"), 100), false),
        (Cond::Gt(s("capacity"), 4), true),
        (Cond::Gt(s("capacity"), 5), false),
        (Cond::Gt(s("missing"), -100), false),
        (Cond::Gt(s("name"), -100), false),
        (
            Cond::And(vec![Cond::eq("status", "open"), Cond::Absent(s("missing"))]),
            true,
        ),
        (
            Cond::And(vec![Cond::eq("status", "open"), Cond::Absent(s("name"))]),
            false,
        ),
        (
            Cond::Or(vec![
                Cond::eq("status", "closed"),
                Cond::Le(s("capacity"), 5),
            ]),
            true,
        ),
        (
            Cond::Or(vec![
                Cond::eq("status", "closed"),
                Cond::Lt(s("capacity"), 5),
            ]),
            false,
        ),
        (
            Cond::Or(vec![
                Cond::And(vec![Cond::Exists, Cond::eq("name", "Go")]),
                Cond::And(vec![Cond::eq("name", "Rust"), Cond::Lt(s("capacity"), 9)]),
            ]),
            true,
        ),
        (Cond::And(Vec::new()), true),
        (Cond::Or(Vec::new()), false),
    ];
    for (cond, expected) in &cases {
        assert_eq!(
            holds(&t, &key, cond.clone()).await,
            *expected,
            "{cond:?} on an existing item"
        );
    }

    // Against no item at all every attribute is absent.
    let none = Key::new("cond", "none");
    let on_nothing: Vec<(Cond, bool)> = vec![
        (Cond::NotExists, true),
        (Cond::Exists, false),
        (Cond::Absent(s("status")), true),
        (Cond::eq("status", "open"), false),
        (Cond::Ne(s("status"), json!("open")), true),
        (Cond::Lt(s("capacity"), 1), false),
    ];
    for (cond, expected) in &on_nothing {
        assert_eq!(
            holds(&t, &none, cond.clone()).await,
            *expected,
            "{cond:?} on no item"
        );
    }
    assert_eq!(t.get(&none).await.expect("get"), None);

    // The same conditions guard single writes.
    assert_eq!(
        t.write(
            Write::update(key.clone())
                .set("status", "full")
                .when(Cond::eq("status", "closed"))
        )
        .await,
        Err(TableError::ConditionFailed { index: 0 })
    );
    t.write(
        Write::update(key.clone())
            .set("status", "full")
            .when(Cond::And(vec![
                Cond::eq("status", "open"),
                Cond::Le(s("capacity"), 5),
            ])),
    )
    .await
    .expect("conditional update");
    assert_eq!(must_get(&t, &key).await["status"], json!("full"));
}

async fn delete_with_a_condition_deletes_only_when_it_holds(t: T) {
    let key = Key::new("del", "k");
    t.write(Write::put(item("del", "k", json!({"status": "open"}))))
        .await
        .expect("put");
    let guarded = |c: Cond| Write::Delete {
        key: key.clone(),
        cond: Some(c),
    };
    assert_eq!(
        t.write(guarded(Cond::eq("status", "closed"))).await,
        Err(TableError::ConditionFailed { index: 0 })
    );
    assert!(t.get(&key).await.expect("get").is_some());
    t.write(guarded(Cond::eq("status", "open")))
        .await
        .expect("delete");
    assert_eq!(t.get(&key).await.expect("get"), None);
    assert_eq!(
        t.write(guarded(Cond::Exists)).await,
        Err(TableError::ConditionFailed { index: 0 })
    );
    // Deleting what is not there is fine without a condition.
    t.write(Write::Delete {
        key: key.clone(),
        cond: None,
    })
    .await
    .expect("unconditional delete");
}

/// `pk` "q" holds a#1…a#7 (inserted out of order), b#1 and c#1; `pk` "other" holds a#0.
async fn seed_query_items(t: &T) {
    for n in [4, 1, 7, 3, 6, 2, 5] {
        t.write(Write::put(item(
            "q",
            &format!("a#{n}"),
            json!({"n": n, "even": n % 2 == 0, "name": format!("item {n}")}),
        )))
        .await
        .expect("put");
    }
    for (pk, sk) in [("q", "b#1"), ("q", "c#1"), ("other", "a#0")] {
        t.write(Write::put(item(pk, sk, json!({"n": 0}))))
            .await
            .expect("put");
    }
}

fn a_items(range: impl Iterator<Item = u32>) -> Vec<String> {
    range.map(|n| format!("a#{n}")).collect()
}

async fn a_query_by_prefix_returns_the_items_in_sort_key_order_or_descending(t: T) {
    seed_query_items(&t).await;
    let page = t.query(&Query::prefix("q", "a#")).await.expect("query");
    assert_eq!(sks(&page.items), a_items(1..=7));
    assert_eq!(page.last, None);
    assert_eq!(
        page.items[0],
        item("q", "a#1", json!({"n": 1, "even": false, "name": "item 1"}))
    );

    let page = t
        .query(&Query {
            descending: true,
            ..Query::prefix("q", "a#")
        })
        .await
        .expect("query");
    assert_eq!(sks(&page.items), a_items((1..=7).rev()));

    let all = t
        .query(&Query {
            pk: "q".into(),
            ..Query::default()
        })
        .await
        .expect("query");
    assert_eq!(all.items.len(), 9);

    let nothing = t.query(&Query::prefix("q", "z#")).await.expect("query");
    assert_eq!(nothing.items, Vec::<Item>::new());
    assert_eq!(nothing.last, None);
}

/// Pages through `q` with `limit`; every page but the last reports `last`. DynamoDB may report
/// `last` on a full final page and then answer an empty page, so one extra page is allowed.
async fn all_pages(t: &T, q: Query, limit: u32) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = t
            .query(&Query {
                after: after.clone(),
                limit: Some(limit),
                ..q.clone()
            })
            .await
            .expect("query");
        pages += 1;
        assert!(page.items.len() <= limit as usize);
        seen.extend(sks(&page.items));
        match page.last {
            Some(last) => {
                assert_eq!(Some(&last), seen.last(), "last is the last item evaluated");
                after = Some(last);
            }
            None => break,
        }
        assert!(pages <= 20, "paging does not end");
    }
    seen
}

async fn paging_with_limit_and_after_visits_every_item_exactly_once(t: T) {
    seed_query_items(&t).await;
    for limit in [1, 2, 3, 7, 10] {
        let seen = all_pages(&t, Query::prefix("q", "a#"), limit).await;
        assert_eq!(seen, a_items(1..=7), "ascending with limit {limit}");
        let seen = all_pages(
            &t,
            Query {
                descending: true,
                ..Query::prefix("q", "a#")
            },
            limit,
        )
        .await;
        assert_eq!(
            seen,
            a_items((1..=7).rev()),
            "descending with limit {limit}"
        );
        let unique: BTreeSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len());
    }
    let first = t
        .query(&Query {
            limit: Some(3),
            ..Query::prefix("q", "a#")
        })
        .await
        .expect("query");
    assert_eq!(sks(&first.items), a_items(1..=3));
    assert_eq!(first.last.as_deref(), Some("a#3"));
    // A limit the items do not reach ends the query.
    let whole = t
        .query(&Query {
            limit: Some(8),
            ..Query::prefix("q", "a#")
        })
        .await
        .expect("query");
    assert_eq!(sks(&whole.items), a_items(1..=7));
    assert_eq!(whole.last, None);
}

async fn a_query_between_two_sort_keys_includes_both_ends(t: T) {
    seed_query_items(&t).await;
    let between = |from: &str, to: &str| Query {
        pk: "q".into(),
        sk_between: Some((from.into(), to.into())),
        ..Query::default()
    };
    let page = t.query(&between("a#2", "a#4")).await.expect("query");
    assert_eq!(sks(&page.items), a_items(2..=4));
    let page = t.query(&between("a#6", "b#9")).await.expect("query");
    assert_eq!(sks(&page.items), vec!["a#6", "a#7", "b#1"]);
    let page = t
        .query(&Query {
            descending: true,
            limit: Some(2),
            ..between("a#2", "a#6")
        })
        .await
        .expect("query");
    assert_eq!(sks(&page.items), vec!["a#6", "a#5"]);
    assert_eq!(page.last.as_deref(), Some("a#5"));
    let seen = all_pages(&t, between("a#2", "a#6"), 2).await;
    assert_eq!(seen, a_items(2..=6));
}

async fn a_query_filter_applies_after_the_limit(t: T) {
    seed_query_items(&t).await;
    let evens = |limit: u32, after: Option<&str>| Query {
        limit: Some(limit),
        after: after.map(str::to_owned),
        filter: Some(Cond::eq("even", true)),
        ..Query::prefix("q", "a#")
    };
    // Limit counts the items evaluated (a#1, a#2), not those the filter keeps.
    let page = t.query(&evens(2, None)).await.expect("query");
    assert_eq!(sks(&page.items), vec!["a#2"]);
    assert_eq!(page.last.as_deref(), Some("a#2"));
    let page = t.query(&evens(1, None)).await.expect("query");
    assert_eq!(page.items, Vec::<Item>::new());
    assert_eq!(page.last.as_deref(), Some("a#1"));
    let page = t.query(&evens(3, Some("a#2"))).await.expect("query");
    assert_eq!(sks(&page.items), vec!["a#4"]);
    assert_eq!(page.last.as_deref(), Some("a#5"));

    // Without a limit the filter sees everything; conditions on reserved words work here too.
    let page = t
        .query(&Query {
            filter: Some(Cond::Or(vec![
                Cond::eq("name", "item 3"),
                Cond::And(vec![Cond::Le("n".into(), 2), Cond::Exists]),
            ])),
            ..Query::prefix("q", "a#")
        })
        .await
        .expect("query");
    assert_eq!(sks(&page.items), vec!["a#1", "a#2", "a#3"]);
    let page = t
        .query(&Query {
            filter: Some(Cond::NotExists),
            ..Query::prefix("q", "a#")
        })
        .await
        .expect("query");
    assert_eq!(page.items, Vec::<Item>::new());
}

async fn a_count_is_the_number_of_items_the_query_would_return_over_all_pages(t: T) {
    seed_query_items(&t).await;
    let between = Query {
        pk: "q".into(),
        sk_between: Some(("a#2".into(), "a#6".into())),
        ..Query::default()
    };
    let evens = Query {
        filter: Some(Cond::eq("even", true)),
        ..Query::prefix("q", "a#")
    };
    for (q, n) in [
        (Query::prefix("q", "a#"), 7),
        (between, 5),
        (evens, 3),
        (Query::prefix("q", "z#"), 0),
        (
            Query {
                pk: "q".into(),
                ..Query::default()
            },
            9,
        ),
    ] {
        assert_eq!(t.count(&q).await.expect("count"), n, "{q:?}");
        // Small pages count the same: the count runs to the last page.
        let paged = Query {
            limit: Some(2),
            ..q.clone()
        };
        assert_eq!(t.count(&paged).await.expect("count"), n, "{paged:?}");
    }
}

async fn update_returning_returns_the_item_as_it_is_afterwards(t: T) {
    let key = Key::new("ret", "k");
    let after = t
        .update_returning(Write::update(key.clone()).add("seq", 1).set("label", "x"))
        .await
        .expect("update");
    assert_eq!(after, item("ret", "k", json!({"seq": 1, "label": "x"})));
    let after = t
        .update_returning(
            Write::update(key.clone())
                .add("seq", 1)
                .remove("label")
                .when(Cond::Lt("seq".into(), 2)),
        )
        .await
        .expect("update");
    assert_eq!(after, item("ret", "k", json!({"seq": 2})));
    assert_eq!(
        t.update_returning(
            Write::update(key.clone())
                .add("seq", 1)
                .when(Cond::Lt("seq".into(), 2))
        )
        .await,
        Err(TableError::ConditionFailed { index: 0 })
    );
    assert_eq!(
        must_get(&t, &key).await,
        item("ret", "k", json!({"seq": 2}))
    );

    let put = item("ret", "p", json!({"v": [1, 2]}));
    assert_eq!(
        t.update_returning(Write::put_new(put.clone())).await,
        Ok(put.clone())
    );
    assert_eq!(
        t.update_returning(Write::put_new(put.clone())).await,
        Err(TableError::ConditionFailed { index: 0 })
    );
}

async fn concurrent_put_new_of_one_key_lets_exactly_one_writer_win(t: T) {
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let t = t.clone();
            tokio::spawn(async move {
                let r = t
                    .write(Write::put_new(item("race", "k", json!({"writer": i}))))
                    .await;
                (i, r)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            (i, Ok(())) => winners.push(i),
            (_, Err(TableError::ConditionFailed { index: 0 })) => {}
            (_, Err(e)) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(
        must_get(&t, &Key::new("race", "k")).await["writer"],
        json!(winners[0])
    );
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$case(std::sync::Arc::new(plenary::store::MemoryTable::new())).await;
                }
            )*
        }

        mod dynamo {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let table = plenary_tests::dynamo_fixture::fresh_table("contract").await;
                    super::$case(std::sync::Arc::new(table)).await;
                }
            )*
        }
    };
}

contract!(
    put_then_get_round_trips_every_value_type,
    put_new_on_an_existing_key_fails_and_leaves_the_item_unchanged,
    update_creates_an_absent_item_and_add_counts_from_zero,
    set_if_absent_sets_an_absent_attribute_once_beside_the_other_changes,
    a_conditional_counter_stops_at_its_limit_under_concurrent_increments,
    a_failed_transaction_applies_nothing_and_reports_the_failing_write,
    a_transaction_applies_all_its_writes,
    an_item_that_failed_transactions_wrote_in_a_new_partition_is_absent_and_can_be_written,
    a_transaction_touching_one_key_twice_or_outside_1_to_100_writes_is_invalid,
    requests_the_table_refuses_are_invalid,
    eq_ne_absent_lt_le_and_or_conditions_behave_as_documented,
    delete_with_a_condition_deletes_only_when_it_holds,
    a_query_by_prefix_returns_the_items_in_sort_key_order_or_descending,
    paging_with_limit_and_after_visits_every_item_exactly_once,
    a_query_between_two_sort_keys_includes_both_ends,
    a_query_filter_applies_after_the_limit,
    a_count_is_the_number_of_items_the_query_would_return_over_all_pages,
    update_returning_returns_the_item_as_it_is_afterwards,
    concurrent_put_new_of_one_key_lets_exactly_one_writer_win,
    an_item_over_400_kb_is_refused_alone_and_in_a_transaction_and_one_under_is_stored,
    an_eventually_consistent_read_finds_what_a_consistent_one_finds,
);

async fn an_item_over_400_kb_is_refused_alone_and_in_a_transaction_and_one_under_is_stored(t: T) {
    let sized = |sk: &str, chars: usize| item("size", sk, json!({"doc": "x".repeat(chars)}));
    let under = sized("under", 390 * 1024);
    assert!(plenary::store::item_size(&under) < plenary::store::MAX_ITEM_BYTES);
    t.write(Write::put(under.clone()))
        .await
        .expect("under 400 KB");
    assert_eq!(must_get(&t, &Key::new("size", "under")).await, under);
    let over = sized("over", 401 * 1024);
    let alone = t.write(Write::put(over.clone())).await;
    assert!(matches!(alone, Err(TableError::Invalid(_))), "{alone:?}");
    let small = item("size", "small", json!({"n": 1}));
    let together = t.transact(vec![Write::put(small), Write::put(over)]).await;
    assert!(
        matches!(together, Err(TableError::Invalid(_))),
        "{together:?}"
    );
    assert_eq!(t.get(&Key::new("size", "over")).await.unwrap(), None);
    assert_eq!(t.get(&Key::new("size", "small")).await.unwrap(), None);
}

async fn an_eventually_consistent_read_finds_what_a_consistent_one_finds(t: T) {
    let it = item("ev", "a", json!({"n": 1}));
    t.write(Write::put(it.clone())).await.unwrap();
    assert_eq!(
        t.get_eventually(&Key::new("ev", "a")).await.unwrap(),
        Some(it.clone())
    );
    assert_eq!(t.get_eventually(&Key::new("ev", "b")).await.unwrap(), None);
    let page = t
        .query(&Query {
            eventually: true,
            ..Query::prefix("ev", "a")
        })
        .await
        .unwrap();
    assert_eq!(page.items, vec![it]);
}

/// Creating the table again (as every cold start of the local stack does) is harmless.
#[tokio::test]
async fn ensuring_an_existing_dynamodb_table_again_succeeds() {
    let client = plenary_tests::dynamo_fixture::client().await;
    let name = plenary_tests::dynamo_fixture::unique_table_name("ensure");
    plenary::store::ensure_table(&client, &name)
        .await
        .expect("first ensure_table");
    plenary::store::ensure_table(&client, &name)
        .await
        .expect("second ensure_table");
}
