/// A proleptic Gregorian UTC date and time, converted to and from Unix seconds without
/// Foundation (Howard Hinnant's `days_from_civil` / `civil_from_days`).
struct CivilTime: Hashable, Sendable {
  var year: Int64
  var month: Int  // 1...12
  var day: Int  // 1...31
  var hour: Int
  var minute: Int
  var second: Int

  init(year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
  }

  /// Splits Unix seconds into a UTC date and time.
  init(secondsSinceEpoch seconds: Int64) {
    let (days, secondOfDay) = Self.floorDivide(seconds, 86_400)
    hour = Int(secondOfDay / 3600)
    minute = Int(secondOfDay % 3600 / 60)
    second = Int(secondOfDay % 60)
    let shifted = days + 719_468
    let era = Self.floorDivide(shifted, 146_097).quotient
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
    month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
    year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  }

  /// Seconds since the Unix epoch.
  var secondsSinceEpoch: Int64 {
    let adjustedYear = month <= 2 ? year - 1 : year
    let era = Self.floorDivide(adjustedYear, 400).quotient
    let yearOfEra = adjustedYear - era * 400
    let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
    let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
  }

  /// Whether the fields name a real date and time (no leap seconds: glib never prints 60).
  var isValid: Bool {
    guard (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute),
      (0...59).contains(second)
    else { return false }
    return (1...Self.daysIn(month: month, year: year)).contains(day)
  }

  static func daysIn(month: Int, year: Int64) -> Int {
    switch month {
    case 2:
      let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
      return leap ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (
    quotient: Int64, remainder: Int64
  ) {
    let quotient = value / divisor
    let remainder = value % divisor
    return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
  }
}
