/// Bounds the decoder enforces on untrusted input, on top of the structural checks.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest accepted metadata frame in bytes. Default 16 MiB (a `welcome` carries a whole TOML config).
    public var maxMetadataBytes: Int
    /// Largest accepted single payload frame in bytes. Default 1 GiB.
    public var maxPayloadBytes: Int
    /// If set, every tensor payload must have exactly this many elements (the model dimension).
    public var expectedDimension: Int?
    /// Largest accepted number of clients in one `task`. Default 2^20.
    public var maxClientsPerTask: Int

    /// Creates limits; every parameter has the default described on its property.
    public init(
        maxMetadataBytes: Int = 16 << 20, maxPayloadBytes: Int = 1 << 30,
        expectedDimension: Int? = nil, maxClientsPerTask: Int = 1 << 20
    ) {
        self.maxMetadataBytes = maxMetadataBytes
        self.maxPayloadBytes = maxPayloadBytes
        self.expectedDimension = expectedDimension
        self.maxClientsPerTask = maxClientsPerTask
    }
}
