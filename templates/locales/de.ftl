# Assent's pages in German (Deutsch), translated from en.ftl.
#
# Messages are trusted markup (<strong>, <a href> may stand in them); arguments are escaped by
# the template function. A message used from Rust (error pages, dates, history) is plain text.
# Every language has exactly the keys and variables of en.ftl (the tests check it).

## Every page

skip-to-content = Zum Inhalt springen
nav-home-label = Assent-Startseite
nav-label = Konto
nav-signed-in-as = Angemeldet als { $email }
nav-your-apps = Ihre Apps
nav-sign-out = Abmelden
nav-sign-in = Anmelden
footer-about = Mit Assent entscheiden Sie, welche Websites Ihr Konto nutzen dürfen, was sie tun dürfen und wie lange.
footer-review = Ihre Apps überprüfen
footer-password = Geben Sie Ihr Passwort niemals an andere Websites weiter.
lang-switch-label = Sprache
cancel = Abbrechen
continue = Weiter
privacy-policy = Datenschutzerklärung
opens-new-tab = (wird in einem neuen Tab geöffnet)
list-separator = {"; "}
dates-in-zone = Zeitangaben in der Zeitzone { $zone }.
change-zone = Zeitzone ändern

## Form fields

field-email = E-Mail-Adresse
field-password = Passwort
field-password-hint = { $n ->
    [one] Mindestens 1 Zeichen.
   *[other] Mindestens { $n } Zeichen.
}
field-your-name = Ihr Name
field-name = Name
field-current-password = Aktuelles Passwort
field-new-password = Neues Passwort
field-new-password-again = Neues Passwort wiederholen

## Error pages

error-home = Zur Assent-Startseite
error-details = Details für Entwickler
error-status = Status
error-reason = Grund
error-bad-request = Assent kann mit dieser Anfrage nicht fortfahren
error-bad-request-next = Kehren Sie zu der Website zurück, von der Sie gekommen sind, und versuchen Sie es erneut. Wenn es wieder passiert, informieren Sie diese Website: Die Details unten sind für ihre Entwickler bestimmt.
error-unauthorized = Sie müssen sich erneut anmelden
error-forbidden = Dieses Formular konnte nicht verwendet werden
error-not-found = Seite nicht gefunden
error-not-found-next = Unter dieser Adresse gibt es nichts. Prüfen Sie die Adresse oder beginnen Sie erneut auf der Assent-Startseite.
error-already-decided = Sie haben diese Zugriffsanfrage bereits beantwortet
error-already-decided-next = Durch diese zweite Antwort wurde nichts weiter erlaubt. Kehren Sie zur Website zurück; falls sie weiterhin Zugriff anfordert, beginnen Sie dort von vorn.
error-too-many = Zu viele Versuche
error-too-many-next = { $seconds ->
    [one] Bitte warten Sie 1 Sekunde und versuchen Sie es dann erneut.
   *[other] Bitte warten Sie { $seconds } Sekunden und versuchen Sie es dann erneut.
}
error-unavailable = Bei Assent gibt es gerade Probleme
error-unavailable-next = Es wurde nichts geändert. Bitte versuchen Sie es in ein paar Sekunden erneut.
error-internal = Bei Assent ist etwas schiefgelaufen
error-internal-next = Es wurde nichts geändert. Bitte versuchen Sie es erneut; wenn das Problem weiterhin auftritt, wenden Sie sich an die Betreiber dieses Assent-Dienstes.
error-session-ended = Ihre Sitzung ist beendet. Kehren Sie zur Website zurück und beginnen Sie dort erneut.
error-form-expired = Dieses Formular ist abgelaufen oder stammt nicht von Assent. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-no-account = Dieses Konto existiert nicht mehr.

## Home

