import Foundation
import HTTPTransport
import JSON

extension HarnessConfiguration {
    /// The configuration a recording was made with, read back from its `config.json`, narrowed to one run for
    /// replay: that run's index, its recorded seed and timeouts, one run at a time, nothing recorded, and
    /// `outputDirectory` for the fresh artifact tree. Returns nil with a reason when the file is unusable.
    public static func recorded(
        configFile path: String,
        runIndex: Int,
        outputDirectory: String
    ) -> Result<HarnessConfiguration, HarnessError> {
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)
        else { return .failure(HarnessError(.io, "cannot read \(path)")) }
        let json: JSONValue
        do {
            json = try JSONParser.parse(text, options: .python)
        } catch {
            return .failure(HarnessError(.io, "\(path) is not JSON: \(error)"))
        }
        guard let seedText = json["seed"]?.stringValue ?? json["seed"]?.integerValue.map(String.init),
            let seed = UInt64(seedText)
        else { return .failure(HarnessError(.io, "\(path) names no seed")) }
        var configuration = HarnessConfiguration(outputDirectory: outputDirectory)
        func string(_ key: String, _ fallback: String) -> String { json[key]?.stringValue ?? fallback }
        func seconds(_ key: String, _ fallback: Duration) -> Duration {
            json[key]?.doubleValue.map { .milliseconds(Int64($0 * 1000)) } ?? fallback
        }
        configuration.seed = seed
        configuration.jwtEnvironmentVariable = string("jwt_env", configuration.jwtEnvironmentVariable)
        for (role, key) in [
            (Endpoints.Role.prompts, "prompt_endpoint"), (.maestro, "maestro"), (.storpheus, "storpheus"),
            (.muse, "muse_url"),
        ] {
            guard let text = json[key]?.stringValue else { continue }
            guard let url = HTTPURL(string: text) else {
                return .failure(HarnessError(.io, "\(path) names '\(text)' for \(key), which is not an http:// URL"))
            }
            configuration.endpoints[role] = url
        }
        configuration.qualityPreset =
            QualityPreset(rawValue: string("quality_preset", "")) ?? configuration.qualityPreset
        configuration.maestroTimeout = seconds("maestro_timeout_s", configuration.maestroTimeout)
        configuration.storpheusTimeout = seconds("storpheus_timeout_s", configuration.storpheusTimeout)
        configuration.globalTimeout = seconds("global_timeout_s", configuration.globalTimeout)
        configuration.promptTimeout = seconds("prompt_timeout_s", configuration.promptTimeout)
        configuration.museTimeout = seconds("muse_timeout_s", configuration.museTimeout)
        configuration.connectTimeout = seconds("connect_timeout_s", configuration.connectTimeout)
        configuration.verbose = json["verbose"]?.boolValue ?? false
        configuration.stack = json["stack"]?.stringValue.flatMap(StackKind.init(rawValue:))
        configuration.museProjectPrefix = string("muse_project_prefix", configuration.museProjectPrefix)
        if let retry = json["retry"] {
            configuration.retry.maxAttempts = retry["max_attempts"]?.intValue ?? configuration.retry.maxAttempts
        }
        configuration.runs = 1
        configuration.firstRunIndex = runIndex
        configuration.concurrency = 1
        configuration.record = false
        return .success(configuration)
    }
}
