# Assent's pages in Japanese, translated from en.ftl.
#
# Messages are trusted markup (<strong>, <a href> may stand in them); arguments are escaped by
# the template function. A message used from Rust (error pages, dates, history) is plain text.
# Every language has exactly the keys and variables of en.ftl (the tests check it).
# Japanese has no plural forms: messages that select on a number in English are plain here.

## Every page

skip-to-content = コンテンツにスキップ
nav-home-label = Assent ホーム
nav-label = アカウント
nav-signed-in-as = { $email } でログイン中
nav-your-apps = アプリ
nav-sign-out = ログアウト
nav-sign-in = ログイン
footer-about = Assent では、どのウェブサイトがアカウントを使用できるか、何ができるか、いつまで使用できるかをご自身で決められます。
footer-review = アプリを確認する
footer-password = パスワードを他のウェブサイトと共有しないでください。
lang-switch-label = 言語
cancel = キャンセル
continue = 続行
privacy-policy = プライバシー ポリシー
opens-new-tab = （新しいタブで開きます）
list-separator = 、
dates-in-zone = 日時は { $zone } の時刻で表示しています。
change-zone = タイムゾーンを変更

## Form fields

field-email = メールアドレス
field-password = パスワード
field-password-hint = { $n }文字以上で入力してください。
field-your-name = お名前
field-name = 名前
field-current-password = 現在のパスワード
field-new-password = 新しいパスワード
field-new-password-again = 新しいパスワード（確認）

## Error pages

error-home = Assent のホームページに移動
error-details = 開発者向けの詳細
error-status = ステータス
error-reason = 理由
error-bad-request = Assent はこのリクエストを続行できません
error-bad-request-next = アクセス元のウェブサイトに戻って、もう一度お試しください。再び発生する場合は、そのウェブサイトにお知らせください。以下の詳細は、そのウェブサイトの開発者向けの情報です。
error-unauthorized = もう一度ログインする必要があります
error-forbidden = このフォームは使用できませんでした
error-not-found = ページが見つかりません
error-not-found-next = このアドレスには何もありません。アドレスを確認するか、Assent のホームページからやり直してください。
error-already-decided = この同意リクエストにはすでに回答しています
error-already-decided-next = 2回目の回答では何も許可されていません。ウェブサイトに戻ってください。引き続きアクセスを求められる場合は、そこからやり直してください。
error-too-many = 試行回数が多すぎます
error-too-many-next = { $seconds }秒待ってから、もう一度お試しください。
error-unavailable = 現在 Assent で問題が発生しています
error-unavailable-next = 何も変更されていません。数秒後にもう一度お試しください。
error-internal = Assent 側で問題が発生しました
error-internal-next = 何も変更されていません。もう一度お試しください。繰り返し発生する場合は、この Assent の運営者にお知らせください。
error-session-ended = セッションが終了しました。ウェブサイトに戻って、もう一度やり直してください。
error-form-expired = このフォームは有効期限が切れているか、Assent から送信されたものではありません。前のページに戻り、ページを再読み込みしてからもう一度お試しください。
error-no-account = このアカウントは存在しません。

## Home

home-hello = { $name } さん、こんにちは
home-signed-in-as = <strong>{ $email }</strong> として Assent にログインしています。
home-apps-text = どのウェブサイトがアカウントを使用できるか、何ができるか、いつまで使用できるかを確認できます。アクセスはいつでも削除できます。
home-demo-title = デモ ウェブサイトを試す
home-demo-text = 「Contoso Contacts」をアカウントに接続して、同意の流れを最初から最後まで確認してみましょう。
home-hero-title = アカウントは1つ。許可するのは、毎回あなたです。
home-hero-lead = Assent なら、一度ログインするだけで、各ウェブサイトがアカウントで何をできるかを細かく決められます。
home-feature-choose = <strong>権限を1つずつ選べます。</strong>連絡先の閲覧は許可し、変更は許可しない、といったことができます。
home-feature-duration = <strong>期間を決められます。</strong>1日、1週間、1か月、1年から選べます。期間が過ぎるとアクセスは自動的に終了します。
home-feature-revoke = <strong>いつでも考えを変えられます。</strong>ウェブサイトのアクセスはワンステップで削除できます。
home-just-looking = まずは見てみたい場合は、<a href="/demo">デモ ウェブサイトを試して</a>、アプリの接続の仕組みをご確認ください。

