//! `Offer.Full` implies only the grantable actions of its offer: with `Mail.Send` not grantable, a
//! granted `Mail.Full` never makes `permission=Mail.Send` active.

use super::*;

#[tokio::test]
async fn full_never_makes_a_non_grantable_action_active() {
    let w = World::new().await;
    let db = &w.app.state.db;
    let mail = admin::create_provider(db, "Mail service", false, 1).unwrap();
    let actions = [
        ("Read", "Read your mail"),
        ("Send", "Send mail as you"),
        ("Full", "All of your mail"),
    ]
    .map(|(a, d)| (a.to_string(), d.to_string()));
    admin::add_offer(db, &mail.rp_id, "Mail", &actions, &["Send".to_string()]).unwrap();
    let issued = w.grant(&["Mail.Full"]);
    let t = issued.delegation_token.as_str();
    let asked = |p: &'static str| [("token", t), ("permission", p)];
    assert_eq!(w.check(&mail, &asked("Mail.Read")).await["active"], true);
    assert_eq!(w.check(&mail, &asked("Mail.Full")).await["active"], true);
    assert_eq!(w.check(&mail, &asked("Mail.Send")).await, inactive());
    assert_eq!(
        w.check(&mail, &asked("Mail.Delete")).await,
        inactive(),
        "no such action"
    );
    // A grantable action of a Full offer is still implied.
    let contacts = w.grant(&["Contacts.Full"]);
    let form = [
        ("token", contacts.delegation_token.as_str()),
        ("permission", "Contacts.Write"),
    ];
    assert_eq!(w.check(&w.contacts, &form).await["active"], true);
}
