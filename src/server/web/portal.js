// Reports and the customer portal (#/reports): reports by framework, NDA acceptance, watermarked downloads.
// Uses only window.Tutela (app.js). (Reserved: filled by the next step.)
"use strict";
