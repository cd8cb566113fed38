# Assent's pages in English: the source every other language translates.
#
# Messages are trusted markup (<strong>, <a href> may stand in them); arguments are escaped by
# the template function. A message used from Rust (error pages, dates, history) is plain text.
# Every language has exactly the keys and variables of this file (the tests check it).

## Every page

skip-to-content = Skip to content
nav-home-label = Assent home
nav-label = Account
nav-signed-in-as = Signed in as { $email }
nav-your-apps = Your apps
nav-sign-out = Sign out
nav-sign-in = Sign in
footer-about = Assent lets you decide which websites can use your account, what they can do, and for how long.
footer-review = Review your apps
footer-password = Never share your password with other websites.
lang-switch-label = Language
cancel = Cancel
continue = Continue
privacy-policy = Privacy policy
opens-new-tab = (opens in a new tab)
list-separator = {"; "}
dates-in-zone = Dates are in { $zone } time.
change-zone = Change the time zone

## Form fields

field-email = Email address
field-password = Password
field-password-hint = { $n ->
    [one] At least 1 character.
   *[other] At least { $n } characters.
}
field-your-name = Your name
field-name = Name
field-current-password = Current password
field-new-password = New password
field-new-password-again = New password again

## Error pages

error-home = Go to the Assent home page
error-details = Details for developers
error-status = Status
error-reason = Reason
error-bad-request = Assent can not continue with this request
error-bad-request-next = Go back to the website you came from and try again. If it happens again, tell that website: the details below are for its developers.
error-unauthorized = You need to sign in again
error-forbidden = This form could not be used
error-not-found = Page not found
error-not-found-next = There is nothing at this address. Check it, or start again from the Assent home page.
error-already-decided = You already answered this consent request
error-already-decided-next = Nothing more was granted by this second answer. Go back to the website; if it still asks for access, start again from there.
error-too-many = Too many attempts
error-too-many-next = { $seconds ->
    [one] Please wait 1 second, then try again.
   *[other] Please wait { $seconds } seconds, then try again.
}
error-unavailable = Assent is having trouble right now
error-unavailable-next = Nothing was changed. Please try again in a few seconds.
error-internal = Something went wrong on Assent's side
error-internal-next = Nothing was changed. Please try again; if it keeps happening, tell the people who run this Assent.
error-session-ended = Your session ended. Go back to the website and start again.
error-form-expired = This form has expired or did not come from Assent. Go back, reload the page and try again.
error-no-account = This account no longer exists.

## Home

home-hello = Hello { $name }
home-signed-in-as = You're signed in to Assent as <strong>{ $email }</strong>.
home-apps-text = See which websites can use your account, what they can do, and until when. Remove access at any time.
home-demo-title = Try the demo website
home-demo-text = Connect “Contoso Contacts” to your account and watch the consent flow end to end.
home-hero-title = One account. Your permission, every time.
home-hero-lead = Assent lets you sign in once and decide exactly what each website may do with your account.
home-feature-choose = <strong>Choose each permission.</strong> Allow reading your contacts without allowing changes to them.
home-feature-duration = <strong>Decide for how long.</strong> A day, a week, a month or a year: access ends by itself.
home-feature-revoke = <strong>Change your mind any time.</strong> Remove a website's access in one step.
home-just-looking = Just looking? <a href="/demo">Try the demo website</a> to see how connecting an app works.

## Sign in, sign up, passwords

signin-page-title = Sign in
signin-title = Sign in to Assent
signin-intro = Use the email address and password of your Assent account.
signin-forgot = Forgot your password?
signin-new = New to Assent?
signin-create = Create an account
signin-wrong = Wrong email or password.
signup-title = Create your Assent account
signup-intro = One account for every website that works with Assent. You decide what each one may do.
signup-email-hint = We send a link to this address to confirm it is yours.
signup-submit = Create account
signup-have-account = Already have an account?
forgot-intro = Enter the email address of your Assent account. We will send it a link to choose a new password.
forgot-submit = Send reset link
forgot-remembered = Remembered it?
reset-title = Choose a new password
reset-intro = Your account is then signed out everywhere, on every browser and device; this browser is signed in with the new password.
reset-submit = Set new password