home-hello = Hallo { $name }
home-signed-in-as = Sie sind bei Assent als <strong>{ $email }</strong> angemeldet.
home-apps-text = Sehen Sie, welche Websites Ihr Konto nutzen können, was sie dürfen und bis wann. Sie können den Zugriff jederzeit entfernen.
home-demo-title = Demo-Website ausprobieren
home-demo-text = Verbinden Sie „Contoso Contacts“ mit Ihrem Konto und verfolgen Sie den Ablauf der Zustimmung von Anfang bis Ende.
home-hero-title = Ein Konto. Ihre Erlaubnis, jedes Mal.
home-hero-lead = Mit Assent melden Sie sich einmal an und entscheiden genau, was jede Website mit Ihrem Konto tun darf.
home-feature-choose = <strong>Jede Berechtigung einzeln wählen.</strong> Erlauben Sie das Lesen Ihrer Kontakte, ohne Änderungen daran zu erlauben.
home-feature-duration = <strong>Selbst bestimmen, wie lange.</strong> Einen Tag, eine Woche, einen Monat oder ein Jahr: Der Zugriff endet von selbst.
home-feature-revoke = <strong>Jederzeit umentscheiden.</strong> Entfernen Sie den Zugriff einer Website mit einem Schritt.
home-just-looking = Sie möchten sich nur umsehen? <a href="/demo">Probieren Sie die Demo-Website aus</a>, um zu sehen, wie das Verbinden einer App funktioniert.

## Sign in, sign up, passwords

signin-page-title = Anmelden
signin-title = Bei Assent anmelden
signin-intro = Verwenden Sie die E-Mail-Adresse und das Passwort Ihres Assent-Kontos.
signin-forgot = Passwort vergessen?
signin-new = Neu bei Assent?
signin-create = Konto erstellen
signin-wrong = Falsche E-Mail-Adresse oder falsches Passwort.
signup-title = Assent-Konto erstellen
signup-intro = Ein Konto für jede Website, die mit Assent funktioniert. Sie entscheiden, was jede einzelne davon darf.
signup-email-hint = Wir senden einen Link an diese Adresse, um zu bestätigen, dass sie Ihnen gehört.
signup-submit = Konto erstellen
signup-have-account = Sie haben bereits ein Konto?
forgot-intro = Geben Sie die E-Mail-Adresse Ihres Assent-Kontos ein. Wir senden einen Link an diese Adresse, mit dem Sie ein neues Passwort festlegen können.
forgot-submit = Link zum Zurücksetzen senden
forgot-remembered = Doch wieder eingefallen?
reset-title = Neues Passwort festlegen
reset-intro = Ihr Konto wird danach überall abgemeldet, in jedem Browser und auf jedem Gerät; dieser Browser wird mit dem neuen Passwort angemeldet.
reset-submit = Neues Passwort festlegen

## Consent

consent-page-title = { $app } Zugriff erlauben?
consent-title = <span class="app-name">{ $app }</span> möchte auf Ihr Assent-Konto zugreifen
consent-title-more = <span class="app-name">{ $app }</span> möchte weiteren Zugriff auf Ihr Assent-Konto
consent-signed-in-as = Angemeldet als <strong class="break">{ $email }</strong>
consent-not-you = Nicht Sie?
consent-origin = Diese Anfrage kommt von <strong class="host">{ $host }</strong>. Nach Ihrer Entscheidung kehren Sie dorthin zurück.
consent-limited-to = Beschränkt auf:
consent-legend = { $app } möchte:
consent-new-legend = Neu: { $app } möchte außerdem:
consent-over-time = { $app } kann das, was Sie erlauben, auch in Ihrer Abwesenheit nutzen, bis zu dem von Ihnen gewählten Datum; danach endet der Zugriff von selbst.
consent-untick = Entfernen Sie das Häkchen bei allem, was Sie nicht erlauben möchten.
consent-allowed-legend = Sie haben { $app } bereits erlaubt:
consent-allowed-help = Jede Berechtigung behält ihr aktuelles Enddatum, sofern Sie kein späteres wählen. Wenn Sie hier ein Häkchen entfernen, wird die Berechtigung nicht entfernt: Das können Sie unter <a href="/account/consents">Ihre Apps</a> tun.
consent-allow = Erlauben
consent-note = Sie können diesen Zugriff jederzeit unter <a href="/account/consents">Ihre Apps</a> überprüfen und entfernen.
consent-allowed-until = Bereits erlaubt bis { $date }
consent-badge-new = Neu
consent-includes = Umfasst: { $list }.
consent-excludes = Umfasst nicht: { $list }.
consent-access-for = Zugriff für
consent-keep-until = Bis { $date } beibehalten
duration-days = { $n ->
    [one] 1 Tag
   *[other] { $n } Tage
}
duration-year = 1 Jahr
duration-hours = { $n ->
    [one] 1 Stunde
   *[other] { $n } Stunden
}
duration-minutes = { $n ->
    [one] 1 Minute
   *[other] { $n } Minuten
}
duration-seconds = { $n ->
    [one] 1 Sekunde
   *[other] { $n } Sekunden
}

