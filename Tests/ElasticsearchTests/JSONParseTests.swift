import Elasticsearch
import Foundation
import Testing

/// The byte-level JSON parser agrees with `JSONDecoder` and refuses what is not JSON.
@Suite struct JSONParseTests {
    @Test func valuesEscapesAndNumbers() throws {
        let text = #"{"a":[1,-2,2.5,1e3,450.0,true,false,null],"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n\t","k\u00e9y":{"":{}},"e":[]}"#
        let parsed = try JSONValue.parse(bytes: Array(text.utf8))
        #expect(parsed["a"] == [1, -2, 2.5, 1000, 450, true, false, nil])
        #expect(parsed["s"]?.string == "café 😀 \"q\" \\ / \n\t")
        #expect(parsed["kéy"]?[""] == .object([:]))
        #expect(parsed["e"] == .array([]))
        #expect(parsed == (try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))), "the same value as through Decodable")
    }

    @Test(arguments: [#"{"a":1} x"#, #"{"a":1"#, #""abc"#, "[1,]", #"{"a" 1}"#, "nul", #""\x""#, #""\u12""#, ""])
    func notJSONIsRefused(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(bytes: Array(text.utf8)) }
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: (any Error).self) { try JSONValue.parse(bytes: Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(bytes: Array(fine.utf8))) != nil)
    }
}
