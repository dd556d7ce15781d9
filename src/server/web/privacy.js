// Privacy office pages: register, risk, purpose decisions (#/privacy) and incidents with deadlines (#/incidents).
// Uses only window.Tutela (app.js). (Reserved: filled by the next step.)
"use strict";
