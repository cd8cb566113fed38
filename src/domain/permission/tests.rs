//! Unit tests of the parent module.
use super::PermissionError::*;
use super::*;

fn p(s: &str) -> Permission {
    Permission::parse(s).unwrap()
}

fn list(s: &str) -> PermissionList {
    PermissionList::parse_ps(s).unwrap()
}

fn catalogue() -> Catalogue {
    let mut c = Catalogue::new();
    for (action, grantable) in [("Read", true), ("Write", true), ("Full", true)] {
        c.add(
            "Contacts",
            action,
            &format!("{action} contacts"),
            grantable,
            7,
        );
    }
    c.add("Profiles", "Read", "Read your profile", true, 1);
    c.add("Profiles", "Write", "Change your profile", false, 1);
    c
}

/// Resolve `ps` against `c`, giving (permission, description, provider) rows.
fn resolve(c: &Catalogue, ps: &str) -> Result<Vec<(String, String, i64)>, PermissionError> {
    let rows = c.resolve(&list(ps))?.into_iter();
    Ok(rows
        .map(|r| (r.permission.to_string(), r.description, r.provider))
        .collect())
}

fn row(p: &str, d: &str, provider: i64) -> (String, String, i64) {
    (p.to_owned(), d.to_owned(), provider)
}

#[test]
fn a_well_formed_permission_parses_and_displays_the_same() {
    let perm = p("  Contacts.Read\t");
    assert_eq!((perm.offer(), perm.action()), ("Contacts", "Read"));
    assert_eq!(String::from(perm.clone()), "Contacts.Read");
    assert_eq!(
        Permission::try_from("My_T2.Full".to_owned()),
        Ok(p("My_T2.Full"))
    );
    assert!(p("A.Full").is_full() && !perm.is_full());
    assert!(Permission::parse(&format!("{}.Read", "A".repeat(64))).is_ok());
}

#[test]
fn malformed_permissions_are_refused() {
    let long = format!("{}.Read", "A".repeat(65));
    let bad = "Contacts|Contacts.Read.Write|.Read|Contacts.||Con tacts.Read|Contacts. Read|\
               Contäcts.Read|1Contacts.Read|Contacts.1|_A.Read|Contacts.Read!";
    for bad in bad.split('|').chain([long.as_str()]) {
        assert_eq!(
            Permission::parse(bad),
            Err(Malformed(bad.to_owned())),
            "{bad}"
        );
    }
}

#[test]
fn ps_ignores_spaces_and_drops_duplicates_keeping_order() {
    let l = list(" News.Write , Contacts.Read,News.Write,Contacts.Read ");
    assert_eq!(l.len(), 2);
    assert_eq!(l.into_vec(), vec![p("News.Write"), p("Contacts.Read")]);
}

#[test]
fn ps_with_an_empty_entry_or_nothing_is_refused() {
    let err = |s| PermissionList::parse_ps(s).unwrap_err();
    assert_eq!(err("A.Read,,B.Read"), Malformed(String::new()));
    assert_eq!(err("A.Read,"), Malformed(String::new()));
    assert_eq!((err(""), err("  ")), (Empty, Empty));
    assert_eq!(err("A.Read;B.Read"), Malformed("A.Read;B.Read".into()));
}

#[test]
fn ps_with_too_many_entries_or_characters_is_refused() {
    let many: Vec<String> = (0..65).map(|i| format!("O{i}.Read")).collect();
    assert_eq!(PermissionList::parse_ps(&many.join(",")), Err(TooMany));
    assert_eq!(list(&many[..64].join(",")).len(), 64);
    let long = format!("A.Read{}", " ".repeat(4096));
    assert_eq!(PermissionList::parse_ps(&long), Err(TooMany));
}

#[test]
fn scope_is_space_separated() {
    let l = PermissionList::parse_scope("Contacts.Read  Profiles.Read Contacts.Read").unwrap();
    let got: Vec<_> = l.iter().cloned().collect();
    assert_eq!(got, vec![p("Contacts.Read"), p("Profiles.Read")]);
    assert_eq!(PermissionList::parse_scope(" "), Err(Empty));
    assert!(PermissionList::parse_scope("Contacts.Read,Profiles.Read").is_err());
}

#[test]
fn from_vec_drops_duplicates() {
    let l = PermissionList::from_vec(vec![p("A.Read"), p("A.Read"), p("B.Read")]);
    assert_eq!(l.len(), 2);
    assert!(PermissionList::from_vec(vec![]).is_empty());
}

#[test]
fn full_implies_the_grantable_actions_of_its_own_offer_only() {
    let mut c = catalogue();
    c.add("Contacts", "View", "View contacts", true, 7);
    c.add("Mail", "Read", "Read mail", true, 9);
    c.add("Mail", "Send", "Send mail as you", false, 9);
    c.add("Mail", "Full", "All of your mail", true, 9);
    let full = p("Contacts.Full");
    assert!(c.implies(&full, &p("Contacts.Read")) && c.implies(&full, &p("Contacts.View")));
    assert!(!c.implies(&full, &p("News.Read")));
    assert!(!c.implies(&p("Contacts.Read"), &p("Contacts.Write")));
    assert!(!c.implies(&p("Contacts.Read"), &p("Contacts.Full")));
    assert!(!c.implies(&p("contacts.Full"), &p("Contacts.Read")));
    assert!(c.allows(&[p("News.Read"), full], &p("Contacts.Write")));
    assert!(!c.allows(&[p("News.Read")], &p("News.Write")));
    // Not grantable, or no such action: Full does not reach it.
    assert!(c.implies(&p("Mail.Full"), &p("Mail.Read")));
    assert!(!c.implies(&p("Mail.Full"), &p("Mail.Send")));
    assert!(!c.implies(&p("Contacts.Full"), &p("Contacts.Delete")));
    // A custom type's Full implies its Read and Write, nothing else.
    c.add_custom_type_provider(5, "Custom");
    assert!(c.implies(&p("Photos.Full"), &p("Photos.Read")));
    assert!(!c.implies(&p("Photos.Full"), &p("Photos.Delete")));
}

