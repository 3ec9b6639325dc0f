import Coordinator
import Foundation
import Testing

// JSONValue: the deterministic renderer behind rounds.jsonl, events.jsonl and summary.json.

@Suite struct JSONValueTests {
    @Test func objectKeysKeepTheirInsertionOrder() {
        let value = JSONValue.object([("zeta", .int(1)), ("alpha", .int(2)), ("mid", .null)])
        #expect(value.rendered() == #"{"zeta":1,"alpha":2,"mid":null}"#)
    }

    @Test func scalars() {
        #expect(JSONValue.null.rendered() == "null")
        #expect(JSONValue.bool(true).rendered() == "true")
        #expect(JSONValue.bool(false).rendered() == "false")
        #expect(JSONValue.int(0).rendered() == "0")
        #expect(JSONValue.int(-42).rendered() == "-42")
        #expect(JSONValue.int(Int.max).rendered() == "9223372036854775807")
        #expect(JSONValue.array([]).rendered() == "[]")
        #expect(JSONValue.object([]).rendered() == "{}")
        #expect(JSONValue.array([.int(1), .string("a"), .null]).rendered() == #"[1,"a",null]"#)
    }

    /// Doubles print in their shortest round-trip form, and stay doubles (3.0, not 3).
    @Test(arguments: [
        (0.1, "0.1"), (3.0, "3.0"), (-2.5, "-2.5"), (0.1 + 0.2, "0.30000000000000004"), (1e-7, "1e-07"),
        (123456.789, "123456.789"), (0.0, "0.0"),
    ] as [(Double, String)])
    func doublesUseTheShortestRoundTripForm(value: Double, text: String) throws {
        #expect(JSONValue.double(value).rendered() == text)
        // The text reads back as the same double, and is a JSON number. (Foundation's JSONSerialization
        // on Linux may lose the last bit of a 17-digit number, so exactness is checked with Double(_:).)
        #expect(Double(text) == value)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as? [NSNumber]
        #expect(parsed?.count == 1)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoublesAreNull(value: Double) {
        #expect(JSONValue.double(value).rendered() == "null")
        #expect(JSONValue.object([("x", .double(value))]).rendered() == #"{"x":null}"#)
    }

    @Test func numberOfAnOptionalIsNullWhenAbsent() {
        #expect(JSONValue.number(nil) == .null)
        #expect(JSONValue.number(0.5) == .double(0.5))
    }

    @Test func stringsAreEscaped() {
        #expect(JSONValue.string(#"say "hi" \ bye"#).rendered() == #""say \"hi\" \\ bye""#)
        #expect(JSONValue.string("a\nb\rc\td").rendered() == #""a\nb\rc\td""#)
        #expect(JSONValue.string("\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}").rendered()
                == #""\u0000\u0001\u0008\u000b\u000c\u001f""#)
        // Non-ASCII text (and the slash) travels as is, in UTF-8.
        #expect(JSONValue.string("é ✓ 😀 / \u{7f}").rendered() == "\"é ✓ 😀 / \u{7f}\"")
        #expect(JSONValue.object([("k\"ey\n", .int(1))]).rendered() == #"{"k\"ey\n":1}"#)
    }

    @Test func escapedStringsParseBackToTheOriginal() throws {
        var all = ""
        for code in 0..<UInt8(0x80) { all.unicodeScalars.append(Unicode.Scalar(code)) }
        all += "é✓😀\u{2028}\u{2029}\u{FEFF}"
        let text = JSONValue.array([.string(all)]).rendered()
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        #expect(parsed == [all])
    }

    @Test func prettyIndentsObjectsByTwoSpacesAndEndsWithANewline() {
        let value = JSONValue.object([
            ("a", .int(1)),
            ("b", .object([("c", .array([.int(1), .int(2)])), ("d", .object([]))])),
            ("e", .string("x")),
        ])
        #expect(value.pretty() == """
            {
              "a": 1,
              "b": {
                "c": [1, 2],
                "d": {}
              },
              "e": "x"
            }

            """)
    }

    @Test func prettyOutputParsesBackWithJSONSerialization() throws {
        let value = JSONValue.object([
            ("rounds", .int(30)),
            ("final_test_accuracy", .double(0.9361111111111111)),
            ("time_to_target_s", .null),
            ("name", .string("quick\"start\n")),
            ("flags", .array([.bool(true), .bool(false), .object([("n", .int(-1))])])),
            ("nested", .object([("deeper", .object([("nan", .double(.nan))]))])),
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(value.pretty().utf8)) as? [String: Any])
        #expect(object["rounds"] as? Int == 30)
        let accuracy = try #require((object["final_test_accuracy"] as? NSNumber)?.doubleValue)
        #expect(abs(accuracy - 0.9361111111111111) < 1e-15)
        #expect(object["time_to_target_s"] is NSNull)
        #expect(object["name"] as? String == "quick\"start\n")
        #expect((object["flags"] as? [Any])?.count == 3)
        let nested = (object["nested"] as? [String: Any])?["deeper"] as? [String: Any]
        #expect(nested?["nan"] is NSNull)
        // The compact form parses to the same thing.
        let compact = try JSONSerialization.jsonObject(with: Data(value.rendered().utf8)) as? NSDictionary
        #expect(compact == object as NSDictionary)
    }

    @Test func equalityIsEqualityOfTheRenderedText() {
        #expect(JSONValue.object([("a", .int(1))]) == .object([("a", .int(1))]))
        #expect(JSONValue.object([("a", .int(1)), ("b", .int(2))]) != .object([("b", .int(2)), ("a", .int(1))]))
        #expect(JSONValue.double(.nan) == .null)
        #expect(JSONValue.int(1) != .double(1))
    }
}
