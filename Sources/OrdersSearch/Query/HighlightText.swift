import Foundation

/// Highlighted fragments are HTML: the field's text, escaped, with each match between `<em>` and
/// `</em>`, so a page can show them as they are. Both backends produce the same fragments:
/// Elasticsearch through `encoder: html` (Lucene's `SimpleHTMLEncoder`), the embedded index
/// through `fragments(marked:separator:)`, which escapes the same characters the same way.
package enum HighlightText {
    package static let preTag = "<em>"
    package static let postTag = "</em>"

    /// What the embedded index has FTS5 put around a match in place of the tags: control
    /// characters, which no validated text holds. A marker can therefore never come from the
    /// text, and the text is escaped before the tags go in, so a name that contains `<em>`
    /// cannot forge one.
    static let matchStart: Unicode.Scalar = "\u{2}"
    static let matchEnd: Unicode.Scalar = "\u{3}"

    /// `text` escaped as Lucene's `SimpleHTMLEncoder` escapes it: `"`, `&`, `<`, `>`, `'` and `/`.
    package static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { append(scalar, to: &escaped) }
        return escaped
    }

    private static func append(_ scalar: Unicode.Scalar, to html: inout String) {
        switch scalar {
        case "\"": html += "&quot;"
        case "&": html += "&amp;"
        case "<": html += "&lt;"
        case ">": html += "&gt;"
        case "'": html += "&#x27;"
        case "/": html += "&#x2F;"
        default: html.unicodeScalars.append(scalar)
        }
    }

    /// The HTML fragments of a text in which FTS5 marked the matches with `matchStart` and
    /// `matchEnd`: the text escaped and the markers turned into tags, split at `separator` (the
    /// one between a list's values), keeping only the fragments with a match. A match that runs
    /// over a separator is closed before it and opened again after it; a marker out of place is
    /// dropped, so the tags always pair up.
    static func fragments(marked text: String, separator: String? = nil) -> [String] {
        var fragments: [String] = []
        var inside = false
        for part in separator.map({ text.components(separatedBy: $0) }) ?? [text] {
            var html = inside ? preTag : ""
            var matched = inside
            for scalar in part.unicodeScalars {
                switch scalar {
                case matchStart where !inside:
                    html += preTag
                    inside = true
                    matched = true
                case matchEnd where inside:
                    html += postTag
                    inside = false
                case matchStart, matchEnd: break
                default: append(scalar, to: &html)
                }
            }
            if inside { html += postTag }
            if matched { fragments.append(html) }
        }
        return fragments
    }

    /// A fragment as text for a terminal: the escapes undone (the inverse of `escape`; `&amp;`
    /// last, so that an escaped `&lt;` stays `&lt;`), the tags kept to show the matches.
    package static func plain(_ fragment: String) -> String {
        fragment.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#x27;", with: "'")
            .replacingOccurrences(of: "&#x2F;", with: "/").replacingOccurrences(of: "&amp;", with: "&")
    }
}
