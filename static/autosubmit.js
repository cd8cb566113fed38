// Posts the response form back to the website as soon as the page is ready.
// The page also has a visible Continue button, so it works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[name=responseform]");
  if (form) {
    form.submit();
  }
});
