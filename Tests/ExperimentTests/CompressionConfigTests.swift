import Protocol
import Testing

@testable import Experiment
@testable import Sim

/// `[compression]`: parsing, the mapping to Sim's compressors and the combinations that are refused.
@Suite struct CompressionConfigTests {
    static func settings(_ compression: String, run: String = "") throws -> RunSettings {
        try RunSettings(ExperimentConfig.parse(toml: "[run]\n\(run)\n[compression]\n\(compression)\n"))
    }

    static func error(_ compression: String, run: String = "", extra: String = "") -> ConfigError? {
        do {
            _ = try RunSettings(ExperimentConfig.parse(toml: "[run]\n\(run)\n[compression]\n\(compression)\n\(extra)"))
            return nil
        } catch {
            return error
        }
    }

    @Test func everyCompressorMapsToItsSimTypeAndPayloadForm() throws {
        let expected: [(String, PayloadCodec)] = [
            ("none", .denseFloat32), ("fp16", .float16), ("topk", .sparse), ("randomk", .sharedSparse),
            ("threshold", .sparse), ("dgc", .sparse), ("qsgd", .quantized), ("terngrad", .scaledTernary),
            ("scaled-sign", .scaledSigns), ("natural", .powersOfTwo), ("powersgd", .lowRank),
        ]
        for (name, codec) in expected {
            let settings = try Self.settings("uplink = \"\(name)\"")
            #expect(settings.uplinkCodec == codec, "\(name)")
            #expect(settings.compressesUplink == (name != "none"))
            // The compressor's output is the form the coordinator expects.
            let x = (0..<96).map { Float($0 % 7) - 3 }
            var memory = CompressionMemory()
            var random = CompressionRandom(key: settings.uplinkSharedKey(round: 1))
            let payload = settings.uplinkCompressor(round: 1, dimension: 96).compress(x, memory: &memory, random: &random).payload
            #expect(payload.codec == codec, "\(name)")
        }
        let signs = try Self.settings("uplink = \"signsgd\"", run: "mode = \"distributed-sgd\"")
        #expect(signs.uplinkCodec == .packedSigns && signs.votesOnSigns)
    }

    @Test func parametersReachTheCompressors() throws {
        let topk = try Self.settings("uplink = \"topk\"\nratio = 0.25\nerror_feedback = true")
        let wrapped = try #require(topk.uplinkCompressor(round: 1, dimension: 100) as? ErrorFeedback)
        #expect((wrapped.base as? TopK)?.ratio == 0.25)
        let qsgd = try Self.settings("uplink = \"qsgd\"\nlevels = 16\nbucket_size = 0\nnorm = \"max\"")
        let q = try #require(qsgd.uplinkCompressor(round: 1, dimension: 100) as? QSGD)
        #expect(q.levels == 16 && q.bucketSize == nil && q.norm == .max)
        let dgc = try Self.settings("uplink = \"dgc\"\nratio = 0.001\ndgc_warmup_rounds = 4\ndgc_clip_norm = 5.0\ndgc_selection = \"exact\"")
        let first = try #require(dgc.uplinkCompressor(round: 1, dimension: 100) as? DeepGradientCompression)
        let late = try #require(dgc.uplinkCompressor(round: 9, dimension: 100) as? DeepGradientCompression)
        #expect(first.ratio > late.ratio && late.ratio == 0.001)
        #expect(first.selection == .exact && first.clipping == .norm(maxNorm: 5, workers: 10))
        let power = try Self.settings("uplink = \"powersgd\"\nrank = 3\npowersgd_variant = \"alternating\"")
        let p = try #require(power.uplinkCompressor(round: 1, dimension: 9610) as? PowerSGD)
        #expect(p.rows == 62 && p.columns == 155 && p.rank == 3 && p.variant == .alternating)
        #expect(RunSettings.matrixShape(dimension: 97, rows: 0) == (1, 97))
        #expect(RunSettings.matrixShape(dimension: 100, rows: 4) == (4, 25))
        #expect(throws: ConfigError.self) {
            try Self.settings("uplink = \"powersgd\"\nmatrix_rows = 7").checkCompression(dimension: 100)
        }
    }

    @Test func powersgdPerLayerMapsToLayerwisePowerSGD() throws {
        let settings = try Self.settings("uplink = \"powersgd\"\nrank = 2\npowersgd_per_layer = true\nerror_feedback = true")
        #expect(settings.uplinkCodec == .lowRankBlocks)
        let shapes: [(inputs: Int, outputs: Int)] = [(4, 3), (3, 2)]
        let wrapped = try #require(settings.uplinkCompressor(round: 1, dimension: 23, layerShapes: shapes) as? ErrorFeedback)
        let layered = try #require(wrapped.base as? LayerwisePowerSGD)
        #expect(layered.rank == 2 && layered.blocks == LayerwisePowerSGD.blocks(layerShapes: shapes))
        // Without the layers the update is one matrix block, still in the block form.
        let flat = try #require((settings.uplinkCompressor(round: 1, dimension: 100) as? ErrorFeedback)?.base as? LayerwisePowerSGD)
        #expect(flat.blocks == [.init(offset: 0, rows: 10, columns: 10, isMatrix: true)])
        // matrix_rows is not used (no divisibility check) unless the downlink is powersgd too.
        try Self.settings("uplink = \"powersgd\"\npowersgd_per_layer = true\nmatrix_rows = 7").checkCompression(dimension: 100)
        #expect(throws: ConfigError.self) {
            try Self.settings("uplink = \"powersgd\"\ndownlink = \"powersgd\"\npowersgd_per_layer = true\nmatrix_rows = 7")
                .checkCompression(dimension: 100)
        }
        // The default keeps the single matrix.
        #expect(try Self.settings("uplink = \"powersgd\"").uplinkCodec == .lowRank)
    }

    @Test func unusedParametersAreResetAndTheConfigRoundTrips() throws {
        let parsed = try ExperimentConfig.parse(toml: "[compression]\nuplink = \"topk\"\nratio = 0.2\nlevels = 8\n")
        #expect(parsed.compression.levels == CompressionSection().levels)
        #expect(try ExperimentConfig.parse(toml: parsed.tomlText()) == parsed)
    }

    @Test(arguments: [
        ("uplink = \"topk\"", "mode = \"distributed-lion\"", "compression.uplink"),
        ("error_feedback = true", "", "compression.error_feedback"),
        ("uplink = \"dgc\"\nerror_feedback = true", "", "compression.error_feedback"),
        ("uplink = \"signsgd\"", "", "compression.uplink"),
        ("downlink = \"signsgd\"", "", "compression.downlink"),
        ("uplink = \"toppk\"", "", "compression.uplink"),
        ("uplink = \"topk\"\nratio = 0.0", "", "compression.ratio"),
        ("uplink = \"qsgd\"\nlevels = 40000", "", "compression.levels"),
    ])
    func refusedCombinationsNameTheKey(compression: String, run: String, key: String) throws {
        let extra = run.contains("lion") ? "[local]\noptimizer = \"lion\"\n" : ""
        let error = try #require(Self.error(compression, run: run, extra: extra))
        #expect(error.description.contains(key), "\(error)")
    }

    @Test func dgcRefusesServerMomentum() throws {
        let error = try #require(Self.error("uplink = \"dgc\"", run: "mode = \"distributed-sgd\"",
                                            extra: "[aggregation]\nserver_momentum = 0.9\n"))
        #expect(error.description.contains("aggregation.server_momentum"))
    }
}