## Consent

consent-page-title = Allow { $app } access?
consent-title = <span class="app-name">{ $app }</span> wants access to your Assent account
consent-title-more = <span class="app-name">{ $app }</span> wants more access to your Assent account
consent-signed-in-as = Signed in as <strong class="break">{ $email }</strong>
consent-not-you = Not you?
consent-origin = This request comes from <strong class="host">{ $host }</strong>. After you decide you'll go back there.
consent-limited-to = Limited to:
consent-legend = { $app } is asking to:
consent-new-legend = New: { $app } is also asking to:
consent-over-time = { $app } can use what you allow while you are away, until the date you choose; then it ends by itself.
consent-untick = Untick anything you don't want to allow.
consent-allowed-legend = You already allowed { $app } to:
consent-allowed-help = Each keeps its current end date unless you choose a later one. Unticking one here does not remove it: do that on <a href="/account/consents">Your apps</a>.
consent-allow = Allow
consent-note = You can review and remove this access at any time on <a href="/account/consents">Your apps</a>.
consent-allowed-until = Already allowed until { $date }
consent-badge-new = New
consent-includes = Includes: { $list }.
consent-excludes = Does not include: { $list }.
consent-access-for = Access for
consent-keep-until = Keep until { $date }
duration-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}
duration-year = 1 year
duration-hours = { $n ->
    [one] 1 hour
   *[other] { $n } hours
}
duration-minutes = { $n ->
    [one] 1 minute
   *[other] { $n } minutes
}
duration-seconds = { $n ->
    [one] 1 second
   *[other] { $n } seconds
}

## What a permission means (a registered permission's description may be translated here too:
## perm-<Offer>-<Action>; without one, the provider's own description is shown)

perm-Profiles-Read = See your name and email address
perm-Profiles-Write = Change your profile
perm-Contacts-Read = Read your contacts
perm-Contacts-Write = Add to and change your contacts
perm-Contacts-Full = Full access to your contacts
perm-News-Read = Read your news feed
perm-News-Write = Add to and change your news feed
perm-News-Full = Full access to your news feed
perm-LiveMeshFolder-Read = Read your Live Mesh folders
perm-LiveMeshFolder-Write = Add to and change your Live Mesh folders
perm-LiveMeshFolder-Full = Full access to your Live Mesh folders
perm-custom-Read = Read your “{ $offer }” data, kept by { $provider } (no description was given)
perm-custom-Write = Add to and change your “{ $offer }” data, kept by { $provider } (no description was given)
perm-custom-Full = Read, add to and change your “{ $offer }” data, kept by { $provider } (no description was given)

## The answer page and sign-out

response-returning = Returning you to { $host }
response-returning-host = Returning you to <span class="host">{ $host }</span>…
response-returning-site = Returning you to the website…
response-hint = If nothing happens in a moment, select Continue.
logout-title = Signed out
logout-text = You have signed out of Assent.
logout-text-app = You have signed out of Assent and <strong>{ $app }</strong>.
logout-shared = If you use a shared computer, close the browser when you are done.
logout-continue = Continue to { $host }

## Your apps