## What a permission means (a registered permission's description may be translated here too:
## perm-<Offer>-<Action>; without one, the provider's own description is shown)

perm-Profiles-Read = Ihren Namen und Ihre E-Mail-Adresse sehen
perm-Profiles-Write = Ihr Profil ändern
perm-Contacts-Read = Kontakte lesen
perm-Contacts-Write = Kontakte hinzufügen und ändern
perm-Contacts-Full = Vollzugriff auf Ihre Kontakte
perm-News-Read = News-Feed lesen
perm-News-Write = Beiträge zum News-Feed hinzufügen und ändern
perm-News-Full = Vollzugriff auf Ihren News-Feed
perm-LiveMeshFolder-Read = Live-Mesh-Ordner lesen
perm-LiveMeshFolder-Write = Inhalte zu Live-Mesh-Ordnern hinzufügen und ändern
perm-LiveMeshFolder-Full = Vollzugriff auf Ihre Live-Mesh-Ordner
perm-custom-Read = Ihre Daten „{ $offer }“ lesen, gespeichert bei { $provider } (keine Beschreibung angegeben)
perm-custom-Write = Ihre Daten „{ $offer }“ ergänzen und ändern, gespeichert bei { $provider } (keine Beschreibung angegeben)
perm-custom-Full = Ihre Daten „{ $offer }“ lesen, ergänzen und ändern, gespeichert bei { $provider } (keine Beschreibung angegeben)

## The answer page and sign-out

response-returning = Sie werden zu { $host } zurückgeleitet
response-returning-host = Sie werden zu <span class="host">{ $host }</span> zurückgeleitet…
response-returning-site = Sie werden zur Website zurückgeleitet…
response-hint = Falls gleich nichts passiert, wählen Sie „Weiter“.
logout-title = Abgemeldet
logout-text = Sie haben sich von Assent abgemeldet.
logout-text-app = Sie haben sich von Assent und <strong>{ $app }</strong> abgemeldet.
logout-shared = Wenn Sie einen gemeinsam genutzten Computer verwenden, schließen Sie den Browser, sobald Sie fertig sind.
logout-continue = Weiter zu { $host }

## Your apps

