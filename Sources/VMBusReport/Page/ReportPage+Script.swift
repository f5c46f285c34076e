// The page's scripts are Page/Script/*.js, linted by CI and compiled into the binary by
// SwiftPM (`embedInCode` in Package.swift), so the binary is the whole program.
extension ReportPage {
  /// Script/error-capture.js: runs first and keeps every error for the self-test.
  package static let errorCapture = String(
    decoding: PackageResources.error_capture_js, as: UTF8.self)

  /// Script/report.js: reads the data, draws the rows in view, steps, and self-tests.
  package static let script = String(decoding: PackageResources.report_js, as: UTF8.self)
}