## Sign in, sign up, passwords

signin-page-title = ログイン
signin-title = Assent にログイン
signin-intro = Assent アカウントのメールアドレスとパスワードを使用してください。
signin-forgot = パスワードをお忘れの場合
signin-new = Assent を初めてご利用ですか？
signin-create = アカウントを作成
signin-wrong = メールアドレスまたはパスワードが正しくありません。
signup-title = Assent アカウントを作成
signup-intro = Assent に対応するすべてのウェブサイトで使える1つのアカウントです。各ウェブサイトに何を許可するかは、ご自身で決められます。
signup-email-hint = このアドレスがご本人のものであることを確認するため、リンクをお送りします。
signup-submit = アカウントを作成
signup-have-account = すでにアカウントをお持ちですか？
forgot-intro = Assent アカウントのメールアドレスを入力してください。新しいパスワードを設定するためのリンクをそのアドレスにお送りします。
forgot-submit = 再設定用のリンクを送信
forgot-remembered = 思い出しましたか？
reset-title = 新しいパスワードを設定
reset-intro = 設定すると、すべてのブラウザとデバイスでアカウントからログアウトされます。このブラウザには新しいパスワードでログインした状態になります。
reset-submit = 新しいパスワードを設定

## Consent

consent-page-title = { $app } にアクセスを許可しますか？
consent-title = <span class="app-name">{ $app }</span> が Assent アカウントへのアクセスを求めています
consent-title-more = <span class="app-name">{ $app }</span> が Assent アカウントへの追加のアクセスを求めています
consent-signed-in-as = <strong class="break">{ $email }</strong> でログイン中
consent-not-you = ご本人ではありませんか？
consent-origin = このリクエストは <strong class="host">{ $host }</strong> から送信されています。選択が終わると、そちらに戻ります。
consent-limited-to = 対象の制限:
consent-legend = { $app } が次の権限を求めています:
consent-new-legend = 新規: { $app } は次の権限も求めています:
consent-over-time = { $app } は、あなたが許可した内容を、選択した日付まで、あなたがいないときにも使用できます。その日付を過ぎると自動的に終了します。
consent-untick = 許可したくない項目はチェックを外してください。
consent-allowed-legend = { $app } にすでに許可している権限:
consent-allowed-help = より後の日付を選択しない限り、各権限の現在の終了日はそのまま維持されます。ここでチェックを外しても権限は削除されません。削除するには<a href="/account/consents">アプリ</a>のページで行ってください。
consent-allow = 許可
consent-note = このアクセスは、<a href="/account/consents">アプリ</a>のページでいつでも確認、削除できます。
consent-allowed-until = { $date }まで許可済み
consent-badge-new = 新規
consent-includes = 含まれるもの: { $list }。
consent-excludes = 含まれないもの: { $list }。
consent-access-for = アクセス期間
consent-keep-until = { $date }まで維持
duration-days = { $n }日
duration-year = 1年
duration-hours = { $n }時間
duration-minutes = { $n }分
duration-seconds = { $n }秒

## What a permission means (a registered permission's description may be translated here too:
## perm-<Offer>-<Action>; without one, the provider's own description is shown)

perm-Profiles-Read = 名前とメールアドレスの表示
perm-Profiles-Write = プロフィールの変更
perm-Contacts-Read = 連絡先の閲覧
perm-Contacts-Write = 連絡先の追加と変更
perm-Contacts-Full = 連絡先へのフルアクセス
perm-News-Read = ニュースフィードの閲覧
perm-News-Write = ニュースフィードへの追加と変更
perm-News-Full = ニュースフィードへのフルアクセス
perm-LiveMeshFolder-Read = Live Mesh フォルダの閲覧
perm-LiveMeshFolder-Write = Live Mesh フォルダへの追加と変更
perm-LiveMeshFolder-Full = Live Mesh フォルダへのフルアクセス
perm-custom-Read = { $provider } が保管する「{ $offer }」データの閲覧（説明はありません）
perm-custom-Write = { $provider } が保管する「{ $offer }」データの追加と変更（説明はありません）
perm-custom-Full = { $provider } が保管する「{ $offer }」データの閲覧、追加、変更（説明はありません）

