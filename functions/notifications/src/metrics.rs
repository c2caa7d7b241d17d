//! The job's figures as CloudWatch metrics, in the Embedded Metric Format: one JSON line on
//! standard output per run, which Lambda sends to the function's log group and CloudWatch turns
//! into metrics with no API call and no extra permission. The template's `OutboxAgeAlarm` and
//! dashboard read them (namespace `Plenary`, dimension `Function=notifications`).

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::Report;

/// The EMF document of one run at `now`. The oldest message's age is left out when the outbox
/// holds nothing due, so the alarm sees no data rather than a zero it could average away.
pub fn emf(report: &Report, now: Timestamp) -> Value {
    let mut metrics = vec![json!({"Name": "MailsSent", "Unit": "Count"})];
    let mut doc = json!({
        "Function": "notifications",
        "MailsSent": report.sent.len(),
    });
    if let Some(age) = report.oldest_waiting_seconds {
        metrics.push(json!({"Name": "OutboxOldestAgeSeconds", "Unit": "Seconds"}));
        doc["OutboxOldestAgeSeconds"] = json!(age);
    }
    doc["_aws"] = json!({
        "Timestamp": now.as_millisecond(),
        "CloudWatchMetrics": [{
            "Namespace": "Plenary",
            "Dimensions": [["Function"]],
            "Metrics": metrics,
        }],
    });
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(sent: usize, oldest: Option<i64>) -> Report {
        let mut r = Report {
            oldest_waiting_seconds: oldest,
            ..Report::default()
        };
        for i in 0..sent {
            r.sent.push(crate::SentSummary {
                key: plenary::mail::MessageKey::notice(&format!("k{i}")),
                kind: "confirmation",
                registration_id: None,
                event_id: None,
            });
        }
        r
    }

    #[test]
    fn a_run_with_mail_left_reports_what_it_sent_and_how_long_the_oldest_has_waited() {
        let now: Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let doc = emf(&report(3, Some(420)), now);
        assert_eq!(doc["Function"], "notifications");
        assert_eq!(doc["MailsSent"], 3);
        assert_eq!(doc["OutboxOldestAgeSeconds"], 420);
        assert_eq!(doc["_aws"]["Timestamp"], now.as_millisecond());
        let m = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(m["Namespace"], "Plenary");
        assert_eq!(m["Dimensions"], json!([["Function"]]));
        let names: Vec<&str> = m["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["Name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["MailsSent", "OutboxOldestAgeSeconds"]);
    }

    #[test]
    fn an_empty_outbox_gives_the_alarm_no_age_at_all() {
        let doc = emf(&report(0, None), "2021-08-23T08:00:00Z".parse().unwrap());
        assert_eq!(doc["MailsSent"], 0);
        assert!(doc.get("OutboxOldestAgeSeconds").is_none());
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
