/// What a random draw is for. Part of the key of every draw, so that adding a new use of
/// randomness never shifts the numbers of an existing one. Raw values are stable: never renumber.
public enum RandomPurpose: UInt64, Sendable, CaseIterable {
    case dataGeneration = 1
    case dataSplit = 2
    case partition = 3
    case participation = 4
    case modelInit = 5
    case minibatch = 6
    case localShuffle = 7
    case byzantineSelection = 8
    case attack = 9
    case compression = 10
    case straggler = 11
    case fault = 12
    case aggregationShuffle = 13
    case bucketing = 14
    case timing = 15
    /// Gradient codes' random parity matrices (CRC).
    case coding = 16
}

/// The key of one random stream: (seed, purpose, round, client). Equal keys give equal streams in
/// every process; distinct keys give independent-looking streams.
public struct RandomKey: Sendable, Hashable {
    public var seed: UInt64
    public var purpose: RandomPurpose
    public var round: UInt64
    public var client: UInt64

    public init(seed: UInt64, purpose: RandomPurpose, round: UInt64 = 0, client: UInt64 = 0) {
        self.seed = seed
        self.purpose = purpose
        self.round = round
        self.client = client
    }

    /// The 64-bit stream seed for `PortableRandom`, a chained SplitMix64 hash of the four fields.
    public var streamSeed: UInt64 {
        var h = PortableRandom.mix(seed ^ 0x6772_6164_7769_7265)  // "gradwire"
        h = PortableRandom.mix(h &+ purpose.rawValue &* 0x9E37_79B9_7F4A_7C15)
        h = PortableRandom.mix(h &+ round &* 0xD1B5_4A32_D192_ED03)
        h = PortableRandom.mix(h &+ client &* 0x8CB9_2BA7_2F3D_8DD7)
        return h
    }

    /// A generator over this key's stream, starting at counter 0.
    public var generator: CounterRandom { CounterRandom(seed: streamSeed) }
}

/// A `RandomNumberGenerator` that walks `PortableRandom.u64(seed, 0), u64(seed, 1), …`.
public struct CounterRandom: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    public private(set) var counter: UInt64

    public init(seed: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.counter = counter
    }

    public mutating func next() -> UInt64 {
        defer { counter &+= 1 }
        return PortableRandom.u64(seed: seed, index: counter)
    }

    /// A double in [0, 1), as `PortableRandom.uniform` at the current counter.
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal by Box–Muller (consumes two counters).
    public mutating func nextNormal() -> Double {
        let u1 = nextUniform(), u2 = nextUniform()
        return (-2.0 * log1pReference(-u1)).squareRoot() * cosReference(2.0 * Double.pi * u2)
    }
}
