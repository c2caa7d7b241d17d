//! The reference website over HTTP: plenary-local serves it on every GET path the API does not
//! own, with its content types and security headers, and the links in emails open its pages.
//! The pages' behaviour in a browser is tested by scripts/browser-test.sh (tests/browser/).

use plenary_tests::flows::*;
use plenary_tests::stack::{LocalStack, Store, header, problem};

#[tokio::test]
async fn the_site_answers_its_pages_and_the_api_keeps_its_problems() {
    let s = LocalStack::start(Store::Memory, &[]);
    for path in [
        "/",
        "/events/qos-workshop-2021",
        "/registration/confirm?token=abc",
        "/registration/manage?token=abc",
        "/unsubscribe?token=abc&lang=ar&event=qos-workshop-2021",
    ] {
        let res = s.get(path).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
        assert!(header(&res, "content-security-policy").contains("script-src 'self'"));
        assert_eq!(header(&res, "referrer-policy"), "no-referrer");
        assert!(res.text().await.unwrap().contains("/assets/common.js"));
    }
    let res = s.get("/assets/site.css").send().await.unwrap();
    assert_eq!(header(&res, "content-type"), "text/css; charset=utf-8");

    let res = s.get("/no/such/page").send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");

    // API and local paths never fall through to the site.
    problem(s.get("/v1/no/such/route").send().await.unwrap(), 404).await;
    problem(s.get("/_local/nothing").send().await.unwrap(), 404).await;
    problem(s.post("/").send().await.unwrap(), 404).await;
}

#[tokio::test]
async fn emailed_links_open_the_sites_pages_by_default() {
    let s = LocalStack::start(Store::Memory, &[]);
    let email = "site-links@example.org";
    let token = register_for_token(&s, "qos-workshop-2021", email).await;
    let link = format!("{}/registration/confirm?token={token}", s.base);
    let mails = mail_to(&s, email).await;
    assert!(
        mails[0]["text"].as_str().unwrap().contains(&link),
        "the confirmation email links to {link}"
    );
    let page = s.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/assets/confirm.js"));

    // Once confirmed, a repeat registration mails the manage link, which opens the manage page.
    assert_eq!(confirm(&s, &token).await.status(), 200);
    assert_eq!(register(&s, "qos-workshop-2021", email).await.status(), 202);
    run_job(&s).await;
    let mails = mail_to(&s, email).await;
    let manage = mails
        .iter()
        .find(|m| m["kind"] == "manage_link")
        .expect("a manage-link email");
    let text = manage["text"].as_str().unwrap();
    let prefix = format!("{}/registration/manage?token=", s.base);
    assert!(text.contains(&prefix), "{text}");
    let page = s
        .http
        .get(format!("{prefix}{}", token_in(manage)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/assets/manage.js"));
}
