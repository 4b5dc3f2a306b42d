import Foundation

/// The user's search text, parsed into what it may mean and nothing more: words that must all
/// match, quoted phrases, and a trailing `*` for prefix matching. Every other character is just a
/// separator; no operator, field name or bracket is ever passed on as query syntax.
package struct TextQuery: Sendable, Hashable {
    package enum Term: Sendable, Hashable {
        /// A word; `prefix` when it ended with `*` (as-you-type).
        case word(String, prefix: Bool)
        /// Words that must appear together, in order.
        case phrase([String])
    }

    /// The text as given, trimmed (for exact order-id matching).
    package let raw: String
    package let terms: [Term]

    package static let maximumLength = 256

    /// Splits on anything that is not a letter, a digit or a mark (what the indices' tokenizers do).
    package init(_ text: String) {
        raw = text.trimmingCharacters(in: .whitespaces)
        var terms: [Term] = []
        var inQuotes = false
        var phrase: [String] = []
        var word = ""
        func endWord(prefix: Bool) {
            guard !word.isEmpty else { return }
            if inQuotes {
                phrase.append(word)
            } else {
                terms.append(.word(word, prefix: prefix))
            }
            word = ""
        }
        for scalar in raw.unicodeScalars {
            if scalar == "\"" {
                endWord(prefix: false)
                if inQuotes, !phrase.isEmpty { terms.append(phrase.count == 1 ? .word(phrase[0], prefix: false) : .phrase(phrase)) }
                phrase = []
                inQuotes.toggle()
            } else if scalar == "*" {
                endWord(prefix: !inQuotes)
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark {
                word.unicodeScalars.append(scalar)
            } else {
                endWord(prefix: false)
            }
        }
        endWord(prefix: false)
        if !phrase.isEmpty { terms.append(phrase.count == 1 ? .word(phrase[0], prefix: false) : .phrase(phrase)) }
        self.terms = terms
    }

    package var isEmpty: Bool { terms.isEmpty && raw.isEmpty }
}