## The answer page and sign-out

response-returning = { $host } に戻っています
response-returning-host = <span class="host">{ $host }</span> に戻っています…
response-returning-site = ウェブサイトに戻っています…
response-hint = しばらくしても何も起こらない場合は、［続行］を選択してください。
logout-title = ログアウトしました
logout-text = Assent からログアウトしました。
logout-text-app = Assent と <strong>{ $app }</strong> からログアウトしました。
logout-shared = 共有のパソコンをお使いの場合は、使い終わったらブラウザを閉じてください。
logout-continue = { $host } に進む

## Your apps

tabs-label = アカウントのページ
tab-history = 履歴
tab-account = アカウント
apps-intro = Assent アカウントを使用できるウェブサイトと、それぞれができること、その期限です。アプリを開くと権限を確認できます。削除した内容はすぐに反映されます。
apps-search = 検索
apps-search-placeholder = 名前、ウェブサイト、権限
apps-sort = 並べ替え
apps-sort-name = 名前
apps-sort-used = 最終使用日
apps-sort-granted = 最近許可したもの
apps-count = { $n }個のアプリがアカウントを使用できます。
apps-count-match = 「{ $q }」に一致するアプリ: { $n }個中{ $shown }個
apps-show-all = すべて表示
apps-permissions = { $n }個の権限
apps-used = 最終使用
apps-website = ウェブサイト
apps-privacy = プライバシー
apps-privacy-of = （{ $app }）
apps-last-renewed = 最終更新
apps-what-can-do = { $app } ができること
apps-limited-to = 対象の制限
apps-allowed = 許可日
apps-until = 期限
apps-expires = { $when }に期限切れ
apps-remove = 削除…
apps-remove-what = { $app } の「{ $permission }」
apps-remove-all = すべてのアクセスを削除…
apps-remove-all-of = （{ $app }）
apps-no-match = 「{ $q }」に一致するアプリはありません
apps-no-match-hint = 名前やウェブサイトの一部で検索するか、<a href="{ $href }">すべてのアプリを表示</a>してください。
apps-none = アカウントにアクセスできるアプリはありません
apps-none-hint = ウェブサイトから権限を求められて許可すると、ここに表示されます。
apps-expired = 期限切れ
apps-expired-intro = これらの権限は自動的に終了しました。アプリがこれらを使用するには、もう一度あなたに許可を求める必要があります。
apps-expired-on = 期限切れ
apps-notice-removed = { $app } から「{ $permission }」を削除しました。この権限はもう使用できません。その他のアクセスはそのまま残ります。
apps-notice-removed-last = { $app } から「{ $permission }」を削除しました。これが最後の権限だったため、{ $app } はアカウントにアクセスできなくなりました。
revoke-app-page-title = { $app } を削除しますか？
revoke-app-title = <span class="app-name">{ $app }</span> のすべてのアクセスを削除しますか？
revoke-app-text = このアプリはこれらの権限をすぐに失い、アカウントに対して保持しているすべてのトークンが無効になります。アカウントを再び使用するには、あなたに許可を求める必要があります。
revoke-app-text-host = <strong class="host">{ $host }</strong> のウェブサイトはこれらの権限をすぐに失い、アカウントに対して保持しているすべてのトークンが無効になります。アカウントを再び使用するには、あなたに許可を求める必要があります。
revoke-app-submit = アクセスを削除
revoke-perm-page-title = { $app } から「{ $permission }」を削除しますか？
revoke-perm-title = <span class="app-name">{ $app }</span> から「{ $permission }」を削除しますか？
revoke-perm-text = 確定した時点で、{ $app } はこの権限を使用できなくなります。連携先のサービスはすぐに要求を拒否し、アプリが権限を更新することもできません。再び使用するには、あなたに許可を求める必要があります。
revoke-perm-last = これは { $app } の最後の権限です。アカウントへのすべてのアクセスをすぐに失い、アカウントに対して保持しているすべてのトークンが無効になります。アカウントを再び使用するには、あなたに許可を求める必要があります。
revoke-perm-facts = { $granted }に許可、期限は{ $until }（{ $relative }）です。
revoke-perm-keeps = { $app } に残る権限
revoke-perm-submit = 権限を削除