tabs-label = Ihr Konto
tab-history = Verlauf
tab-account = Konto
apps-intro = Websites, die Ihr Assent-Konto nutzen können, was jede davon darf und bis wann. Öffnen Sie eine App, um ihre Berechtigungen zu sehen. Alles, was Sie entfernen, wirkt sofort.
apps-search = Suchen
apps-search-placeholder = Name, Website oder Berechtigung
apps-sort = Sortieren nach
apps-sort-name = Name
apps-sort-used = Zuletzt verwendet
apps-sort-granted = Zuletzt erlaubt
apps-count = { $n ->
    [one] 1 App kann Ihr Konto nutzen.
   *[other] { $n } Apps können Ihr Konto nutzen.
}
apps-count-match = { $n ->
    [one] Treffer für „{ $q }“: { $shown } von 1 App.
   *[other] Treffer für „{ $q }“: { $shown } von { $n } Apps.
}
apps-show-all = Alle anzeigen
apps-permissions = { $n ->
    [one] 1 Berechtigung
   *[other] { $n } Berechtigungen
}
apps-used = zuletzt verwendet
apps-website = Website
apps-privacy = Datenschutz
apps-privacy-of = von { $app }
apps-last-renewed = Zuletzt erneuert
apps-what-can-do = Was { $app } darf
apps-limited-to = Beschränkt auf
apps-allowed = Erlaubt
apps-until = Bis
apps-expires = läuft { $when } ab
apps-remove = Entfernen…
apps-remove-what = „{ $permission }“ für { $app }
apps-remove-all = Gesamten Zugriff entfernen…
apps-remove-all-of = von { $app }
apps-no-match = Keine App passt zu „{ $q }“
apps-no-match-hint = Versuchen Sie es mit einem Teil ihres Namens oder ihrer Website, oder <a href="{ $href }">zeigen Sie alle Apps an</a>.
apps-none = Keine App hat Zugriff auf Ihr Konto
apps-none-hint = Wenn eine Website um eine Berechtigung bittet und Sie sie erlauben, erscheint sie hier.
apps-expired = Abgelaufen
apps-expired-intro = Diese Berechtigungen sind von selbst abgelaufen. Die App muss Sie erneut fragen, bevor sie sie nutzen kann.
apps-expired-on = Abgelaufen am
apps-notice-removed = „{ $permission }“ wurde für { $app } entfernt. Die App kann diese Berechtigung nicht mehr nutzen; ihr übriger Zugriff bleibt bestehen.
apps-notice-removed-last = „{ $permission }“ wurde für { $app } entfernt. Das war ihre letzte Berechtigung, daher hat { $app } keinen Zugriff mehr auf Ihr Konto.
revoke-app-page-title = { $app } entfernen?
revoke-app-title = Gesamten Zugriff von <span class="app-name">{ $app }</span> entfernen?
revoke-app-text = Die App verliert diese Berechtigungen sofort, und alle Tokens, die sie für Ihr Konto besitzt, werden ungültig. Um Ihr Konto wieder nutzen zu können, muss sie Sie erneut fragen.
revoke-app-text-host = Die Website unter <strong class="host">{ $host }</strong> verliert diese Berechtigungen sofort, und alle Tokens, die sie für Ihr Konto besitzt, werden ungültig. Um Ihr Konto wieder nutzen zu können, muss sie Sie erneut fragen.
revoke-app-submit = Zugriff entfernen
revoke-perm-page-title = „{ $permission }“ für { $app } entfernen?
revoke-perm-title = „{ $permission }“ für <span class="app-name">{ $app }</span> entfernen?
revoke-perm-text = Sobald Sie bestätigen, kann { $app } diese Berechtigung nicht mehr nutzen: Die Dienste, mit denen die App arbeitet, weisen sie sofort ab, und sie kann die Berechtigung nicht erneuern. Um sie wieder zu nutzen, muss die App Sie erneut fragen.
revoke-perm-last = Dies ist die letzte Berechtigung von { $app }: Die App verliert sofort jeden Zugriff auf Ihr Konto, und alle Tokens, die sie für Ihr Konto besitzt, werden ungültig. Um Ihr Konto wieder nutzen zu können, muss sie Sie erneut fragen.
revoke-perm-facts = Sie haben sie am { $granted } erlaubt, gültig bis { $until } ({ $relative }).
revoke-perm-keeps = { $app } behält
revoke-perm-submit = Berechtigung entfernen

## History

