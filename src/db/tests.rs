use super::*;

#[test]
fn the_backend_is_chosen_by_the_url_scheme() {
    assert_eq!(
        Backend::from_url("sqlite://assent.db").unwrap(),
        Backend::Sqlite("assent.db".into())
    );
    assert_eq!(
        Backend::from_url("sqlite:///var/lib/a.db").unwrap(),
        Backend::Sqlite("/var/lib/a.db".into())
    );
    assert!(matches!(
        Backend::from_url("postgres://postgres@127.0.0.1/test").unwrap(),
        Backend::Postgres(_)
    ));
    assert!(Backend::from_url("mysql://x").is_err());
    assert!(Backend::from_url("assent.db").is_err());
}
