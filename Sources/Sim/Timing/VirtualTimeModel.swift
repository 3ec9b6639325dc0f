/// The default virtual-time model (DESIGN §3): every client's round time is computed, never
/// measured, so virtual time is identical across runs and machines.
///
///     compute  = samples processed × model FLOPs per training sample ÷ client speed
///     downlink = latency + bytes down ÷ downlink bandwidth
///     uplink   = latency + bytes up ÷ uplink bandwidth
///     client round time = downlink + compute + uplink
/// With the wait-for-all policy a round lasts as long as its slowest completed client. Per-client
/// distributions and traces (`StragglerTimingModel`) and round policies build on it (docs/stragglers.md).
public struct VirtualTimeModel: Sendable, Equatable {
    /// Nominal client speed, FLOP/s.
    public var computeFlopsPerSecond: Double
    public var uplinkBytesPerSecond: Double
    public var downlinkBytesPerSecond: Double
    public var latencySeconds: Double

    public init(computeFlopsPerSecond: Double, uplinkBytesPerSecond: Double,
                downlinkBytesPerSecond: Double, latencySeconds: Double) {
        self.computeFlopsPerSecond = computeFlopsPerSecond
        self.uplinkBytesPerSecond = uplinkBytesPerSecond
        self.downlinkBytesPerSecond = downlinkBytesPerSecond
        self.latencySeconds = latencySeconds
    }

    /// Virtual seconds to process `samples` training samples of a model costing `flopsPerSample`.
    public func computeSeconds(samples: Int, flopsPerSample: Double) -> Double {
        Double(samples) * flopsPerSample / computeFlopsPerSecond
    }

    /// Virtual seconds of both link directions for one client.
    public func linkSeconds(bytesDown: Int, bytesUp: Int) -> Double {
        (latencySeconds + Double(bytesDown) / downlinkBytesPerSecond)
            + (latencySeconds + Double(bytesUp) / uplinkBytesPerSecond)
    }
}
