import HookpipeAdmin

/// The series of a Prometheus text exposition: `name{labels}` → value text.
func series(_ metrics: PrometheusMetrics) -> [String: String] {
    var result: [String: String] = [:]
    for line in String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { continue }
        result[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    return result
}

/// The `# TYPE` of each metric family.
func types(_ metrics: PrometheusMetrics) -> [String: String] {
    var result: [String: String] = [:]
    for line in String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n") where line.hasPrefix("# TYPE ") {
        let parts = line.split(separator: " ")
        result[String(parts[2])] = String(parts[3])
    }
    return result
}
