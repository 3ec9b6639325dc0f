import Sim
import Testing

@Suite struct JSONReaderTests {
    @Test func parsesEveryValueKindInOrder() throws {
        let node = try JSONNode.parse(#" {"b": [1, -2.5e3, true, false, null], "a": "x\"y\u00e9\n", "c": {}} "#)
        #expect(node.objectValue?.map(\.0) == ["b", "a", "c"])
        #expect(node["b"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(node["a"]?.stringValue == "x\"yé\n")
        #expect(node["c"] == .object([]))
        #expect(node["missing"] == nil)
    }

    @Test func numbersAreCorrectlyRounded() throws {
        // Shortest round-trip decimals (Python repr) must give back the exact doubles.
        let values: [Double] = [0.1, 1.0 / 3.0, 2.2250738585072014e-308, 4.9406564584124654e-324, 1.7976931348623157e308,
                                -0.8346573453279513, 123456789.12345679]
        for v in values {
            #expect(try JSONNode.parse(v.description).doubleValue == v)
        }
        #expect(try JSONNode.parse("0.30000000000000004").doubleValue == 0.1 + 0.2)
        #expect(try JSONNode.parse("-0").doubleValue?.sign == .minus)
    }

    @Test func infinityStringsAreNumbers() throws {
        let node = try JSONNode.parse(#"[["Infinity", 1], ["-Infinity", 2]]"#)
        #expect(node.matrix == [[.infinity, 1], [-.infinity, 2]])
        #expect(try JSONNode.parse(#""NaN""#).doubleValue?.isNaN == true)
        #expect(try JSONNode.parse(#"[1, "x"]"#).vector == nil)
    }

    @Test func intValueOnlyForExactIntegers() throws {
        #expect(try JSONNode.parse("7").intValue == 7)
        #expect(try JSONNode.parse("7.0").intValue == 7)
        #expect(try JSONNode.parse("7.5").intValue == nil)
        #expect(try JSONNode.parse("1e300").intValue == nil)
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONNode.parse(#""\ud83d\ude00""#).stringValue == "😀")
        #expect(throws: JSONReadError.invalidUnicode(offset: 1)) { try JSONNode.parse(#""\ud83d""#) }
    }

    @Test(arguments: [
        ("[1, 2", JSONReadError.unexpectedEnd(offset: 5, expected: "',' or ']'")),
        ("[1 2]", JSONReadError.unexpectedByte(offset: 3, found: UInt8(ascii: "2"), expected: "',' or ']'")),
        ("01", JSONReadError.trailingContent(offset: 1)),
        ("-", JSONReadError.invalidNumber(offset: 0, text: "-")),
        ("1.", JSONReadError.invalidNumber(offset: 0, text: "1.")),
        ("{\"a\" 1}", JSONReadError.unexpectedByte(offset: 5, found: UInt8(ascii: "1"), expected: "':'")),
        ("\"a\u{01}\"", JSONReadError.controlCharacterInString(offset: 2)),
        ("\"\\x\"", JSONReadError.invalidEscape(offset: 1)),
        ("tru", JSONReadError.unexpectedEnd(offset: 3, expected: "true")),
        ("[] x", JSONReadError.trailingContent(offset: 3)),
    ])
    func errorsCarryTheByteOffset(text: String, error: JSONReadError) {
        #expect(throws: error) { try JSONNode.parse(text) }
    }

    @Test func deepNestingIsRefusedNotCrashing() {
        let text = String(repeating: "[", count: 10_000)
        #expect(throws: JSONReadError.tooDeep(offset: JSONNode.maximumDepth, limit: JSONNode.maximumDepth)) {
            try JSONNode.parse(text)
        }
    }

    @Test func writerRoundTrips() throws {
        let node = JSONNode.object([("v", .array([.number(0.1), .number(-1e-300), .number(.infinity)])), ("s", .string("a\"\n\u{01}"))])
        let text = node.jsonText
        #expect(text == #"{"v":[0.1,-1e-300,"Infinity"],"s":"a\"\n\u0001"}"#)
        let back = try JSONNode.parse(text)
        #expect(back["v"]?.vector == [0.1, -1e-300, .infinity])
        #expect(back["s"]?.stringValue == "a\"\n\u{01}")
        #expect(JSONWriter.matrix([[1, 2.5], [-.infinity]]) == #"[[1.0,2.5],["-Infinity"]]"#)
    }
}