history-intro = Was mit Ihrem Konto und dem Zugriff Ihrer Apps geschehen ist: Berechtigungen, die Sie erlaubt oder entfernt haben, Erneuerungen durch die Apps, Anmeldungen und Zugriffe, die zu Ihrer Sicherheit beendet wurden. Neueste Einträge zuerst.
history-show = Anzeigen
history-everything = Alles
history-only = Nur { $app }
history-apply = Anwenden
history-events-page = Ereignisse, Seite { $page } von { $pages }
history-until = bis
history-nothing-app = Keine Einträge zu dieser App. <a href="/account/history">Alles anzeigen</a>.
history-nothing = Noch keine Einträge. Wenn Sie einer App erlauben, Ihr Konto zu nutzen, erscheint das hier.
history-pages = Verlaufsseiten
history-newer = ← Neuere
history-older = Ältere →
history-page = Seite { $page } von { $pages }

## Account

account-intro = Ihre Anmeldedaten und Sitzungen.
account-details = Ihre Angaben
account-email = E-Mail
account-joined = Mitglied seit
account-password-changed = geändert
account-change-name = Namen ändern
account-save-name = Namen speichern
account-zone = Zeitzone
account-zone-chosen = Zeitangaben auf Ihren Assent-Seiten werden in der Zeitzone <strong>{ $zone }</strong> angezeigt (von Ihnen gewählt).
account-zone-browser = Zeitangaben auf Ihren Assent-Seiten werden in der Zeitzone <strong>{ $zone }</strong> angezeigt (die Zeitzone Ihres Browsers).
account-zone-unknown = Zeitangaben auf Ihren Assent-Seiten werden in der Zeitzone <strong>{ $zone }</strong> angezeigt (Ihr Browser hat Assent seine Zeitzone nicht mitgeteilt).
account-zone-label = Zeitangaben anzeigen in
account-zone-use-browser = Zeitzone meines Browsers verwenden
account-zone-save = Zeitzone speichern
account-change-password = Passwort ändern
account-change-password-text = Überall sonst, wo Sie angemeldet sind, werden Sie abgemeldet. Dieser Browser bleibt angemeldet.
account-sessions = Wo Sie angemeldet sind
account-sessions-text = Browser mit einer Sitzung Ihres Kontos, zuletzt verwendete zuerst, und Geräte (Apps auf einem Smartphone oder Computer), die mit Ihrem Passwort angemeldet sind. Melden Sie alle ab, die Sie nicht kennen.
account-browsers = Browser
account-browser-session = Browsersitzung
account-this-browser = Dieser Browser
account-last-used = Zuletzt verwendet
account-signed-in = angemeldet am
account-sign-out-this = (dieser Browser)
account-sign-out-session = (Sitzung, zuletzt verwendet { $when })
account-devices = Geräte
account-device-signed-in = Angemeldet
account-no-device = Kein Gerät ist angemeldet.
account-everywhere = Überall abmelden
account-everywhere-text = Beendet jede Sitzung Ihres Kontos auf jedem Gerät, auch auf diesem. Apps, denen Sie etwas erlaubt haben, behalten ihren Zugriff: Entfernen Sie sie unter <a href="/account/consents">Ihre Apps</a>.
account-data = Ihre Daten
account-data-text = Laden Sie alles, was Assent über Sie speichert, als JSON-Datei herunter: Ihre Angaben, jede Berechtigung, die Sie erlaubt oder entfernt haben, Ihren Verlauf, Ihre Sitzungen und Geräte. Die Datei enthält kein Passwort und kein Token.
account-data-download = Ihre Daten herunterladen
account-delete = Konto löschen
account-delete-text = Jede App verliert sofort ihren Zugriff, Sie werden überall abgemeldet, und Ihr Verlauf wird gelöscht. Das kann nicht rückgängig gemacht werden.
account-delete-link = Konto löschen…
email-verified-badge = Bestätigt
email-verified-text = Websites, die Sie mit Assent verbinden, sehen diese Adresse als bestätigt.
email-unverified-badge = Nicht bestätigt
email-unverified-text = Öffnen Sie den Link, den wir an diese Adresse gesendet haben. Bis dahin wird Websites, die Sie verbinden, mitgeteilt, dass die Adresse nicht bestätigt ist.
email-send-new-link = Neuen Link senden
delete-title = Konto löschen?
delete-intro = Ihr Konto <strong class="break">{ $email }</strong> und alles, was dazugehört, wird sofort gelöscht. Das kann nicht rückgängig gemacht werden.
delete-apps = { $n ->
    [one] <strong>1 App verliert sofort ihren Zugriff</strong>: Jede Berechtigung, die Sie erlaubt haben, wird zuerst entfernt, und keine App kann sie erneuern.
   *[other] <strong>{ $n } Apps verlieren sofort ihren Zugriff</strong>: Jede Berechtigung, die Sie erlaubt haben, wird zuerst entfernt, und keine App kann sie erneuern.
}
delete-sessions = <strong>{ $sessions ->
    [one] 1 Browsersitzung
   *[other] { $sessions } Browsersitzungen
} und { $devices ->
    [one] 1 Gerät
   *[other] { $devices } Geräte
}</strong> werden abgemeldet, auch dieser Browser.
delete-history = <strong>Ihr Verlauf wird gelöscht.</strong> Möchten Sie eine Kopie? <a href="/account">Laden Sie zuerst Ihre Daten herunter</a>.
delete-password = Ihr Passwort zur Bestätigung
delete-submit = Mein Konto löschen
deleted-page-title = Konto gelöscht
deleted-title = Ihr Konto wurde gelöscht
deleted-text = Alle Apps haben ihren Zugriff verloren, alle Sitzungen und Geräte wurden abgemeldet, und Ihr Verlauf ist gelöscht. Sie können sich jederzeit mit derselben E-Mail-Adresse neu registrieren.
deleted-home = Zur Startseite

