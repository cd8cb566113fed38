//! The languages of Assent's pages: which one a request gets (`assent_lang` cookie, set by the
//! language switch, else `Accept-Language`, else English), and the message catalogue, one Fluent
//! file per language under `templates/locales`, embedded in the binary. Templates call `t(k=..)`
//! (see [`crate::templates`]); Rust code that words something for a page calls [`text`].
//!
//! A message missing in a language falls back to English (and is logged); the tests fail when any
//! language lacks a key of another, or uses other variables.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

mod negotiate;
pub use negotiate::{negotiate, LANG_COOKIE};

/// A language Assent's pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the source language.
    #[default]
    En,
    /// German.
    De,
    /// Japanese.
    Ja,
}

/// Every shipped language, in the order the switch lists them.
pub const LANGS: [Lang; 3] = [Lang::En, Lang::De, Lang::Ja];

/// The catalogue files, in [`LANGS`] order.
const SOURCES: [&str; 3] = [
    include_str!("../../templates/locales/en.ftl"),
    include_str!("../../templates/locales/de.ftl"),
    include_str!("../../templates/locales/ja.ftl"),
];

impl Lang {
    /// The BCP 47 tag (`<html lang>`, the cookie's value).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Ja => "ja",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Ja => "日本語",
        }
    }

    /// The language of a tag or its primary subtag (`de`, `de-AT`, `JA-jp`), if shipped.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        LANGS
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// Its place in [`LANGS`].
    pub(crate) fn index(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::De => 1,
            Lang::Ja => 2,
        }
    }
}

struct Catalogue {
    bundles: Vec<FluentBundle<FluentResource>>,
}

static CATALOGUE: OnceLock<Result<Catalogue, String>> = OnceLock::new();

fn bundle_of(lang: Lang, source: &str) -> Result<FluentBundle<FluentResource>, String> {
    let resource = FluentResource::try_new(source.to_string())
        .map_err(|(_, errors)| format!("{}.ftl does not parse: {errors:?}", lang.tag()))?;
    let id: unic_langid::LanguageIdentifier = lang
        .tag()
        .parse()
        .map_err(|e| format!("language tag {}: {e}", lang.tag()))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Pages are HTML in one direction: no bidi isolation marks around placeables.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| format!("{}.ftl repeats messages: {errors:?}", lang.tag()))?;
    Ok(bundle)
}

fn catalogue() -> Result<&'static Catalogue, &'static str> {
    CATALOGUE
        .get_or_init(|| {
            let bundles = LANGS
                .iter()
                .zip(SOURCES)
                .map(|(&lang, source)| bundle_of(lang, source))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Catalogue { bundles })
        })
        .as_ref()
        .map_err(String::as_str)
}

/// Parse every catalogue once; startup calls this so a broken file stops the server at once.
pub fn init() -> Result<(), String> {
    catalogue().map(|_| ()).map_err(str::to_string)
}

/// A message argument.
pub enum Arg<'a> {
    /// Text, inserted as it is (templates escape the whole message).
    Str(&'a str),
    /// A number (plural forms choose by it).
    Num(i64),
}

fn format_in(
    bundle: &FluentBundle<FluentResource>,
    key: &str,
    args: &FluentArgs,
) -> Option<String> {
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(key, ?errors, "message formatted with errors");
    }
    Some(text.into_owned())
}

/// The message `key` in `lang` with `args`; English when `lang` lacks it, the key itself when no
/// language has it (a bug the tests catch).
pub fn text(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Str(s) => fluent_args.set(*name, FluentValue::from(*s)),
            Arg::Num(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    text_with(lang, key, &fluent_args)
}

/// [`text`] with arguments already in Fluent's form (the template function's path).
pub fn text_with(lang: Lang, key: &str, args: &FluentArgs) -> String {
    let Ok(catalogue) = catalogue() else {
        return key.to_string();
    };
    if let Some(text) = format_in(&catalogue.bundles[lang.index()], key, args) {
        return text;
    }
    if lang != Lang::En {
        tracing::warn!(key, lang = lang.tag(), "message missing; English shown");
    }
    format_in(&catalogue.bundles[Lang::En.index()], key, args).unwrap_or_else(|| {
        tracing::warn!(key, "message missing in every language");
        key.to_string()
    })
}

/// Whether `lang` has a message `key` (optional translations: a registered permission's
/// description in another language).
pub fn has(lang: Lang, key: &str) -> bool {
    catalogue().is_ok_and(|c| c.bundles[lang.index()].has_message(key))
}

/// A link's lifetime in words of `lang`: "2 hours", "30 minutes".
pub fn lifetime(lang: Lang, secs: i64) -> String {
    let (key, n) = if secs >= 3600 && secs % 3600 == 0 {
        ("duration-hours", secs / 3600)
    } else if secs >= 60 {
        ("duration-minutes", secs / 60)
    } else {
        ("duration-seconds", secs.max(1))
    };
    text(lang, key, &[("n", Arg::Num(n))])
}

/// A permission's description in `lang`: the catalogue's `perm-<Offer>-<Action>` when it has one
/// (a registered permission's translation), else the words for a custom type nobody described
/// (`perm-custom-<Action>`, when `custom_owner` keeps it), else `registered`, the provider's own
/// description. English pages always show `registered`.
pub fn permission(
    lang: Lang,
    offer: &str,
    action: &str,
    registered: &str,
    custom_owner: Option<&str>,
) -> String {
    if lang == Lang::En {
        return registered.to_string();
    }
    let key = format!("perm-{offer}-{action}");
    if has(lang, &key) {
        return text(lang, &key, &[]);
    }
    match custom_owner {
        Some(owner) if has(lang, &format!("perm-custom-{action}")) => text(
            lang,
            &format!("perm-custom-{action}"),
            &[("offer", Arg::Str(offer)), ("provider", Arg::Str(owner))],
        ),
        _ => registered.to_string(),
    }
}

/// A notice or error that Rust code words in English (a validation message, a notice after a
/// change) in `lang`: the catalogue's message whose English text is exactly `english` (the
/// `flash-` messages, gettext's way), or `english` itself when none is.
pub fn from_english(lang: Lang, english: &str) -> String {
    static BY_TEXT: OnceLock<std::collections::HashMap<String, String>> = OnceLock::new();
    let by_text = BY_TEXT.get_or_init(|| {
        let Ok(catalogue) = catalogue() else {
            return Default::default();
        };
        let english_bundle = &catalogue.bundles[Lang::En.index()];
        let Ok(english_source) = fluent_syntax::parser::parse(SOURCES[0]) else {
            return Default::default();
        };
        english_source
            .body
            .iter()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) if m.id.name.starts_with("flash-") => {
                    Some(m.id.name)
                }
                _ => None,
            })
            .filter_map(|key| {
                let text = format_in(english_bundle, key, &FluentArgs::new())?;
                Some((text, key.to_string()))
            })
            .collect()
    });
    match by_text.get(english) {
        Some(key) => text(lang, key, &[]),
        None => {
            if lang != Lang::En {
                tracing::warn!(english, "no catalogue message has this English text");
            }
            english.to_string()
        }
    }
}

/// Each language's source, for the tests that compare the catalogues.
#[cfg(test)]
pub(crate) fn sources() -> impl Iterator<Item = (Lang, &'static str)> {
    LANGS.into_iter().zip(SOURCES)
}

#[cfg(test)]
mod tests;
