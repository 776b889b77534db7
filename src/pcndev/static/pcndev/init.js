// Start the NHS.UK frontend components: header menu, error summary focus,
// conditional radios and checkboxes, character counts, and so on.
// Load with <script type="module">. Keeping this in a file, not inline, means
// CSP script-src 'self' allows it without a nonce.
// nhsuk.min.js is an ES module that only exports initAll(); it never calls it.
import { initAll } from "../nhsuk/nhsuk.min.js";

initAll();