## Email links

inbox-title = Prüfen Sie Ihren Posteingang
inbox-signup = Wir haben eine Nachricht an <strong class="addr">{ $address }</strong> gesendet. Öffnen Sie den darin enthaltenen Link, um zu bestätigen, dass die Adresse Ihnen gehört. Der Link ist { $ttl } lang gültig.
inbox-signup-hint = Sie können sich schon jetzt mit Ihrem Passwort anmelden. Bis Sie die Adresse bestätigen, wird Websites, die Sie verbinden, mitgeteilt, dass Ihre Adresse nicht bestätigt ist.
inbox-reset = Falls ein Assent-Konto <strong class="addr">{ $address }</strong> verwendet, haben wir einen Link an diese Adresse gesendet, mit dem Sie ein neues Passwort festlegen können.
inbox-reset-hint = Der Link funktioniert einmal und ist { $ttl } lang gültig. Keine Nachricht erhalten? Prüfen Sie die Adresse und Ihren Spam-Ordner und <a href="/forgot-password">fordern Sie dann erneut einen Link an</a>.
inbox-back-signin = Zurück zur Anmeldung
inbox-sent = Wir haben einen neuen Link an <strong class="addr">{ $address }</strong> gesendet. Er ist { $ttl } lang gültig.
inbox-verified = <strong class="addr">{ $address }</strong> ist bereits bestätigt: Es gibt nichts mehr zu bestätigen.
inbox-limited = Wir haben in letzter Zeit mehrere Links an <strong class="addr">{ $address }</strong> gesendet: Öffnen Sie den neuesten, oder fordern Sie später einen neuen an.
inbox-unknown = Falls <strong class="addr">{ $address }</strong> zu einem Konto gehört, das noch nicht bestätigt ist, haben wir einen neuen Link an diese Adresse gesendet. Er ist { $ttl } lang gültig.
inbox-back-account = Zurück zu Ihrem Konto
inbox-no-message = Nach ein paar Minuten noch keine Nachricht? Prüfen Sie Ihren Spam-Ordner, oder
inbox-send-new = fordern Sie einen neuen Link an
link-confirm-title = Bestätigen Sie Ihre E-Mail-Adresse
link-confirm-text = Bestätigen Sie, dass <strong class="addr">{ $address }</strong> Ihre Adresse ist. Websites, die Sie mit Assent verbinden, sehen sie dann als bestätigt.
link-confirm-submit = Meine Adresse bestätigen
link-verified-title = E-Mail-Adresse bestätigt
link-verified-text = <strong class="addr">{ $address }</strong> ist als Ihre Adresse bestätigt. Websites, die Sie mit Assent verbinden, sehen sie jetzt als bestätigt.
link-go-account = Zu Ihrem Konto
link-reset-done-title = Passwort geändert
link-reset-done-text = Ihr neues Passwort ist festgelegt. Alle Browser und Geräte, die bei Ihrem Konto angemeldet waren, wurden abgemeldet.
link-reset-done-text-signed-in = Ihr neues Passwort ist festgelegt. Alle Browser und Geräte, die bei Ihrem Konto angemeldet waren, wurden abgemeldet; dieser Browser ist als <strong class="addr">{ $email }</strong> angemeldet.
link-reset-done-apps = Apps, denen Sie etwas erlaubt haben, behalten ihren Zugriff: Sie können sie unter „Ihre Apps“ überprüfen.
link-dead-page-title = Link funktioniert nicht mehr
link-dead-title = Dieser Link funktioniert nicht mehr
link-dead-reset = Dieser Link zum Zurücksetzen des Passworts ist abgelaufen oder wurde bereits verwendet. Jeder Link funktioniert nur einmal und nur für kurze Zeit.
link-ask-new = Neuen Link anfordern
link-dead-verify = Dieser Bestätigungslink ist abgelaufen oder wurde bereits verwendet. Falls Ihre Adresse noch nicht bestätigt ist, fordern Sie einen neuen Link an: Geben Sie unten die Adresse ein, oder melden Sie sich an und fordern Sie ihn auf Ihrer Kontoseite an.
link-dead-verify-signed-in = Dieser Bestätigungslink ist abgelaufen oder wurde bereits verwendet. Falls Ihre Adresse noch nicht bestätigt ist, fordern Sie einen neuen Link an.
outbox-title = Demo-Postausgang
outbox-intro = Im Demo-Modus schreibt Assent seine E-Mails in einen Ordner, statt sie zu versenden. Die neuesten werden hier angezeigt, damit Sie einen Bestätigungslink oder einen Link zum Zurücksetzen des Passworts auch ohne Postfach öffnen können.
outbox-smtp = Dieser Server versendet seine E-Mails über SMTP: Es gibt keinen Postausgang, der angezeigt werden könnte.
outbox-empty = Noch keine Nachrichten. <a href="/signup">Erstellen Sie ein Konto</a> oder <a href="/forgot-password">fordern Sie das Zurücksetzen eines Passworts an</a> und kommen Sie dann hierher zurück.
outbox-to = An

