import Protocol
import Sim

extension RunSettings {
    /// `[timing]` as the per-client model; the trace file is read here, so a bad trace fails at
    /// validation with its file and line.
    static func timing(_ t: TimingSection, seed: UInt64) throws(ConfigError) -> StragglerTimingModel {
        var trace: TimingTrace?
        if let path = t.trace {
            do {
                trace = try TimingTrace.load(path: path)
            } catch {
                throw .invalidValue(key: "timing.trace", value: "\"\(path)\"", reason: error.description)
            }
        }
        do {
            return try StragglerTimingModel(seed: seed, speed: t.speed, slowdown: t.slowdown,
                                            uplinkBytesPerSecond: t.bandwidthUpBytesPerSecond,
                                            downlinkBytesPerSecond: t.bandwidthDownBytesPerSecond,
                                            latencySeconds: t.latencySeconds, extraDelaySeconds: t.delaySeconds,
                                            trace: trace)
        } catch {
            throw .invalidValue(key: "timing", value: "[timing]", reason: error.description)
        }
    }

    /// The timing of `client` in `round` (identical on every process of the run); a `late` fault's
    /// delay is part of its injected delay.
    public func clientTiming(round: RoundID, client: ClientID) -> ClientTiming {
        var t = timing.timing(round: Int(round), client: Int(client), nominal: timeModel)
        if !config.faults.isEmpty { t.extraDelaySeconds += lateFaultSeconds(round: round, client: client) }
        return t
    }
}