## History

history-intro = アカウントとアプリのアクセスに関するできごとです。許可または削除した権限、アプリによる更新、ログイン、安全のために終了したアクセスが、新しい順に表示されます。
history-show = 表示
history-everything = すべて
history-only = { $app } のみ
history-apply = 適用
history-events-page = イベント（{ $pages }ページ中{ $page }ページ目）
history-until = 期限
history-nothing-app = このアプリに関する履歴はありません。<a href="/account/history">すべて表示</a>
history-nothing = まだ何もありません。アプリにアカウントの使用を許可すると、ここに表示されます。
history-pages = 履歴のページ
history-newer = ← 新しい履歴
history-older = 古い履歴 →
history-page = { $pages }ページ中{ $page }ページ目

## Account

account-intro = ログイン情報とセッションです。
account-details = 登録情報
account-email = メール
account-joined = 登録日
account-password-changed = 最終変更
account-change-name = 名前を変更
account-save-name = 名前を保存
account-zone = タイムゾーン
account-zone-chosen = Assent のページの日時は <strong>{ $zone }</strong> で表示されます（ご自身で選択）。
account-zone-browser = Assent のページの日時は <strong>{ $zone }</strong> で表示されます（ブラウザの設定）。
account-zone-unknown = Assent のページの日時は <strong>{ $zone }</strong> で表示されます（ブラウザからタイムゾーンが通知されていません）。
account-zone-label = 日時の表示
account-zone-use-browser = ブラウザのタイムゾーンを使用
account-zone-save = タイムゾーンを保存
account-change-password = パスワードを変更
account-change-password-text = ログインしている他のすべての場所からログアウトされます。このブラウザはログインしたままになります。
account-sessions = ログインしている場所
account-sessions-text = アカウントのセッションがあるブラウザ（最近使用した順）と、パスワードでログインしているデバイス（スマートフォンやパソコンのアプリ）です。心当たりのないものはログアウトしてください。
account-browsers = ブラウザ
account-browser-session = ブラウザ セッション
account-this-browser = このブラウザ
account-last-used = 最終使用
account-signed-in = ログイン日
account-sign-out-this = （このブラウザ）
account-sign-out-session = （最終使用: { $when } のセッション）
account-devices = デバイス
account-device-signed-in = ログイン
account-no-device = ログインしているデバイスはありません。
account-everywhere = すべての場所からログアウト
account-everywhere-text = このデバイスを含め、すべてのデバイスでアカウントのすべてのセッションを終了します。許可したアプリのアクセスは維持されます。削除するには<a href="/account/consents">アプリ</a>のページで行ってください。
account-data = データ
account-data-text = Assent が保管しているあなたに関するすべての情報を JSON ファイルとしてダウンロードできます。登録情報、許可または削除したすべての権限、履歴、セッション、デバイスが含まれます。パスワードとトークンは含まれません。
account-data-download = データをダウンロード
account-delete = アカウントを削除
account-delete-text = すべてのアプリがすぐにアクセスを失い、すべての場所からログアウトされ、履歴が削除されます。この操作は元に戻せません。
account-delete-link = アカウントを削除…
email-verified-badge = 確認済み
email-verified-text = Assent に接続したウェブサイトには、このアドレスが確認済みとして表示されます。
email-unverified-badge = 未確認
email-unverified-text = このアドレスにお送りしたリンクを開いてください。それまでは、接続したウェブサイトにはアドレスが未確認であると通知されます。
email-send-new-link = 新しいリンクを送信
delete-title = アカウントを削除しますか？
delete-intro = アカウント <strong class="break">{ $email }</strong> とそれに関するすべての情報がすぐに削除されます。この操作は元に戻せません。
delete-apps = <strong>{ $n }個のアプリがすぐにアクセスを失います</strong>。許可したすべての権限が先に削除され、アプリが権限を更新することもできません。
delete-sessions = <strong>{ $sessions }件のブラウザ セッションと{ $devices }台のデバイス</strong>からログアウトされます（このブラウザも含みます）。
delete-history = <strong>履歴は削除されます。</strong>コピーが必要な場合は、先に<a href="/account">データをダウンロード</a>してください。
delete-password = 確認のため、パスワードを入力してください
delete-submit = アカウントを削除する
deleted-page-title = アカウントを削除しました
deleted-title = アカウントは削除されました
deleted-text = すべてのアプリがアクセスを失い、すべてのセッションとデバイスからログアウトされ、履歴は削除されました。同じメールアドレスでいつでも再登録できます。
deleted-home = ホームページに移動