## Dates (chrono's strftime patterns; month names follow the language)

date-format = %-d. %b %Y
date-long-format = %-d. %B %Y
date-time = { $date }, { $time }
rel-now = gerade eben
rel-soon = in weniger als einer Minute
rel-past-minutes = { $n ->
    [one] vor 1 Minute
   *[other] vor { $n } Minuten
}
rel-past-hours = { $n ->
    [one] vor 1 Stunde
   *[other] vor { $n } Stunden
}
rel-past-days = { $n ->
    [one] vor 1 Tag
   *[other] vor { $n } Tagen
}
rel-future-minutes = { $n ->
    [one] in 1 Minute
   *[other] in { $n } Minuten
}
rel-future-hours = { $n ->
    [one] in 1 Stunde
   *[other] in { $n } Stunden
}
rel-future-days = { $n ->
    [one] in 1 Tag
   *[other] in { $n } Tagen
}

## Notices and form errors (Rust words them in English; a page looks its text up here)

flash-wrong-credentials = Falsche E-Mail-Adresse oder falsches Passwort.
flash-demo-sign-in = Demo: Melden Sie sich als demo@assent.example mit dem Passwort demo-password an.
flash-name = Geben Sie Ihren Namen ein (höchstens 100 Zeichen).
flash-password-short = Wählen Sie ein Passwort mit mindestens 10 Zeichen.
flash-new-password-short = Wählen Sie ein neues Passwort mit mindestens 10 Zeichen.
flash-password-long = Dieses Passwort ist zu lang.
flash-passwords-differ = Die beiden Passwörter stimmen nicht überein.
flash-new-passwords-differ = Die beiden neuen Passwörter stimmen nicht überein.
flash-current-password = Das aktuelle Passwort ist nicht richtig.
flash-no-account = Dieses Konto existiert nicht mehr.
flash-link-dead = Dieser Link ist abgelaufen oder wurde bereits verwendet.
flash-email-long = Geben Sie eine E-Mail-Adresse mit höchstens 254 Zeichen ein.
flash-email-spaces = Eine E-Mail-Adresse darf keine Leerzeichen enthalten.
flash-email-invalid = Geben Sie eine E-Mail-Adresse wie name@example.com ein.
flash-delete-wrong-password = Das ist nicht Ihr Passwort. Ihr Konto wurde nicht gelöscht.
flash-password-changed = Passwort geändert. Alle anderen Sitzungen Ihres Kontos wurden beendet.
flash-session-ended = Abgemeldet. Der betreffende Browser muss sich erneut anmelden.
flash-device-ended = Abgemeldet. Das betreffende Gerät muss sich erneut anmelden.
flash-name-changed = Name geändert.
flash-zone-saved = Zeitzone gespeichert. Zeitangaben werden jetzt in dieser Zeitzone angezeigt.
flash-nothing-to-sign-out = Nichts abzumelden: Diese Sitzung war bereits beendet.
flash-permission-removed = Berechtigung entfernt. Die App kann sie nicht mehr nutzen.
flash-permission-removed-last = Berechtigung entfernt. Es war die letzte Berechtigung der App, daher hat sie keinen Zugriff mehr.
flash-access-removed = Zugriff entfernt. Die App kann Ihr Konto nicht mehr nutzen.
flash-nothing-to-remove = Nichts zu entfernen: Dieser Zugriff war bereits beendet.

