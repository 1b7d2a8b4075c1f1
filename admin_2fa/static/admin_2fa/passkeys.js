// Once django-otp-webauthn's script has stored a new passkey (its documented
// "otp_webauthn.register_complete" event), go on to the page that confirms it and gives
// backup codes with a first second factor. Loaded from a file: the admin's CSP runs no
// inline script.
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function () {
    var form = document.querySelector("form[data-passkey-added]");
    if (form) {
      form.submit();
    }
  });
})();
