// Tells Assent the browser's time zone: the `assent_tz` cookie holds its IANA name (from Intl), so
// pages show dates in it unless the user chose a zone on the account page. The server uses the
// cookie only when it names a zone it knows. Without this script dates are shown in UTC.
"use strict";
(function () {
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (typeof zone !== "string" || !/^[A-Za-z0-9_+\/-]{1,64}$/.test(zone)) return;
  var wanted = "assent_tz=" + zone;
  if (document.cookie.split("; ").indexOf(wanted) !== -1) return;
  document.cookie = wanted + "; Path=/; Max-Age=31536000; SameSite=Lax" +
    (location.protocol === "https:" ? "; Secure" : "");
})();