## History: what happened (badges) and the details another language words itself

event-grant = Zugriff erlaubt
event-refresh = Zugriff erneuert
event-revoke = Berechtigung entfernt
event-revoke-app = App entfernt
event-reuse-detected = Zugriff zu Ihrer Sicherheit beendet
event-code-replay = Zugriff zu Ihrer Sicherheit beendet
event-password-changed = Passwort geändert
event-signed-out-everywhere = Überall abgemeldet
event-sign-in = Angemeldet
event-device-sign-in = Gerät angemeldet
event-session-ended = Browser abgemeldet
event-device-signed-out = Gerät abgemeldet
event-name-changed = Name geändert
event-time-zone-changed = Zeitzone geändert
event-email-verified = E-Mail-Adresse bestätigt
event-password-reset = Passwort per E-Mail-Link zurückgesetzt
event-detail-reuse = Eine alte Erneuerung des Zugriffs dieser App wurde erneut verwendet. Das kann bedeuten, dass jemand sie kopiert hat. Assent hat diesen Zugriff beendet; die App muss Sie erneut fragen.
event-detail-code-replay = Ein einmaliger Anmeldecode dieser App wurde zweimal verwendet. Assent hat den damit erteilten Zugriff beendet; die App muss Sie erneut fragen.
event-detail-app-gave-up = Die App hat diesen Zugriff selbst aufgegeben.
event-detail-you-removed = Sie haben den Zugriff dieser App entfernt.
event-detail-allowed = Erlaubt: { $list }.
event-detail-renewed = Erneuert: { $list }.
event-detail-removed = Entfernt: { $list }.
event-detail-removed-last = Entfernt: { $list }. Es war die letzte Berechtigung der App; sie hat keinen Zugriff mehr.