tabs-label = Your account
tab-history = History
tab-account = Account
apps-intro = Websites that can use your Assent account, what each may do, and until when. Open an app to see its permissions. Removing anything takes effect at once.
apps-search = Search
apps-search-placeholder = Name, website or permission
apps-sort = Sort by
apps-sort-name = Name
apps-sort-used = Last used
apps-sort-granted = Recently allowed
apps-count = { $n ->
    [one] 1 app can use your account.
   *[other] { $n } apps can use your account.
}
apps-count-match = { $n ->
    [one] { $shown } of 1 app match “{ $q }”.
   *[other] { $shown } of { $n } apps match “{ $q }”.
}
apps-show-all = Show all
apps-permissions = { $n ->
    [one] 1 permission
   *[other] { $n } permissions
}
apps-used = used
apps-website = Website
apps-privacy = Privacy
apps-privacy-of = of { $app }
apps-last-renewed = Last renewed
apps-what-can-do = What { $app } can do
apps-limited-to = Limited to
apps-allowed = Allowed
apps-until = Until
apps-expires = expires { $when }
apps-remove = Remove…
apps-remove-what = “{ $permission }” from { $app }
apps-remove-all = Remove all access…
apps-remove-all-of = of { $app }
apps-no-match = No app matches “{ $q }”
apps-no-match-hint = Try part of its name or website, or <a href="{ $href }">show all apps</a>.
apps-none = No app has access to your account
apps-none-hint = When a website asks for permission and you allow it, it shows up here.
apps-expired = Expired
apps-expired-intro = These permissions ended by themselves. The app has to ask you again before it can use them.
apps-expired-on = Expired
apps-notice-removed = Removed “{ $permission }” from { $app }. It can no longer use it; the rest of its access stays.
apps-notice-removed-last = Removed “{ $permission }” from { $app }. It was its last permission, so { $app } no longer has any access to your account.
revoke-app-page-title = Remove { $app }?
revoke-app-title = Remove all access of <span class="app-name">{ $app }</span>?
revoke-app-text = It will lose these permissions at once, and every token it holds for your account stops working. To use your account again it has to ask you.
revoke-app-text-host = The website at <strong class="host">{ $host }</strong> will lose these permissions at once, and every token it holds for your account stops working. To use your account again it has to ask you.
revoke-app-submit = Remove access
revoke-perm-page-title = Remove “{ $permission }” from { $app }?
revoke-perm-title = Remove “{ $permission }” from <span class="app-name">{ $app }</span>?
revoke-perm-text = { $app } can no longer use this from the moment you confirm: the services it talks to refuse it at once, and it can not renew it. To use it again it has to ask you.
revoke-perm-last = This is the last permission of { $app }: it loses all access to your account at once, and every token it holds for your account stops working. To use your account again it has to ask you.
revoke-perm-facts = You allowed it on { $granted }, until { $until } ({ $relative }).
revoke-perm-keeps = { $app } keeps
revoke-perm-submit = Remove permission

## History

history-intro = What happened to your account and the access of your apps: permissions you allowed or removed, renewals by the apps, sign-ins, and access ended for your safety. Newest first.
history-show = Show
history-everything = Everything
history-only = Only { $app }
history-apply = Apply
history-events-page = Events, page { $page } of { $pages }
history-until = until
history-nothing-app = Nothing about this app. <a href="/account/history">Show everything</a>.
history-nothing = Nothing yet. When you allow an app to use your account, it shows up here.
history-pages = History pages
history-newer = ← Newer
history-older = Older →
history-page = Page { $page } of { $pages }

## Account