## Email links

inbox-title = 受信トレイを確認してください
inbox-signup = <strong class="addr">{ $address }</strong> にメッセージをお送りしました。アドレスがご本人のものであることを確認するため、{ $ttl }以内にメッセージ内のリンクを開いてください。
inbox-signup-hint = パスワードを使って今すぐログインできます。確認が完了するまでは、接続したウェブサイトにはアドレスが未確認であると通知されます。
inbox-reset = <strong class="addr">{ $address }</strong> を使用している Assent アカウントがある場合は、新しいパスワードを設定するためのリンクをそのアドレスにお送りしました。
inbox-reset-hint = リンクは1回のみ、{ $ttl }の間有効です。メッセージが届かない場合は、アドレスと迷惑メール フォルダを確認してから、<a href="/forgot-password">もう一度リクエスト</a>してください。
inbox-back-signin = ログインに戻る
inbox-sent = <strong class="addr">{ $address }</strong> に新しいリンクをお送りしました。リンクは{ $ttl }の間有効です。
inbox-verified = <strong class="addr">{ $address }</strong> はすでに確認済みです。確認の必要はありません。
inbox-limited = 最近 <strong class="addr">{ $address }</strong> に複数のリンクをお送りしました。最新のリンクを開くか、しばらくしてからもう一度リクエストしてください。
inbox-unknown = <strong class="addr">{ $address }</strong> がまだ確認されていないアカウントのものである場合は、新しいリンクをお送りしました。リンクは{ $ttl }の間有効です。
inbox-back-account = アカウントに戻る
inbox-no-message = 数分経ってもメッセージが届かない場合は、迷惑メール フォルダを確認するか、次のボタンから
inbox-send-new = 新しいリンクを送信
link-confirm-title = メールアドレスの確認
link-confirm-text = <strong class="addr">{ $address }</strong> がご自身のアドレスであることを確認してください。確認後は、Assent に接続したウェブサイトに確認済みとして表示されます。
link-confirm-submit = アドレスを確認
link-verified-title = メールアドレスを確認しました
link-verified-text = <strong class="addr">{ $address }</strong> があなたのアドレスとして確認されました。Assent に接続したウェブサイトに確認済みとして表示されるようになりました。
link-go-account = アカウントに移動
link-reset-done-title = パスワードを変更しました
link-reset-done-text = 新しいパスワードが設定されました。アカウントにログインしていたすべてのブラウザとデバイスからログアウトされました。
link-reset-done-text-signed-in = 新しいパスワードが設定されました。アカウントにログインしていたすべてのブラウザとデバイスからログアウトされました。このブラウザには <strong class="addr">{ $email }</strong> としてログインしています。
link-reset-done-apps = 許可したアプリのアクセスは維持されます。アプリのページで確認してください。
link-dead-page-title = リンクは無効です
link-dead-title = このリンクは無効になっています
link-dead-reset = このパスワード再設定用リンクは、有効期限が切れているか、すでに使用されています。各リンクは短時間、1回のみ有効です。
link-ask-new = 新しいリンクをリクエスト
link-dead-verify = この確認用リンクは、有効期限が切れているか、すでに使用されています。アドレスの確認がまだの場合は、新しいリンクをリクエストしてください。下にアドレスを入力するか、ログインしてアカウントのページからリクエストできます。
link-dead-verify-signed-in = この確認用リンクは、有効期限が切れているか、すでに使用されています。アドレスの確認がまだの場合は、新しいリンクをリクエストしてください。
outbox-title = デモ用送信トレイ
outbox-intro = デモ モードでは、Assent はメールを送信せずにフォルダに書き込みます。最新のメールがここに表示されるため、メールボックスがなくても確認用リンクやパスワード再設定用リンクを開けます。
outbox-smtp = このサーバーは SMTP でメールを送信しています。表示できる送信トレイはありません。
outbox-empty = まだメッセージはありません。<a href="/signup">アカウントを作成</a>するか、<a href="/forgot-password">パスワードの再設定をリクエスト</a>してから、もう一度アクセスしてください。
outbox-to = 宛先

