// Runs first: keeps every error, failed load and console.error in window.__errors for the
// self-test, and reports them even if the main script never runs.
// Compiled into the binary (embedInCode in Package.swift); ReportScriptTests checks it.
(function () {
  'use strict';

  const errors = [];
  window.__errors = errors;
  window.addEventListener('error', function (event) {
    const where = event.lineno ? ' (line ' + event.lineno + ')' : '';
    const what = event.message ||
      ('failed to load ' + (event.target && (event.target.src || event.target.href)));
    errors.push('error: ' + what + where);
  }, true);
  window.addEventListener('unhandledrejection', function (event) {
    errors.push('unhandled rejection: ' + event.reason);
  });
  const originalConsoleError = console.error;
  console.error = function () {
    errors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return originalConsoleError.apply(console, arguments);
  };
  window.addEventListener('load', function () {
    if (location.hash !== '#selftest' || window.__selftestDone) return;
    const failures = errors.concat(['the report script did not run its self-test']);
    document.getElementById('selftest-result').textContent =
      JSON.stringify({ok: false, failures: failures, errors: errors});
  });
})();
