// PII inventory (#/pii) and the vault browser (#/vault).
// Uses only window.Tutela (app.js). (Reserved: filled by the next step.)
"use strict";
