// Per-(round, client) virtual timing for stragglers (issue 6; DESIGN §3, §6; spec §A.7). A pure
// value: given (round, client) and the nominal model it returns the client's compute speed,
// slowdown, links, injected delay and availability — no clocks, no state.
//
//     compute  = nominal compute seconds ÷ speed × slowdown
//     link     = 2·latency + bytes down ÷ downlink + bytes up ÷ uplink
//     total    = link + compute + extra delay
//
// Randomness (all through `RandomKey`, so a client's timing is the same on every process):
// - persistent per-client properties — speed factor, uplink, downlink, latency — are drawn once per
//   client from RandomKey(seed, .timing, round: k, client) with k = 0, 1, 2, 3 respectively;
// - per-round properties — slowdown and extra delay — from RandomKey(seed, .straggler, round, client),
//   slowdown from counter 0 and extra delay from counter 2⁴⁰ (independent sub-streams).
// A trace row covering (client, round) overrides speed, links, latency and availability.

/// One client's timing in one round.
public struct ClientTiming: Sendable, Equatable {
    /// Factor on the nominal compute speed (0.5 = twice as slow).
    public var speed: Double
    /// Multiplier on this round's compute time (≥ 1 typically: a straggling round).
    public var slowdown: Double
    public var uplinkBytesPerSecond: Double
    public var downlinkBytesPerSecond: Double
    public var latencySeconds: Double
    /// Injected additive delay, seconds.
    public var extraDelaySeconds: Double
    /// False when a trace marks the client unavailable this round.
    public var available: Bool

    /// Compute seconds for work that takes `nominalSeconds` at nominal speed.
    public func computeSeconds(nominalSeconds: Double) -> Double { nominalSeconds / speed * slowdown }

    /// Both link directions.
    public func linkSeconds(bytesDown: Int, bytesUp: Int) -> Double {
        (latencySeconds + Double(bytesDown) / downlinkBytesPerSecond) + (latencySeconds + Double(bytesUp) / uplinkBytesPerSecond)
    }

    /// The client's round time: downlink + compute + uplink + extra delay.
    public func roundSeconds(nominalComputeSeconds: Double, bytesDown: Int, bytesUp: Int) -> Double {
        linkSeconds(bytesDown: bytesDown, bytesUp: bytesUp) + computeSeconds(nominalSeconds: nominalComputeSeconds)
            + extraDelaySeconds
    }
}

/// The configured straggler/timing model (`[timing]` section).
public struct StragglerTimingModel: Sendable, Equatable {
    public var seed: UInt64
    /// Per-client speed factor (persistent across rounds).
    public var speed: TimingDistribution
    /// Per-(round, client) multiplier on compute time.
    public var slowdown: TimingDistribution
    /// Per-client link rates and latency; nil = the nominal `VirtualTimeModel`'s value.
    public var uplinkBytesPerSecond: TimingDistribution?
    public var downlinkBytesPerSecond: TimingDistribution?
    public var latencySeconds: TimingDistribution?
    /// Per-(round, client) additive delay in seconds (constant 0 = none).
    public var extraDelaySeconds: TimingDistribution
    public var trace: TimingTrace?

    /// A model; defaults reproduce the nominal model exactly (speed 1, slowdown 1, no delay).
    public init(seed: UInt64, speed: TimingDistribution = .constant(1), slowdown: TimingDistribution = .constant(1),
                uplinkBytesPerSecond: TimingDistribution? = nil, downlinkBytesPerSecond: TimingDistribution? = nil,
                latencySeconds: TimingDistribution? = nil, extraDelaySeconds: TimingDistribution = .constant(0),
                trace: TimingTrace? = nil) throws(StragglerModelError) {
        try speed.validate(what: "timing.speed")
        try slowdown.validate(what: "timing.slowdown")
        try uplinkBytesPerSecond?.validate(what: "timing.bandwidth_up")
        try downlinkBytesPerSecond?.validate(what: "timing.bandwidth_down")
        try latencySeconds?.validate(what: "timing.latency", allowZero: true)
        try extraDelaySeconds.validate(what: "timing.delay", allowZero: true)
        self.seed = seed
        self.speed = speed
        self.slowdown = slowdown
        self.uplinkBytesPerSecond = uplinkBytesPerSecond
        self.downlinkBytesPerSecond = downlinkBytesPerSecond
        self.latencySeconds = latencySeconds
        self.extraDelaySeconds = extraDelaySeconds
        self.trace = trace
    }

    /// The timing of `client` in `round`, with `nominal` supplying links the model leaves unset.
    public func timing(round: Int, client: Int, nominal: VirtualTimeModel) -> ClientTiming {
        func persistent(_ d: TimingDistribution?, stream: UInt64, fallback: Double) -> Double {
            guard let d else { return fallback }
            var g = RandomKey(seed: seed, purpose: .timing, round: stream, client: UInt64(client)).generator
            return d.sample(using: &g)
        }
        let key = RandomKey(seed: seed, purpose: .straggler, round: UInt64(round), client: UInt64(client))
        var slow = CounterRandom(seed: key.streamSeed, counter: 0)
        var delay = CounterRandom(seed: key.streamSeed, counter: 1 << 40)
        var timing = ClientTiming(
            speed: persistent(speed, stream: 0, fallback: 1),
            slowdown: slowdown.sample(using: &slow),
            uplinkBytesPerSecond: persistent(uplinkBytesPerSecond, stream: 1, fallback: nominal.uplinkBytesPerSecond),
            downlinkBytesPerSecond: persistent(downlinkBytesPerSecond, stream: 2, fallback: nominal.downlinkBytesPerSecond),
            latencySeconds: persistent(latencySeconds, stream: 3, fallback: nominal.latencySeconds),
            extraDelaySeconds: extraDelaySeconds.sample(using: &delay),
            available: true)
        if let row = trace?.entry(client: client, round: round) {
            if let v = row.speed { timing.speed = v }
            if let v = row.uplinkBytesPerSecond { timing.uplinkBytesPerSecond = v }
            if let v = row.downlinkBytesPerSecond { timing.downlinkBytesPerSecond = v }
            if let v = row.latencySeconds { timing.latencySeconds = v }
            if let v = row.available { timing.available = v }
        }
        return timing
    }
}
