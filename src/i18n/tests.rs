use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use super::*;

/// Each message id (with `.attribute` ids) of a catalogue and the variables its text uses.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    fn inline(e: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, vars),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, vars);
                }
            }
            _ => {}
        }
    }
    fn expr(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(i) => inline(i, vars),
            ast::Expression::Select { selector, variants } => {
                inline(selector, vars);
                for v in variants {
                    pattern(&v.value, vars);
                }
            }
        }
    }
    fn pattern(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for element in &p.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expr(expression, vars);
            }
        }
    }
    let resource = fluent_syntax::parser::parse(source).expect("the catalogue parses");
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let ast::Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(value) = &m.value {
                pattern(value, &mut vars);
            }
            out.insert(m.id.name.to_string(), vars);
            for a in &m.attributes {
                let mut vars = BTreeSet::new();
                pattern(&a.value, &mut vars);
                out.insert(format!("{}.{}", m.id.name, a.id.name), vars);
            }
        }
    }
    out
}

#[test]
fn every_catalogue_parses_and_loads() {
    init().unwrap();
    for (lang, source) in sources() {
        assert!(!messages(source).is_empty(), "{}", lang.tag());
    }
}

#[test]
fn every_language_has_every_message_with_the_same_variables() {
    let english = messages(SOURCES[0]);
    for (lang, source) in sources().skip(1) {
        let other = messages(source);
        let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
        let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "{} has keys English lacks: {extra:?}",
            lang.tag()
        );
        for (key, vars) in &english {
            assert_eq!(
                &other[key],
                vars,
                "{} {key} uses other variables than English",
                lang.tag()
            );
        }
    }
}

/// Every key a template or the Rust code names (`t(k="...")`, `text(lang, "...")`).
fn keys_used() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut keys = BTreeSet::new();
    let mut scan = |text: &str, marker: &str| {
        for (i, _) in text.match_indices(marker) {
            let rest = &text[i + marker.len()..];
            if let Some(end) = rest.find('"') {
                keys.insert(rest[..end].to_string());
            }
        }
    };
    let mut files = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for path in files {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(ext, "html" | "rs") || path.ends_with("i18n/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        scan(&text, "t(k=\"");
        scan(&text, "text(lang, \"");
        scan(&text, "text(self.lang, \"");
    }
    keys
}

#[test]
fn every_key_the_pages_use_is_in_the_catalogue() {
    let english = messages(SOURCES[0]);
    let used = keys_used();
    assert!(used.len() > 100, "the scan found {} keys", used.len());
    let missing: Vec<_> = used.iter().filter(|k| !english.contains_key(*k)).collect();
    assert!(missing.is_empty(), "not in en.ftl: {missing:?}");
}

#[test]
fn a_missing_message_falls_back_to_english_then_to_its_key() {
    assert_eq!(text(Lang::De, "no-such-key", &[]), "no-such-key");
    assert_eq!(
        text(Lang::De, "lang-switch-label", &[]),
        "Sprache",
        "the German catalogue is used"
    );
}

#[test]
fn plural_forms_follow_the_language() {
    let n = |lang, n| text(lang, "rel-past-days", &[("n", Arg::Num(n))]);
    assert_eq!(n(Lang::En, 1), "1 day ago");
    assert_eq!(n(Lang::En, 3), "3 days ago");
    assert_eq!(n(Lang::De, 1), "vor 1 Tag");
    assert_eq!(n(Lang::De, 3), "vor 3 Tagen");
    assert_eq!(n(Lang::Ja, 3), "3日前");
}

#[test]
fn the_cookie_wins_then_the_best_accepted_language_then_english() {
    assert_eq!(negotiate(Some("ja"), Some("de")), Lang::Ja);
    assert_eq!(negotiate(Some("xx"), Some("de-CH, en;q=0.5")), Lang::De);
    assert_eq!(negotiate(None, Some("fr, ja;q=0.9, de;q=0.8")), Lang::Ja);
    assert_eq!(negotiate(None, Some("en;q=0.2, de;q=0.9")), Lang::De);
    assert_eq!(negotiate(None, Some("de;q=0, en")), Lang::En);
    assert_eq!(negotiate(None, Some("fr, es")), Lang::En);
    assert_eq!(negotiate(None, Some("*")), Lang::En);
    assert_eq!(negotiate(None, Some("de;q=abc")), Lang::De);
    assert_eq!(negotiate(None, None), Lang::En);
}

#[test]
fn every_message_rust_words_for_a_form_has_words_in_every_language() {
    use crate::consents::account::PasswordChangeError as P;
    use crate::email_link::ResetError as R;
    let mut english: Vec<String> = [
        P::WrongCurrent,
        P::TooShort,
        P::TooLong,
        P::Mismatch,
        P::NoUser,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    english.extend(
        [R::InvalidLink, R::TooShort, R::TooLong, R::Mismatch]
            .iter()
            .map(ToString::to_string),
    );
    for bad in ["a b@example.com", "nobody", &"x".repeat(300)] {
        english.push(crate::domain::Email::parse(bad).unwrap_err());
    }
    english.push(format!(
        "Demo: sign in as {} with the password {}.",
        crate::demo::DEMO_EMAIL,
        crate::demo::DEMO_PASSWORD
    ));
    for text in &english {
        assert_eq!(&from_english(Lang::En, text), text);
        for lang in [Lang::De, Lang::Ja] {
            let worded = from_english(lang, text);
            assert_ne!(&worded, text, "{} has no words for {text:?}", lang.tag());
        }
    }
}

#[test]
fn the_navigation_landmarks_of_a_page_have_different_names_in_every_language() {
    // axe's landmark-unique: the header's, the account tabs' and the language switch's <nav>.
    for lang in LANGS {
        let names: BTreeSet<String> = ["nav-label", "tabs-label", "lang-switch-label"]
            .iter()
            .map(|k| text(lang, k, &[]))
            .collect();
        assert_eq!(names.len(), 3, "{}: {names:?}", lang.tag());
    }
}