account-intro = Your sign-in details and sessions.
account-details = Your details
account-email = Email
account-joined = Joined
account-password-changed = changed
account-change-name = Change your name
account-save-name = Save name
account-zone = Time zone
account-zone-chosen = Dates on your Assent pages are shown in <strong>{ $zone }</strong> (your choice).
account-zone-browser = Dates on your Assent pages are shown in <strong>{ $zone }</strong> (your browser's).
account-zone-unknown = Dates on your Assent pages are shown in <strong>{ $zone }</strong> (your browser has not told Assent its zone).
account-zone-label = Show dates in
account-zone-use-browser = Use my browser's zone
account-zone-save = Save time zone
account-change-password = Change password
account-change-password-text = Every other place where you are signed in is signed out. This browser stays signed in.
account-sessions = Where you are signed in
account-sessions-text = Browsers with a session of your account, most recently used first, and devices (apps on a phone or computer) signed in with your password. Sign out any you do not recognise.
account-browsers = Browsers
account-browser-session = Browser session
account-this-browser = This browser
account-last-used = Last used
account-signed-in = signed in
account-sign-out-this = this browser
account-sign-out-session = the session last used { $when }
account-devices = Devices
account-device-signed-in = Signed in
account-no-device = No device is signed in.
account-everywhere = Sign out everywhere
account-everywhere-text = Ends every session of your account, on every device, this one included. Apps you allowed keep their access: remove them on <a href="/account/consents">Your apps</a>.
account-data = Your data
account-data-text = Download everything Assent keeps about you as a JSON file: your details, every permission you allowed or removed, your history, sessions and devices. It holds no password and no token.
account-data-download = Download your data
account-delete = Delete your account
account-delete-text = Every app loses its access at once, you are signed out everywhere, and your history is deleted. This can not be undone.
account-delete-link = Delete your account…
email-verified-badge = Verified
email-verified-text = Websites you connect to Assent see this address as verified.
email-unverified-badge = Not verified
email-unverified-text = Open the link we sent to this address. Until then, websites you connect are told the address is not verified.
email-send-new-link = Send a new link
delete-title = Delete your account?
delete-intro = Your account <strong class="break">{ $email }</strong> and everything about it is deleted at once. This can not be undone.
delete-apps = { $n ->
    [one] <strong>1 app loses its access</strong> at once: every permission you allowed is removed first, and no app can renew it.
   *[other] <strong>{ $n } apps lose their access</strong> at once: every permission you allowed is removed first, and no app can renew it.
}
delete-sessions = <strong>{ $sessions ->
    [one] 1 browser session
   *[other] { $sessions } browser sessions
} and { $devices ->
    [one] 1 device
   *[other] { $devices } devices
}</strong> are signed out, this browser too.
delete-history = <strong>Your history is deleted.</strong> Want a copy? <a href="/account">Download your data</a> first.
delete-password = Your password, to confirm
delete-submit = Delete my account
deleted-page-title = Account deleted
deleted-title = Your account is deleted
deleted-text = Every app lost its access, every session and device was signed out, and your history is gone. You can sign up again with the same email at any time.
deleted-home = Go to the home page

## Email links

inbox-title = Check your inbox
inbox-signup = We sent a message to <strong class="addr">{ $address }</strong>. Open the link in it within { $ttl } to confirm that the address is yours.
inbox-signup-hint = You can sign in with your password now. Until you confirm, websites you connect are told that your address is not verified.
inbox-reset = If an Assent account uses <strong class="addr">{ $address }</strong>, we sent it a link to choose a new password.
inbox-reset-hint = The link works once, for { $ttl }. No message? Check the address and your spam folder, then <a href="/forgot-password">ask again</a>.
inbox-back-signin = Back to sign in
inbox-sent = We sent a new link to <strong class="addr">{ $address }</strong>. It works for { $ttl }.
inbox-verified = <strong class="addr">{ $address }</strong> is verified already: there is nothing to confirm.
inbox-limited = We sent several links to <strong class="addr">{ $address }</strong> in the last while: open the newest one, or ask again later.
inbox-unknown = If <strong class="addr">{ $address }</strong> belongs to an account that is not verified yet, we sent it a new link. It works for { $ttl }.
inbox-back-account = Back to your account
inbox-no-message = No message after a few minutes? Check your spam folder, or
inbox-send-new = send a new link
link-confirm-title = Confirm your email address
link-confirm-text = Confirm that <strong class="addr">{ $address }</strong> is your address. Websites you connect to Assent will then see it as verified.
link-confirm-submit = Confirm my address
link-verified-title = Email address verified
link-verified-text = <strong class="addr">{ $address }</strong> is confirmed as your address. Websites you connect to Assent now see it as verified.
link-go-account = Go to your account
link-reset-done-title = Password changed
link-reset-done-text = Your new password is set. Every browser and device that was signed in to your account is signed out.
link-reset-done-text-signed-in = Your new password is set. Every browser and device that was signed in to your account is signed out; this browser is signed in as <strong class="addr">{ $email }</strong>.
link-reset-done-apps = Apps you allowed keep their access: review them on Your apps.
link-dead-page-title = Link no longer works
link-dead-title = This link no longer works
link-dead-reset = This password-reset link has expired or was used already. Each link works once, for a short time.
link-ask-new = Ask for a new link
link-dead-verify = This confirmation link has expired or was used already. If your address is not confirmed yet, ask for a new link: type the address below, or sign in and ask on your account page.
link-dead-verify-signed-in = This confirmation link has expired or was used already. If your address is not confirmed yet, ask for a new link.
outbox-title = Demo outbox
outbox-intro = In demo mode Assent writes its emails to a folder instead of sending them. The newest are shown here, so you can open a verification or password-reset link without a mailbox.
outbox-smtp = This server sends its emails over SMTP: there is no outbox to show.
outbox-empty = No messages yet. <a href="/signup">Create an account</a> or <a href="/forgot-password">ask for a password reset</a>, then come back.
outbox-to = To

## Dates (chrono's strftime patterns; month names follow the language)

date-format = %-d %b %Y
date-long-format = %-d %B %Y
date-time = { $date }, { $time }
rel-now = just now
rel-soon = in less than a minute
rel-past-minutes = { $n ->
    [one] 1 minute ago
   *[other] { $n } minutes ago
}
rel-past-hours = { $n ->
    [one] 1 hour ago
   *[other] { $n } hours ago
}
rel-past-days = { $n ->
    [one] 1 day ago
   *[other] { $n } days ago
}
rel-future-minutes = { $n ->
    [one] in 1 minute
   *[other] in { $n } minutes
}
rel-future-hours = { $n ->
    [one] in 1 hour
   *[other] in { $n } hours
}
rel-future-days = { $n ->
    [one] in 1 day
   *[other] in { $n } days
}

## Notices and form errors (Rust words them in English; a page looks its text up here)

flash-wrong-credentials = Wrong email or password.
flash-demo-sign-in = Demo: sign in as demo@assent.example with the password demo-password.
flash-name = Enter your name (at most 100 characters).
flash-password-short = Choose a password of at least 10 characters.
flash-new-password-short = Choose a new password of at least 10 characters.
flash-password-long = That password is too long.
flash-passwords-differ = The two passwords are not the same.
flash-new-passwords-differ = The two new passwords are not the same.
flash-current-password = The current password is not right.
flash-no-account = This account no longer exists.
flash-link-dead = This link has expired or was used already.
flash-email-long = Enter an email address of at most 254 characters.
flash-email-spaces = An email address can not contain spaces.
flash-email-invalid = Enter an email address such as name@example.com.
flash-delete-wrong-password = That is not your password. Your account was not deleted.
flash-password-changed = Password changed. Every other session of your account ended.
flash-session-ended = Signed out. That browser has to sign in again.
flash-device-ended = Signed out. That device has to sign in again.
flash-name-changed = Name changed.
flash-zone-saved = Time zone saved. Dates are now shown in it.
flash-nothing-to-sign-out = Nothing to sign out: that session had already ended.
flash-permission-removed = Permission removed. The app can no longer use it.
flash-permission-removed-last = Permission removed. It was the app's last one, so the app no longer has any access.
flash-access-removed = Access removed. The app can no longer use your account.
flash-nothing-to-remove = Nothing to remove: that access had already ended.

## History: what happened (badges) and the details another language words itself

event-grant = Access allowed
event-refresh = Access renewed
event-revoke = Permission removed
event-revoke-app = App removed
event-reuse-detected = Access ended for your safety
event-code-replay = Access ended for your safety
event-password-changed = Password changed
event-signed-out-everywhere = Signed out everywhere
event-sign-in = Signed in
event-device-sign-in = Device signed in
event-session-ended = Signed out a browser
event-device-signed-out = Signed out a device
event-name-changed = Name changed
event-time-zone-changed = Time zone changed
event-email-verified = Email address verified
event-password-reset = Password reset by email link
event-detail-reuse = An old renewal of this app's access was used again, which can mean someone copied it. Assent ended this access; the app has to ask you again.
event-detail-code-replay = A one-time sign-in code of this app was used twice. Assent ended the access it gave; the app has to ask you again.
event-detail-app-gave-up = The app gave up this access itself.
event-detail-you-removed = You removed this app's access.
event-detail-allowed = Allowed: { $list }.
event-detail-renewed = Renewed: { $list }.
event-detail-removed = Removed: { $list }.
event-detail-removed-last = Removed: { $list }. It was the app's last permission; it has no access left.
