import Foundation

/// Byte counts for people: `12.3 MB` (SI units, as `ls -h --si` and disk vendors use).
func humanBytes(_ bytes: Int64) -> String {
  let units = ["B", "kB", "MB", "GB", "TB"]
  var value = Double(bytes)
  var unit = 0
  while value >= 1000, unit < units.count - 1 {
    value /= 1000
    unit += 1
  }
  return unit == 0 ? "\(bytes) B" : String(format: "%.1f ", value) + units[unit]
}