## Dates (chrono's strftime patterns; month names follow the language)

date-format = %Y年%-m月%-d日
date-long-format = %Y年%-m月%-d日
date-time = { $date } { $time }
rel-now = たった今
rel-soon = 1分以内
rel-past-minutes = { $n }分前
rel-past-hours = { $n }時間前
rel-past-days = { $n }日前
rel-future-minutes = { $n }分後
rel-future-hours = { $n }時間後
rel-future-days = { $n }日後

## Notices and form errors (Rust words them in English; a page looks its text up here)

flash-wrong-credentials = メールアドレスまたはパスワードが正しくありません。
flash-demo-sign-in = デモ: demo@assent.example とパスワード demo-password でログインしてください。
flash-name = 名前を入力してください（100文字以内）。
flash-password-short = 10文字以上のパスワードを設定してください。
flash-new-password-short = 10文字以上の新しいパスワードを設定してください。
flash-password-long = パスワードが長すぎます。
flash-passwords-differ = 2つのパスワードが一致しません。
flash-new-passwords-differ = 2つの新しいパスワードが一致しません。
flash-current-password = 現在のパスワードが正しくありません。
flash-no-account = このアカウントは存在しません。
flash-link-dead = このリンクは、有効期限が切れているか、すでに使用されています。
flash-email-long = 254文字以内のメールアドレスを入力してください。
flash-email-spaces = メールアドレスにスペースを含めることはできません。
flash-email-invalid = name@example.com のような形式でメールアドレスを入力してください。
flash-delete-wrong-password = パスワードが正しくありません。アカウントは削除されていません。
flash-password-changed = パスワードを変更しました。アカウントの他のすべてのセッションは終了しました。
flash-session-ended = ログアウトしました。そのブラウザでは再度ログインが必要です。
flash-device-ended = ログアウトしました。そのデバイスでは再度ログインが必要です。
flash-name-changed = 名前を変更しました。
flash-zone-saved = タイムゾーンを保存しました。日時はこのタイムゾーンで表示されます。
flash-nothing-to-sign-out = ログアウトする必要はありません。そのセッションはすでに終了しています。
flash-permission-removed = 権限を削除しました。アプリはこの権限を使用できなくなりました。
flash-permission-removed-last = 権限を削除しました。これがアプリの最後の権限だったため、アプリはアクセスできなくなりました。
flash-access-removed = アクセスを削除しました。アプリはアカウントを使用できなくなりました。
flash-nothing-to-remove = 削除する必要はありません。そのアクセスはすでに終了しています。

## History: what happened (badges) and the details another language words itself

event-grant = アクセスを許可
event-refresh = アクセスを更新
event-revoke = 権限を削除
event-revoke-app = アプリを削除
event-reuse-detected = 安全のためアクセスを終了
event-code-replay = 安全のためアクセスを終了
event-password-changed = パスワードを変更
event-signed-out-everywhere = すべての場所からログアウト
event-sign-in = ログイン
event-device-sign-in = デバイスでログイン
event-session-ended = ブラウザからログアウト
event-device-signed-out = デバイスからログアウト
event-name-changed = 名前を変更
event-time-zone-changed = タイムゾーンを変更
event-email-verified = メールアドレスを確認
event-password-reset = メールのリンクでパスワードを再設定
event-detail-reuse = このアプリのアクセスの古い更新情報が再び使用されました。誰かがコピーした可能性があります。Assent はこのアクセスを終了しました。アプリはもう一度あなたに許可を求める必要があります。
event-detail-code-replay = このアプリの1回限りのログイン コードが2回使用されました。Assent はこのコードで付与されたアクセスを終了しました。アプリはもう一度あなたに許可を求める必要があります。
event-detail-app-gave-up = アプリ自身がこのアクセスを放棄しました。
event-detail-you-removed = このアプリのアクセスを削除しました。
event-detail-allowed = 許可: { $list }
event-detail-renewed = 更新: { $list }
event-detail-removed = 削除: { $list }
event-detail-removed-last = 削除: { $list }。これがアプリの最後の権限だったため、アクセスは残っていません。