#[test]
fn resolve_gives_descriptions_in_request_order() {
    let got = resolve(&catalogue(), "Profiles.Read,Contacts.Write").unwrap();
    let want = [
        row("Profiles.Read", "Read your profile", 1),
        row("Contacts.Write", "Write contacts", 7),
    ];
    assert_eq!(got, want);
}

#[test]
fn resolve_names_an_unknown_offer() {
    let err = resolve(&catalogue(), "Contacts.Read,Music.Read").unwrap_err();
    assert_eq!(err, UnknownOffer("Music.Read".into()));
    assert!(err.to_string().contains("Music.Read"));
}

#[test]
fn resolve_names_an_unknown_action() {
    let err = resolve(&catalogue(), "Contacts.Fly");
    assert_eq!(err, Err(UnknownAction("Contacts.Fly".into())));
    assert_eq!(
        resolve(&catalogue(), "contacts.Read"),
        Err(UnknownOffer("contacts.Read".into()))
    );
}

#[test]
fn resolve_refuses_a_non_grantable_action_naming_it() {
    let err = resolve(&catalogue(), "Profiles.Read,Profiles.Write").unwrap_err();
    assert_eq!(err, NotGrantable("Profiles.Write".into()));
    let msg = "the permission Profiles.Write can not be granted to websites";
    assert_eq!(err.to_string(), msg);
}

#[test]
fn custom_types_need_a_custom_type_provider_and_a_standard_action() {
    let mut c = catalogue();
    assert_eq!(
        resolve(&c, "Music.Write"),
        Err(UnknownOffer("Music.Write".into()))
    );
    c.add_custom_type_provider(9, "Files");
    c.add_custom_type_provider(10, "Other");
    let got = resolve(&c, "Music.Write,Photos.Full,Music.Read").unwrap();
    let want = [
        row(
            "Music.Write",
            "Add to and change your \u{201c}Music\u{201d} data, kept by Files (no description \
             was given)",
            9,
        ),
        row(
            "Photos.Full",
            "Read, add to and change your \u{201c}Photos\u{201d} data, kept by Files (no \
             description was given)",
            9,
        ),
        row(
            "Music.Read",
            "Read your \u{201c}Music\u{201d} data, kept by Files (no description was given)",
            9,
        ),
    ];
    assert_eq!(got, want);
    assert_eq!(
        resolve(&c, "Music.Fly"),
        Err(UnknownAction("Music.Fly".into()))
    );
    assert_eq!(
        resolve(&c, "Contacts.Fly"),
        Err(UnknownAction("Contacts.Fly".into()))
    );
    assert_eq!(
        resolve(&c, "Profiles.Write"),
        Err(NotGrantable("Profiles.Write".into()))
    );
}

#[test]
fn owner_covers_registered_offers_and_custom_types() {
    let mut c = catalogue();
    assert_eq!(c.owner(&p("Contacts.Read")), Some(7));
    assert_eq!(c.owner(&p("Profiles.Write")), Some(1));
    assert_eq!(c.owner(&p("Music.Read")), None);
    c.add_custom_type_provider(9, "Files");
    assert_eq!(c.owner(&p("Music.Read")), Some(9));
    assert_eq!(c.owner(&p("Music.Fly")), None);
    assert_eq!(c.owner(&p("Contacts.Fly")), Some(7));
}

#[test]
fn expiry_choices_parse_and_have_labels() {
    assert_eq!(
        (parse_expiry_days("30"), parse_expiry_days(" 365 ")),
        (Some(30), Some(365))
    );
    for bad in ["", "0", "2", "-1", "30d", "1e3", "99999999999999999999"] {
        assert_eq!(parse_expiry_days(bad), None, "{bad}");
    }
    assert!(EXPIRY_DAYS.contains(&DEFAULT_EXPIRY_DAYS));
}

#[test]
fn other_actions_say_what_full_includes_and_what_write_does_not() {
    let mut c = Catalogue::new();
    c.add("Mail", "Read", "Read your mail", true, 1);
    c.add("Mail", "Write", "Write drafts", true, 1);
    c.add("Mail", "Send", "Send mail as you", false, 1);
    c.add("Mail", "Full", "Full access to your mail", true, 1);
    let names = |v: Vec<(Permission, String)>| -> Vec<(String, String)> {
        v.into_iter().map(|(p, d)| (p.to_string(), d)).collect()
    };
    // Full includes the grantable actions it implies, never the ungrantable Send, never itself.
    let full = names(c.other_actions(&p("Mail.Full")));
    assert_eq!(
        full,
        [
            ("Mail.Read".to_string(), "Read your mail".to_string()),
            ("Mail.Write".to_string(), "Write drafts".to_string())
        ]
    );
    for (other, _) in &full {
        assert!(c.implies(&p("Mail.Full"), &p(other)));
    }
    assert_eq!(
        names(c.other_actions(&p("Mail.Write"))),
        [("Mail.Read".to_string(), "Read your mail".to_string())]
    );
    assert!(c.other_actions(&p("Nobody.Full")).is_empty());
    c.add_custom_type_provider(9, "Files");
    let custom = names(c.other_actions(&p("Photos.Full")));
    assert_eq!(
        custom.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["Photos.Read", "Photos.Write"]
    );
}
